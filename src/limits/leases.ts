// In-process quota leases (migrations/013_limit_leases.sql, docs/limits.md): this replica's share of each limited
// counter's headroom, granted in PostgreSQL, spent here without a statement per request. Invariants: a request is
// taken from a lease only while the lease is live (not past its local expiry), in its window, granted under a limit no
// laxer than the request's, and holds the whole amount; one sync statement is in flight at a time, and it carries
// every settlement not yet written, every grant asked for and every return, so the database's lease is never smaller
// than what is in use here. A failed sync keeps everything in memory for the next one (usage is written at least once).
import { randomUUID } from 'node:crypto';
import type { Sql } from '../db/index.ts';
import { LimitsError } from './errors.ts';
import { available, type Counter, type Lease, METRICS, windowOf, zero } from './lease-state.ts';
import type { Metric, Period } from './scopes.ts';

/** Counters one sync statement carries at most. */
const MAX_BATCH = 2000;

export interface LeaseTableOptions {
  sql: Sql;
  /** Lease lifetime in the database (a crashed replica's leases count until then). */
  ttlSeconds: number;
  now: () => number;
  /** Settlements are written at least this often; leases are sized, returned when idle and renewed on this tick. */
  flushIntervalMs: number;
  /** Lease size: about this much of the observed rate. */
  leaseSeconds: number;
  /** A lease not used for this long gives its headroom back; a counter not used for longer is forgotten. */
  idleMs: number;
  /** Settled usage of a counter in use is re-read at least this often (the policy's usage view). */
  refreshMs: number;
  onError: (error: unknown) => void;
}

