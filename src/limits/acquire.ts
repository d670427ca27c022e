// Taking a request's amounts from the counters it touches, all or nothing, against this replica's leases
// (leases.ts). Invariants: a limited metric is taken only from a live lease of the current window granted under a
// limit no laxer than the request's; when one cannot be, a grant is asked for in the next sync and the request waits
// for it; a request is refused (LimitExceeded) only after the database refused a grant it needed, or after a few
// grants it needed were spent by others first. A statement runs only when a counter is new here or a lease is short.
import { LimitsError } from './errors.ts';
import type { CounterState } from './headers.ts';
import { type Amounts, available, availableAfterSync, type Counter, METRICS, viewOf } from './lease-state.ts';
import type { LeaseTable } from './leases.ts';
import type { CounterSpec, Metric } from './scopes.ts';

/** One counter a request touches: the amounts it takes and the limits they are checked against. */
export interface Demand {
  spec: CounterSpec;
  amounts: Amounts;
  limits: Record<Metric, number | null>;
}

/** What a request holds on one counter until it is settled. */
export interface Held {
  counter: Counter;
  amounts: Amounts;
  leased: Record<Metric, boolean>;
}

export interface JoinedState extends CounterState {
  spec: CounterSpec;
  window_start_ms: number;
}

/** A demand that could not be met: which counter and metric, and the usage it was refused at. */
export interface Shortfall {
  state: JoinedState;
  metric: Metric;
  limit: number;
  used: number;
  requested: number;
}

/** Grants a request may wait for before it is refused although none was refused (others spent them first). */
const MAX_ROUNDS = 4;
/** Syncs a request may wait for its counters to be read (each sync reads up to a batch of them). */
const MAX_READ_ROUNDS = 16;

export async function acquire(
  table: LeaseTable,
  demands: readonly Demand[],
  refuse: (short: Shortfall, states: JoinedState[]) => never,
): Promise<{ held: Held[]; states: JoinedState[] }> {
  if (table.closed) throw new LimitsError('ERR_LIMITS_UNAVAILABLE', 'the limiter is closed');
  let waited: number | null = null;
  for (let round = 0; ; round += 1) {
    const now = table.now();
    const dbAt = table.dbNow();
    const counters = demands.map((d) => table.counter(d.spec.key, d.spec.period, dbAt));
    const short: { i: number; metric: Metric; deficit: number }[] = [];
    demands.forEach((d, i) => {
      const c = counters[i] as Counter;
      for (const m of METRICS) {
        const limit = d.limits[m];
        if (limit === null) continue;
        const lease = c.leases[m];
        const room = available(c, m);
        if (lease?.confirmed && now < lease.expiresAt && lease.limit <= limit && room >= d.amounts[m]) continue;
        short.push({ i, metric: m, deficit: Math.max(0, d.amounts[m] - availableAfterSync(c, m)) });
      }
    });
    // A counter new here is read in the same sync that asks for its leases.
    if (counters.some((c) => c.settled === null)) {
      // Syncs carry a bounded batch, the waited-on first: a burst of new counters may take a few.
      if (round >= MAX_READ_ROUNDS) throw new LimitsError('ERR_LIMITS_UNAVAILABLE', 'the limits store gave no usage');
      for (const s of short) ask(table, counters[s.i] as Counter, s.metric, (demands[s.i] as Demand).limits, s.deficit);
      waited = await waitFor(table, counters);
      continue;
    }
    if (short.length === 0) return { held: take(table, demands, counters), states: statesOf(table, demands, counters) };
    const refused = short.find(
      (s) =>
        (waited !== null && counters[s.i]?.leases[s.metric]?.refusedIn === waited) ||
        table.recentlyRefused(
          counters[s.i] as Counter,
          s.metric,
          s.deficit,
          (demands[s.i] as Demand).limits[s.metric] as number,
        ),
    );
    if (refused || round >= MAX_ROUNDS) {
      const s = refused ?? (short[0] as (typeof short)[number]);
      const states = statesOf(table, demands, counters, true);
      const d = demands[s.i] as Demand;
      const state = states[s.i] as JoinedState;
      refuse(
        {
          state,
          metric: s.metric,
          limit: d.limits[s.metric] as number,
          used: usedOf(state, s.metric),
          requested: d.amounts[s.metric],
        },
        states,
      );
    }
    for (const s of short) ask(table, counters[s.i] as Counter, s.metric, (demands[s.i] as Demand).limits, s.deficit);
    waited = await waitFor(table, counters);
  }
}

