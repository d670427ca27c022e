// Which ledger keys may have signed a packet's records and checkpoints, per chain and position: the keys pinned out
// of band, plus keys a trusted key rotated in. A key_rotated record at seq s whose recomputed hash is its `hash`,
// whose signature verifies under a key trusted (and not retired) at s, and whose counter-signature holds
// (rotatedKey) trusts the new key for that chain's records with seq > s and its checkpoints of tree size > s (the
// trees that hold the rotation), and retires the old key for records after s: what `proctor verify --db` does.
// Key material a packet carries (keyring.json, a rotation's new_public_key) MUST NOT make a key trusted on its own.
import type { KeyObject } from 'node:crypto';
import { recomputeHash, rotatedKey, signatureValid } from '../ledger/index.ts';
import type { JsonValue } from '../ledger/index.ts';
import type { Findings, PacketRecord } from './packet-files.ts';

/** What a record's kid means at its position: a key to check its signature with, or why there is none. */
export type KeyVerdict =
  | { kind: 'trusted'; key: KeyObject }
  /** Retired by the key_rotated record at `by`. */
  | { kind: 'retired'; by: number }
  /** Not trusted here; `from` is the seq of a later rotation of this chain that trusts it for records after it. */
  | { kind: 'untrusted'; from: number | null };

/** The keys of one chain from position `after` + 1 on (until the next epoch). */
interface Epoch {
  after: number;
  trusted: ReadonlySet<string>;
  retired: ReadonlyMap<string, number>;
}

export class PacketKeyTrust {
  private readonly material = new Map<string, KeyObject>();
  private readonly base: Epoch;
  private readonly chains = new Map<string, Epoch[]>();

  /** `pinned` maps kid to key; rotations are read from `records` (any order) and KEY_ROTATION_INVALID logged. */
  constructor(pinned: ReadonlyMap<string, KeyObject>, records: readonly PacketRecord[], log: Findings) {
    for (const [kid, key] of pinned) this.material.set(kid, key);
    this.base = { after: Number.NEGATIVE_INFINITY, trusted: new Set(pinned.keys()), retired: new Map() };
    if (pinned.size === 0) return;
    for (const [chain, rotations] of rotationsByChain(records))
      this.chains.set(chain, this.follow(chain, rotations, log));
  }

  /** Whether any key is pinned (without, nothing is checked: VERIFY_NO_TRUSTED_KEY). */
  get any(): boolean {
    return this.base.trusted.size > 0;
  }

  forRecord(chain: string, seq: number | null, kid: string): KeyVerdict {
    const epochs = this.chains.get(chain) ?? [this.base];
    const at = seq === null ? this.base : epochAt(epochs, seq);
    const by = at.retired.get(kid);
    if (by !== undefined) return { kind: 'retired', by };
    const key = at.trusted.has(kid) ? this.material.get(kid) : undefined;
    if (key !== undefined) return { kind: 'trusted', key };
    const later = seq === null ? undefined : epochs.find((e) => e.after >= seq && e.trusted.has(kid));
    return { kind: 'untrusted', from: later === undefined ? null : later.after };
  }

  /** Keys that may sign the chain's checkpoint of `treeSize` (leaves 0..treeSize-1). A retired key still may, as
   * with `proctor verify --db`: a checkpoint only vouches for records, and those are judged by their own signers. */
  forCheckpoint(chain: string, treeSize: number): KeyObject[] {
    const at = epochAt(this.chains.get(chain) ?? [this.base], treeSize);
    return [...at.trusted].flatMap((kid) => {
      const key = this.material.get(kid);
      return key === undefined ? [] : [key];
    });
  }

  private follow(chain: string, rotations: Map<number, Record<string, JsonValue>[]>, log: Findings): Epoch[] {
    const epochs: Epoch[] = [this.base];
    for (const [seq, candidates] of [...rotations].sort(([a], [b]) => a - b)) {
      // Two different records at one position (RECORD_DUPLICATE): neither introduces a key.
      if (new Set(candidates.map((r) => Buffer.from(recomputeHash(r)).toString('hex'))).size !== 1) continue;
      const record = candidates[0] as Record<string, JsonValue>;
      const at = epochs[epochs.length - 1] as Epoch;
      const kid = typeof record.kid === 'string' ? record.kid : null;
      const key = kid === null || at.retired.has(kid) || !at.trusted.has(kid) ? undefined : this.material.get(kid);
      const hash = recomputeHash(record);
      // An untrusted signer, a bad hash or a bad signature is reported on the record itself; it introduces nothing.
      if (
        key === undefined ||
        record.hash !== Buffer.from(hash).toString('hex') ||
        typeof record.sig !== 'string' ||
        !signatureValid(hash, record.sig, key)
      )
        continue;
      const next = rotatedKey(record);
      if (next === null) {
        log.add(
          'KEY_ROTATION_INVALID',
          chain,
          seq,
          'the key_rotated record is not counter-signed by the key it names; that key is not trusted',
        );
        continue;
      }
      if (!this.material.has(next.kid)) this.material.set(next.kid, next.key);
      epochs.push({
        after: seq,
        trusted: new Set([...at.trusted, next.kid]),
        retired: new Map([...at.retired, [kid as string, seq]]),
      });
    }
    return epochs;
  }
}

/** The epoch in force at `position`: the last one that began before it (epochs sorted by `after`, few). */
function epochAt(epochs: readonly Epoch[], position: number): Epoch {
  let found = epochs[0] as Epoch;
  for (const e of epochs) {
    if (e.after < position) found = e;
    else break;
  }
  return found;
}

function rotationsByChain(records: readonly PacketRecord[]): Map<string, Map<number, Record<string, JsonValue>[]>> {
  const out = new Map<string, Map<number, Record<string, JsonValue>[]>>();
  for (const { record } of records) {
    if (record.type !== 'key_rotated' || typeof record.chain !== 'string') continue;
    const seq = record.seq;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) continue;
    const chain = out.get(record.chain) ?? new Map<number, Record<string, JsonValue>[]>();
    out.set(record.chain, chain);
    const list = chain.get(seq);
    if (list) list.push(record);
    else chain.set(seq, [record]);
  }
  return out;
}