interface SyncRow {
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

interface Deferred {
  seq: number;
  promise: Promise<number>;
  resolve: (seq: number) => void;
  reject: (error: unknown) => void;
}

export interface LeaseTable {
  readonly holder: string;
  /** The local clock (injected). */
  now(): number;
  /** The database's clock, as this replica estimates it (windows are the database's). */
  dbNow(): number;
  /** The counter of the current window, created (unread) when new. */
  counter(key: string, period: Period): Counter;
  /** Resolves with the sequence number of a sync that started after this call, once it has finished. */
  sync(): Promise<number>;
  /** Whether a grant of at least `deficit` was refused within the last flush interval: refused again without asking,
   * so a caller retrying into a full window costs no statement per request. */
  recentlyRefused(c: Counter, m: Metric, deficit: number, limit: number): boolean;
  /** After a take: asks ahead for more when the lease runs low (async, in the next sync). */
  refillAhead(c: Counter, m: Metric): void;
  /** The amount a grant asks for beyond `need`: about leaseSeconds of the observed rate. */
  blockFor(c: Counter, m: Metric, need: number): number;
  /** Writes everything, returns every lease and stops the tick. */
  close(): Promise<void>;
  readonly closed: boolean;
}

export function createLeaseTable(o: LeaseTableOptions): LeaseTable {
  const holder = randomUUID();
  const counters = new Map<string, Counter>();
  let offset = 0;
  let seq = 0;
  let next: Deferred | null = null;
  let running = false;
  let closed = false;
  let lastTick = o.now();
  let lastHousekeep = o.now();
  const dbNow = () => o.now() + offset;

  // The current window of each period, computed again only when the clock leaves it (windowOf builds a Date).
  const windows = new Map<Period, { start: number; end: number }>();
  const currentWindow = (period: Period, at: number) => {
    const cached = windows.get(period);
    if (cached && at >= cached.start && at < cached.end) return cached;
    const w = windowOf(period, at);
    windows.set(period, w);
    return w;
  };

  // Each key's counter of the current window per period, so a request finds its counters without building their ids.
  const current = new Map<string, Partial<Record<Period, Counter>>>();

  function forget(id: string, c: Counter): void {
    counters.delete(id);
    const mine = current.get(c.key);
    if (mine?.[c.period] !== c) return;
    delete mine[c.period];
    if (Object.keys(mine).length === 0) current.delete(c.key);
  }

  function counter(key: string, period: Period): Counter {
    const w = currentWindow(period, dbNow());
    const mine = current.get(key);
    const known = mine?.[period];
    if (known && known.windowStart === w.start) return known;
    const id = `${period}|${w.start}|${key}`;
    let c = counters.get(id);
    if (!c) {
      c = {
        key,
        period,
        windowStart: w.start,
        windowEnd: w.end,
        settled: null,
        readAt: Number.NEGATIVE_INFINITY,
        inflight: zero(),
        inflightLeased: zero(),
        pending: zero(),
        pendingLeased: zero(),
        sending: zero(),
        sendingLeased: zero(),
        leases: {},
        lastUsedAt: o.now(),
      };
      counters.set(id, c);
    }
    if (mine) mine[period] = c;
    else current.set(key, { [period]: c });
    return c;
  }

  function sync(): Promise<number> {
    if (closed) return Promise.reject(new LimitsError('ERR_LIMITS_UNAVAILABLE', 'the limiter is closed'));
    if (!next) {
      let resolve!: (n: number) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<number>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      seq += 1;
      next = { seq, promise, resolve, reject };
      // Not unhandled when only the tick asked for it.
      promise.catch(() => {});
      if (!running) setImmediate(run);
    }
    return next.promise;
  }

  async function run(): Promise<void> {
    if (running) return;
    running = true;
    try {
      while (next) {
        const current = next;
        next = null;
        try {
          if (await syncOnce(current.seq)) sync().catch(o.onError);
          current.resolve(current.seq);
        } catch (error) {
          current.reject(
            new LimitsError('ERR_LIMITS_UNAVAILABLE', 'the limits store is unavailable', { cause: error }),
          );
        }
      }
    } finally {
      running = false;
    }
  }

  const inUse = (c: Counter) =>
    METRICS.some((m) => c.inflight[m] > 0 || c.pending[m] > 0 || c.sending[m] > 0) ||
    METRICS.some((m) => c.pendingLeased[m] > 0 || c.sendingLeased[m] > 0);

  /** One statement: every counter with something to write, grant, return, renew or read. */
  async function syncOnce(n: number): Promise<boolean> {
    const at = o.now();
    let more = false;
    const items: unknown[] = [];
    const sent: { c: Counter; resets: Partial<Record<Metric, number>>; asked: Map<Metric, number> }[] = [];
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
      const over = c.windowEnd <= dbNow();
      const idle = at - c.lastUsedAt > o.idleMs;
      const leases: Record<string, unknown>[] = [];
      const resets: Partial<Record<Metric, number>> = {};
      const asked = new Map<Metric, number>();
      for (const m of METRICS) {
        const lease = c.leases[m];
        if (!lease) continue;
        const held = lease.amount > 0 || c.inflightLeased[m] > 0;
        // Nothing in flight and not wanted: a window that is over, an idle counter or a cold lease gives its row back
        // (what it settled is added to the counter in the same statement).
        const quiet = at - lease.lastUsedAt >= o.flushIntervalMs && cold(lease);
        if ((over || idle || quiet) && c.inflightLeased[m] === 0 && !lease.want) {
          leases.push({ metric: m, drop: true });
          delete c.leases[m];
          c.pendingLeased[m] = 0;
          continue;
        }
        if ((over || at - lease.lastUsedAt > o.idleMs) && available(c, m) > 0) lease.reset = true;
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
        if ((over || idle) && !inUse(c) && Object.keys(c.leases).length === 0) forget(id, c);
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
    if (items.length === 0) return false;
    let row: SyncRow;
    try {
      const { rows } = await o.sql.query<{ v: SyncRow }>('SELECT proctor_limit_sync($1, $2, $3::jsonb) AS v', [
        holder,
        o.ttlSeconds,
        JSON.stringify(items),
      ]);
      row = rows[0]?.v as SyncRow;
      if (!row) throw new LimitsError('ERR_LIMITS_UNAVAILABLE', 'the limits store gave no answer');
    } catch (error) {
      // Kept for the next sync; a lease that was being reset stays frozen and is reset again.
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
      throw error;
    }
    const done = o.now();
    offset = Number(row.now_ms) - (at + done) / 2;
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
      c.readAt = done;
      c.sending = zero();
      c.sendingLeased = zero();
      for (const l of r.leases) {
        const lease = c.leases[l.metric];
        if (!lease) continue;
        lease.amount = Number(l.amount);
        lease.used = Number(l.used);
        lease.expiresAt = at + o.ttlSeconds * 1000;
        const need = asked.get(l.metric);
        // A refused grant refuses more headroom, not the lease already held: that one stays good while settled usage
        // and every live lease (ours included) are within its limit, so what requests settled here while the grant
        // was asked for (their estimate back in the lease) can still be taken; once the limit is passed, nothing more is.
        if (need !== undefined) lease.confirmed = l.ok === true || (lease.confirmed && Number(l.used) <= lease.limit);
        if (need !== undefined && l.ok !== true) {
          lease.refusedIn = n;
          lease.refusedAt = done;
          lease.refusedNeed = need;
          lease.refusedLimit = lease.limit;
        }
      }
    }
    return more;
  }

  function blockFor(c: Counter, m: Metric, need: number): number {
    const lease = c.leases[m];
    const elapsed = Math.max(o.now() - lastTick, o.flushIntervalMs) / 1000;
    const rate = Math.max(lease?.rate ?? 0, (lease?.spent ?? 0) / elapsed);
    return Math.max(need, Math.ceil(rate * o.leaseSeconds));
  }

  const cold = (lease: Lease) => {
    const elapsed = Math.max(o.now() - lastTick, o.flushIntervalMs) / 1000;
    return Math.max(lease.useRate, lease.uses / elapsed) * o.leaseSeconds < 2;
  };

  function refillAhead(c: Counter, m: Metric): void {
    const lease = c.leases[m];
    if (!lease || lease.want || lease.reset || cold(lease)) return;
    const block = blockFor(c, m, 0);
    if (available(c, m) >= block / 4) return;
    lease.want = { need: 0, block, limit: lease.limit };
    sync().catch(o.onError);
  }

  const tick = setInterval(() => {
    const at = o.now();
    const dt = Math.max(1, at - lastTick) / 1000;
    lastTick = at;
    for (const c of counters.values()) {
      for (const m of METRICS) {
        const lease = c.leases[m];
        if (!lease) continue;
        lease.rate = lease.rate / 2 + lease.spent / dt / 2;
        lease.spent = 0;
        lease.useRate = lease.useRate / 2 + lease.uses / dt / 2;
        lease.uses = 0;
      }
    }
    const chores: Promise<unknown>[] = [sync()];
    if (at - lastHousekeep > 60_000) {
      lastHousekeep = at;
      chores.push(o.sql.query('SELECT proctor_limit_housekeep()'));
    }
    for (const p of chores) p.catch(o.onError);
  }, o.flushIntervalMs);
  tick.unref();

  function recentlyRefused(c: Counter, m: Metric, deficit: number, limit: number): boolean {
    const lease = c.leases[m];
    if (!lease || o.now() - lease.refusedAt >= o.flushIntervalMs) return false;
    return deficit >= lease.refusedNeed && limit <= lease.refusedLimit;
  }

  return {
    holder,
    recentlyRefused,
    now: o.now,
    dbNow,
    counter,
    sync,
    refillAhead,
    blockFor,
    get closed() {
      return closed;
    },
    async close() {
      if (closed) return;
      clearInterval(tick);
      // Everything unused goes back; what is still in flight stays leased until it expires.
      for (const c of counters.values()) {
        c.lastUsedAt = Number.NEGATIVE_INFINITY;
        for (const lease of Object.values(c.leases)) lease.lastUsedAt = Number.NEGATIVE_INFINITY;
      }
      try {
        await sync();
        await sync();
      } finally {
        closed = true;
      }
    },
  };
}
