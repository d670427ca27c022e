// What a replica knows of one counter and its leases (leases.ts keeps them in sync with PostgreSQL), and the
// arithmetic on it: usage as this replica sees it, what a lease can still give, and the database's windows. Pure: no
// I/O, no clock of its own.
import { LimitsError } from './errors.ts';
import type { Metric, Period } from './scopes.ts';

export type Amounts = Record<Metric, number>;
export const METRICS: readonly Metric[] = ['tokens', 'requests', 'spend'];
export const zero = (): Amounts => ({ tokens: 0, requests: 0, spend: 0 });

export interface Lease {
  /** Our lease as the database holds it (after the last sync, plus what was granted). */
  amount: number;
  /** The limit it was granted under: requests under a stricter one ask the database first. */
  limit: number;
  /** Local clock: past this, nothing more is taken from it (the database's expiry is later). */
  expiresAt: number;
  /** Settled usage plus every replica's live lease at the last sync (for a refusal's `used`). */
  used: number;
  /** Spent since the last tick, and the smoothed rate (per second) lease sizes follow. */
  spent: number;
  rate: number;
  /** Requests taken from it since the last tick, and their smoothed rate (per second): a lease used less than
   * twice a lease period is cold, never refilled ahead and given back at the first sync with nothing in flight. */
  uses: number;
  useRate: number;
  lastUsedAt: number;
  /** The next sync sets the database's lease to what is in use (a return, a renewal after expiry, a new limit). */
  reset: boolean;
  /** A grant asked for in the next sync: at least `need`, at most `block`, under `limit`. */
  want: { need: number; block: number; limit: number } | null;
  /** The database confirmed, at the last grant, that this lease fits under `limit` with every other one; false until
   * then, while a grant under a stricter limit is asked for, and after a refusal that found the limit passed (a
   * refusal of more headroom within the limit keeps the lease held). Only a confirmed lease is taken from. */
  confirmed: boolean;
  /** The sync in which a grant was last refused, when (local clock) and for how much at least. */
  refusedIn: number;
  refusedAt: number;
  refusedNeed: number;
  refusedLimit: number;
}

/** One counter (scope, period, window) as this replica sees it. */
export interface Counter {
  readonly key: string;
  readonly period: Period;
  readonly windowStart: number;
  readonly windowEnd: number;
  /** Settled usage as last read from the database; null until the first sync that names this counter. */
  settled: Amounts | null;
  readAt: number;
  /** Reserved and not yet settled: all of it, and the part taken from leases. */
  inflight: Amounts;
  inflightLeased: Amounts;
  /** Settled here, not yet written (`pending`), and being written by the sync in flight (`sending`); the `*Leased`
   * parts are moved out of this replica's leases when written. */
  pending: Amounts;
  pendingLeased: Amounts;
  sending: Amounts;
  sendingLeased: Amounts;
  leases: Partial<Record<Metric, Lease>>;
  lastUsedAt: number;
  /** Requests waiting on a sync for this counter (acquire.ts): it is in use, and none of its leases is idle, however
   * short leases.idleMs is (0: headroom goes back at the first sync nobody waits on it, never before it is taken). */
  waiters: number;
}

/** Usage as this replica sees it: settled as last read, plus what it has settled, sent and reserved since. */
export function viewOf(c: Counter, m: Metric): number {
  return (c.settled?.[m] ?? 0) + c.pending[m] + c.sending[m] + c.inflight[m];
}

/** What a lease can still give: its amount less what is reserved from it or settled and not yet written. */
export function available(c: Counter, m: Metric): number {
  const lease = c.leases[m];
  if (!lease) return 0;
  return lease.amount - c.inflightLeased[m] - c.pendingLeased[m] - c.sendingLeased[m];
}

/** What a lease will give after the next sync has moved what is settled out of it (the database clamps at zero: an
 * overdraft is settled usage, not a debt of the lease). */
export function availableAfterSync(c: Counter, m: Metric): number {
  const lease = c.leases[m];
  if (!lease) return 0;
  return Math.max(0, lease.amount - c.pendingLeased[m] - c.sendingLeased[m]) - c.inflightLeased[m];
}

export function windowOf(period: Period, at: number): { start: number; end: number } {
  const d = new Date(at);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  switch (period) {
    case 'minute': {
      const start = Math.floor(at / 60_000) * 60_000;
      return { start, end: start + 60_000 };
    }
    case 'day': {
      const start = Date.UTC(y, mo, d.getUTCDate());
      return { start, end: Date.UTC(y, mo, d.getUTCDate() + 1) };
    }
    case 'month':
      return { start: Date.UTC(y, mo, 1), end: Date.UTC(y, mo + 1, 1) };
    default:
      throw new LimitsError('ERR_LIMITS_INVALID', `unknown period ${String(period)}`);
  }
}
