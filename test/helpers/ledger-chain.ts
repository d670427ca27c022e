// Chains written through the real ledger, closed afterwards: one decision record at each chosen timestamp (the chain
// opens at the first), for partition and retention tests; or a few denials now, the chain a tampering or verify
// suite then attacks.
import type { Sql } from '../../src/db/index.ts';
import { openLedger } from '../../src/ledger/index.ts';
import type { AppendedRecord, Signer } from '../../src/ledger/index.ts';

const deny = { decision: { allow: false, reasons: [], obligations: null } };

/** A clock that ticks 1 ms a reading from `at`, and can be set. */
export function settableClock(at: string) {
  let t = Date.parse(at);
  return { now: () => new Date((t += 1)), set: (iso: string) => void (t = Date.parse(iso)) };
}

/** Writes one record at each ts, closes the ledger, returns the records. */
export async function chainAt(sql: Sql, signer: Signer, chain: string, stamps: string[]): Promise<AppendedRecord[]> {
  const clock = settableClock(stamps[0] as string);
  const ledger = await openLedger({ sql, signer, chain, clock });
  const out: AppendedRecord[] = [];
  for (const ts of stamps) {
    clock.set(ts);
    out.push(await ledger.append('decision', `r-${ts}`, deny));
  }
  await ledger.close();
  return out;
}

/** Opens `chain` on the wall clock, appends `count` denials (`r-0`, `r-1`, …) and closes it. */
export async function denials(sql: Sql, signer: Signer, chain: string, count: number): Promise<void> {
  const ledger = await openLedger({ sql, signer, chain, clock: { now: () => new Date() } });
  for (let i = 0; i < count; i++) await ledger.append('decision', `r-${i}`, deny);
  await ledger.close();
}
