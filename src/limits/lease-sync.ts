// One sync statement's two halves, around proctor_limit_sync (leases.ts runs it): the batch (every counter with
// something to write, grant, return, renew or read; those a request waits on first; at most MAX_BATCH) and the
// answer, applied to the counters it named. Invariants: what a batch moves to `sending` is confirmed by the answer or
// put back by restoreBatch (usage is written at least once); settled usage never goes back within a window.
import { LimitsError } from './errors.ts';
import { available, type Counter, type Lease, METRICS, zero } from './lease-state.ts';
import type { Metric, Period } from './scopes.ts';

/** Counters one sync statement carries at most. */
const MAX_BATCH = 2000;

/** proctor_limit_sync's answer (migrations/013_limit_leases.sql). */
export interface SyncRow {
  now_ms: number;
  counters: {
    key: string;
    period: Period;
    window_start_ms: number;
    tokens: number;
    requests: number;
    spend: number;
    leases: { metric: Metric; ok: boolean; granted: number; amount: number; used: number }[];
  }[];
}

/** A counter a batch carries: the leases it resets (at what was in flight) and the grants it asks for. */
export interface Sent {
  c: Counter;
  resets: Partial<Record<Metric, number>>;
  asked: Map<Metric, number>;
}

export interface BatchOptions {
  idleMs: number;
  flushIntervalMs: number;
  ttlSeconds: number;
  refreshMs: number;
  /** The database's clock as this replica estimates it. */
  dbNow: () => number;
  /** Whether a lease is used too little to keep (leases.ts sizes leases). */
  cold: (lease: Lease) => boolean;
  /** Drops a counter no longer in use from the table. */
  forget: (id: string, c: Counter) => void;
}

const inUse = (c: Counter) =>
  c.waiters > 0 ||
  METRICS.some((m) => c.inflight[m] > 0 || c.pending[m] > 0 || c.sending[m] > 0) ||
  METRICS.some((m) => c.pendingLeased[m] > 0 || c.sendingLeased[m] > 0);

/** The next statement's items, taken from `counters` at local time `at`; `more` when some did not fit. */
export function collectBatch(
  counters: ReadonlyMap<string, Counter>,
  at: number,
  o: BatchOptions,
): { items: unknown[]; sent: Sent[]; more: boolean } {
  let more = false;
  const items: unknown[] = [];
  const sent: Sent[] = [];
  // A request waits on a counter new here or a lease it asked for: those go first, and a batch holds at most
  // MAX_BATCH counters (the statement stays well inside its timeout); the rest go in the next sync, at once.
  const waitedOn = (c: Counter) => c.settled === null || METRICS.some((m) => c.leases[m]?.want);
  const first: [string, Counter][] = [];
  const rest: [string, Counter][] = [];
  for (const entry of counters) (waitedOn(entry[1]) ? first : rest).push(entry);
  for (const [id, c] of first.concat(rest)) {
    if (items.length >= MAX_BATCH) {
      more = true;
      break;
    }
    const over = c.windowEnd <= o.dbNow();
    const idle = at - c.lastUsedAt > o.idleMs && c.waiters === 0;
    const leases: Record<string, unknown>[] = [];
    const resets: Partial<Record<Metric, number>> = {};
    const asked = new Map<Metric, number>();
    for (const m of METRICS) {
      const lease = c.leases[m];
      if (!lease) continue;
      const held = lease.amount > 0 || c.inflightLeased[m] > 0;
      // Nothing in flight and not wanted: a window that is over, an idle counter or a cold lease gives its row back
      // (what it settled is added to the counter in the same statement).
      const quiet = at - lease.lastUsedAt >= o.flushIntervalMs && o.cold(lease) && c.waiters === 0;
      if ((over || idle || quiet) && c.inflightLeased[m] === 0 && !lease.want) {
        leases.push({ metric: m, drop: true });
        delete c.leases[m];
        c.pendingLeased[m] = 0;
        continue;
      }
      if ((over || (at - lease.lastUsedAt > o.idleMs && c.waiters === 0)) && available(c, m) > 0) lease.reset = true;
      // Past its local expiry the database may count it no more: it is set again to what is in use.
      if (at >= lease.expiresAt && held) lease.reset = true;
      const renew = lease.expiresAt - at < (o.ttlSeconds * 1000) / 2 && held;
      if (!lease.reset && !lease.want && c.pendingLeased[m] === 0 && !renew) continue;
      const entry: Record<string, unknown> = { metric: m, release: c.pendingLeased[m] };
      if (lease.reset) {
        // Frozen until the answer: nothing more is taken from it while the database sets it to what is in use.
        resets[m] = c.inflightLeased[m];
        entry.reset = c.inflightLeased[m];
        lease.amount = c.inflightLeased[m] + c.pendingLeased[m];
        lease.reset = false;
      }
      if (lease.want && !over) {
        Object.assign(entry, lease.want);
        // A refusal leaves the lease it holds confirmed only under the limit it was confirmed under.
        if (lease.want.limit < lease.limit) lease.confirmed = false;
        // Stricter at once (nothing laxer is taken from it meanwhile); the database records it with the grant.
        lease.limit = lease.want.limit;
        asked.set(m, lease.want.need);
      }
      lease.want = null;
      leases.push(entry);
    }
    const adds = METRICS.some((m) => c.pending[m] > 0);
    const read = c.settled === null || (at - c.readAt > o.refreshMs && at - c.lastUsedAt <= o.refreshMs);
    if (!adds && leases.length === 0 && !read) {
      if ((over || idle) && !inUse(c) && Object.keys(c.leases).length === 0) o.forget(id, c);
      continue;
    }
    for (const m of METRICS) {
      c.sending[m] += c.pending[m];
      c.sendingLeased[m] += c.pendingLeased[m];
    }
    items.push({
      key: c.key,
      period: c.period,
      window_start_ms: c.windowStart,
      ...(adds ? { add: { ...c.pending } } : {}),
      ...(leases.length > 0 ? { leases } : {}),
    });
    c.pending = zero();
    c.pendingLeased = zero();
    sent.push({ c, resets, asked });
  }
  return { items, sent, more };
}

