// In-process quota leases (migrations/013_limit_leases.sql, docs/limits.md): this replica's share of each limited
// counter's headroom, granted in PostgreSQL and spent here without a statement per request; the counters, the sync
// (one statement in flight at a time; its batch and answer in lease-sync.ts) and lease sizing. Invariants: a request
// is taken only from a live lease of its window granted under a limit no laxer than its own; the database's lease is
// never smaller than what is in use here; a failed sync keeps everything for the next (usage written at least once).
import { randomUUID } from 'node:crypto';
import type { Sql } from '../db/index.ts';
import { LimitsError } from './errors.ts';
import { available, type Counter, type Lease, METRICS, windowOf, zero } from './lease-state.ts';
import { applyAnswer, collectBatch, restoreBatch, type SyncRow } from './lease-sync.ts';
import type { Metric, Period } from './scopes.ts';

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
  /** The counter of the window current at `dbAt` (default: now), created (unread) when new. */
  counter(key: string, period: Period, dbAt?: number): Counter;
  /** Resolves with the sequence number of a sync that started after this call, once it has finished. */
  sync(): Promise<number>;
  /** Whether a grant of at least `deficit` was refused within the last flush interval: refused again without asking,
   * so a caller retrying into a full window costs no statement per request. */
  recentlyRefused(c: Counter, m: Metric, deficit: number, limit: number): boolean;
  /** After a take at local time `at` (default: now): asks ahead for more when the lease runs low (async, in the next
   * sync). */
  refillAhead(c: Counter, m: Metric, at?: number): void;
  /** The amount a grant asks for beyond `need`: about leaseSeconds of the observed rate. */
  blockFor(c: Counter, m: Metric, need: number, at?: number): number;
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

  // A request passes its clock reading to counter(), refillAhead() and blockFor(): a handful of counters and leases
  // each, read once instead of once per call (the clock is a measurable part of the stage's CPU per request).
  function counter(key: string, period: Period, dbAt = dbNow()): Counter {
    const w = currentWindow(period, dbAt);
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
        waiters: 0,
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

  /** One statement: every counter with something to write, grant, return, renew or read (lease-sync.ts). */
  async function syncOnce(n: number): Promise<boolean> {
    const at = o.now();
    const { items, sent, more } = collectBatch(counters, at, { ...o, dbNow, cold, forget });
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
      restoreBatch(sent);
      throw error;
    }
    const done = o.now();
    offset = Number(row.now_ms) - (at + done) / 2;
    applyAnswer(sent, row, { at, done, ttlSeconds: o.ttlSeconds, seq: n });
    return more;
  }

  function blockFor(c: Counter, m: Metric, need: number, at = o.now()): number {
    const lease = c.leases[m];
    const elapsed = Math.max(at - lastTick, o.flushIntervalMs) / 1000;
    const rate = Math.max(lease?.rate ?? 0, (lease?.spent ?? 0) / elapsed);
    return Math.max(need, Math.ceil(rate * o.leaseSeconds));
  }

  const cold = (lease: Lease, at = o.now()) => {
    const elapsed = Math.max(at - lastTick, o.flushIntervalMs) / 1000;
    return Math.max(lease.useRate, lease.uses / elapsed) * o.leaseSeconds < 2;
  };

  function refillAhead(c: Counter, m: Metric, at = o.now()): void {
    const lease = c.leases[m];
    if (!lease || lease.want || lease.reset || cold(lease, at)) return;
    const block = blockFor(c, m, 0, at);
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