/** The next sync, with `counters` marked as waited on meanwhile: what it reads and grants is not given back as idle
 * before this request has taken it (leases.idleMs may be shorter than a sync, or 0). */
async function waitFor(table: LeaseTable, counters: readonly Counter[]): Promise<number> {
  for (const c of counters) c.waiters += 1;
  try {
    return await table.sync();
  } finally {
    for (const c of counters) c.waiters -= 1;
  }
}

/** Registers a grant for the next sync: the smallest deficit among its waiters as the minimum, the sum as a block. */
function ask(table: LeaseTable, c: Counter, m: Metric, limits: Record<Metric, number | null>, deficit: number): void {
  const limit = limits[m] as number;
  let lease = c.leases[m];
  if (!lease) {
    lease = {
      amount: 0,
      limit,
      expiresAt: 0,
      used: 0,
      spent: 0,
      rate: 0,
      uses: 0,
      useRate: 0,
      lastUsedAt: table.now(),
      reset: false,
      want: null,
      confirmed: false,
      refusedIn: -1,
      refusedAt: Number.NEGATIVE_INFINITY,
      refusedNeed: 0,
      refusedLimit: 0,
    };
    c.leases[m] = lease;
  }
  // Under a stricter limit than it was granted under, the unused rest goes back before the database checks again.
  if (lease.limit > limit && available(c, m) > 0) lease.reset = true;
  const want = lease.want;
  const need = want && want.need > 0 ? Math.min(want.need, deficit) : deficit;
  const block = Math.max((want?.block ?? 0) + deficit, table.blockFor(c, m, deficit));
  lease.want = { need, block, limit: Math.min(want?.limit ?? limit, limit) };
}

function take(table: LeaseTable, demands: readonly Demand[], counters: readonly Counter[]): Held[] {
  const now = table.now();
  return demands.map((d, i) => {
    const c = counters[i] as Counter;
    c.lastUsedAt = now;
    const leased = { tokens: false, requests: false, spend: false };
    for (const m of METRICS) {
      c.inflight[m] += d.amounts[m];
      // An unlimited amount on a counter another request leases is taken from that lease too (it may overdraw it):
      // the limited requests after it are checked against usage that includes it, as if it were in the database.
      const lease = c.leases[m];
      if (d.limits[m] === null && !(lease && now < lease.expiresAt)) continue;
      leased[m] = true;
      c.inflightLeased[m] += d.amounts[m];
      if (!lease) continue;
      lease.spent += d.amounts[m];
      lease.uses += 1;
      lease.lastUsedAt = now;
      table.refillAhead(c, m, now);
    }
    return { counter: c, amounts: { ...d.amounts }, leased };
  });
}

/** Ends a hold with the actual amounts: the estimate leaves the lease, the actual usage waits for the next sync. */
export function release(table: LeaseTable, held: readonly Held[], actual: (h: Held) => Amounts): void {
  const now = table.now();
  for (const h of held) {
    const c = h.counter;
    const used = actual(h);
    c.lastUsedAt = now;
    for (const m of METRICS) {
      c.inflight[m] -= h.amounts[m];
      c.pending[m] += used[m];
      if (!h.leased[m]) continue;
      c.inflightLeased[m] -= h.amounts[m];
      c.pendingLeased[m] += used[m];
    }
  }
}

/**
 * Each counter's usage as this replica sees it, for headers and records. A refusal (`refused`) reports at least what
 * the database counted at the last sync (settled plus every replica's lease, less this one's unused part).
 */
export function statesOf(
  table: LeaseTable,
  demands: readonly Demand[],
  counters: readonly Counter[],
  refused = false,
): JoinedState[] {
  const now = table.dbNow();
  return demands.map((d, i) => {
    const c = counters[i] as Counter;
    const used = (m: Metric) => {
      const lease = c.leases[m];
      const counted = refused && lease ? lease.used - Math.max(0, available(c, m)) : 0;
      return Math.max(viewOf(c, m), counted);
    };
    return {
      key: c.key,
      period: c.period,
      reset_ms: Math.max(0, c.windowEnd - now),
      used_tokens: used('tokens'),
      used_requests: used('requests'),
      used_spend: used('spend'),
      limits: d.limits,
      spec: d.spec,
      window_start_ms: c.windowStart,
    };
  });
}

export function usedOf(state: CounterState, metric: Metric): number {
  return metric === 'tokens' ? state.used_tokens : metric === 'requests' ? state.used_requests : state.used_spend;
}