/** After a failed statement: everything it carried is kept for the next sync; a lease that was being reset stays
 * frozen and is reset again. */
export function restoreBatch(sent: readonly Sent[]): void {
  for (const { c, resets } of sent) {
    for (const m of METRICS) {
      c.pending[m] += c.sending[m];
      // A lease dropped in this sync has nothing to release any more.
      if (c.leases[m]) c.pendingLeased[m] += c.sendingLeased[m];
      c.sending[m] = 0;
      c.sendingLeased[m] = 0;
      const lease = c.leases[m];
      if (lease && resets[m] !== undefined) lease.reset = true;
    }
  }
}

/** The answer to a batch: settled usage (never taken back), each lease's amount and expiry, grants and refusals. */
export function applyAnswer(
  sent: readonly Sent[],
  row: SyncRow,
  /** Local times the statement was sent and answered, the lease TTL, and the sync's sequence number. */
  at: { at: number; done: number; ttlSeconds: number; seq: number },
): void {
  const byId = new Map(row.counters.map((r) => [`${r.period}|${Number(r.window_start_ms)}|${r.key}`, r]));
  for (const { c, asked } of sent) {
    const r = byId.get(`${c.period}|${c.windowStart}|${c.key}`);
    if (!r) throw new LimitsError('ERR_LIMITS_UNAVAILABLE', 'the limits store gave an inconsistent answer');
    const settled = { tokens: Number(r.tokens), requests: Number(r.requests), spend: Number(r.spend) };
    // Counters only grow within a window: a read that raced a write never takes the view back.
    c.settled = c.settled
      ? {
          tokens: Math.max(c.settled.tokens, settled.tokens),
          requests: Math.max(c.settled.requests, settled.requests),
          spend: Math.max(c.settled.spend, settled.spend),
        }
      : settled;
    c.readAt = at.done;
    c.sending = zero();
    c.sendingLeased = zero();
    for (const l of r.leases) {
      const lease = c.leases[l.metric];
      if (!lease) continue;
      lease.amount = Number(l.amount);
      lease.used = Number(l.used);
      lease.expiresAt = at.at + at.ttlSeconds * 1000;
      const need = asked.get(l.metric);
      // A refused grant refuses more headroom, not the lease already held: that one stays good while settled usage and
      // every live lease (ours included) are within its limit, so what requests settled here while the grant was asked
      // for (their estimate back in the lease) can still be taken; once the limit is passed, nothing more is.
      if (need !== undefined) lease.confirmed = l.ok === true || (lease.confirmed && Number(l.used) <= lease.limit);
      if (need !== undefined && l.ok !== true) {
        lease.refusedIn = at.seq;
        lease.refusedAt = at.done;
        lease.refusedNeed = need;
        lease.refusedLimit = lease.limit;
      }
    }
  }
}
