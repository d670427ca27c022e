// Which counters a request touches: the decision's limits (its four top-level fields are the subject's; `scoped`
// entries name group, tenant or client limits) and the configured defaults, resolved against the principal.
// Invariants: the subject's minute/day/month counters are always touched (they feed the policy's usage block); where
// several sources limit the same counter the strictest value wins; keys are unambiguous JSON arrays.
import { LimitsError } from './errors.ts';

export type Scope = 'subject' | 'group' | 'tenant' | 'client';
/** Request counters of MCP calls (docs/mcp.md): a server or one of its tools, for every caller together or for each
 * caller (`_subject`). Never in a decision's `scoped` limits: the MCP proxy names them (Limiter.reserveRequests). */
export type McpScope = 'mcp_server' | 'mcp_tool' | 'mcp_server_subject' | 'mcp_tool_subject';
/** What a counter and an applied limit name as their scope. */
export type CounterScope = Scope | McpScope;
export type Period = 'minute' | 'day' | 'month';
export type Metric = 'tokens' | 'requests' | 'spend';

/** The four limits; null or absent = unlimited. */
export interface LimitValues {
  tokens_per_minute?: number | null;
  requests_per_minute?: number | null;
  spend_micro_usd_per_day?: number | null;
  spend_micro_usd_per_month?: number | null;
}

/**
 * A limit on one scope. `name` picks the bucket: for a group it is the group (absent: each of the principal's groups
 * separately); for a tenant or client it overrides the principal's own value (absent: the principal's).
 */
export interface ScopedLimit extends LimitValues {
  scope: Scope;
  name?: string;
}

/** obligations.limits of policy-decision.v1: the subject's limits, plus optional scoped entries. */
export interface DecisionLimits extends LimitValues {
  scoped?: ScopedLimit[];
}

export interface LimitPrincipal {
  iss: string;
  sub: string;
  client_id: string | null;
  groups: readonly string[];
  tenant: string | null;
}

/** One counter to reserve against: a scope's bucket in one window kind, with its limits per metric. */
export interface CounterSpec {
  key: string;
  scope: CounterScope;
  /** The bucket's name for records: the group, tenant or client id; the subject's `sub`. */
  name: string;
  period: Period;
  limits: Record<Metric, number | null>;
}

const PERIOD_FIELDS = {
  minute: { tokens: 'tokens_per_minute', requests: 'requests_per_minute', spend: null },
  day: { tokens: null, requests: null, spend: 'spend_micro_usd_per_day' },
  month: { tokens: null, requests: null, spend: 'spend_micro_usd_per_month' },
} as const satisfies Record<Period, Record<Metric, keyof LimitValues | null>>;

export const PERIODS: readonly Period[] = ['minute', 'day', 'month'];

/** The subject's counter key. Built each time, not remembered per principal object: the identity cache hands each
 * request a copy of its principal, so a WeakMap of them only ever missed, and cost more than the JSON it saved. */
export function subjectKey(principal: Pick<LimitPrincipal, 'iss' | 'sub'>): string {
  return JSON.stringify(['subject', principal.iss, principal.sub]);
}

interface Bucket {
  key: string;
  scope: Scope;
  name: string;
  values: LimitValues[];
}

/**
 * Resolves every applicable limit into counters. A decision's tenant or client entry for a principal that has no
 * tenant or client id fails closed (ERR_LIMIT_SCOPE_UNRESOLVED); a configured default simply does not apply to it.
 */
export function resolveCounters(
  principal: LimitPrincipal,
  decision: DecisionLimits | null,
  defaults: readonly ScopedLimit[],
): CounterSpec[] {
  const buckets = new Map<string, Bucket>();
  const add = (scope: Scope, key: string, name: string, values: LimitValues | null) => {
    const bucket = buckets.get(key) ?? { key, scope, name, values: [] };
    if (values) bucket.values.push(values);
    buckets.set(key, bucket);
  };
  add('subject', subjectKey(principal), principal.sub, decision);
  const place = (limit: ScopedLimit, fromDecision: boolean) => {
    switch (limit.scope) {
      case 'subject':
        add('subject', subjectKey(principal), principal.sub, limit);
        return;
      case 'group': {
        const groups = limit.name !== undefined ? [limit.name] : principal.groups;
        for (const group of groups) {
          // A configured default for a named group applies to its members only; the policy may name any group.
          if (!fromDecision && limit.name !== undefined && !principal.groups.includes(group)) continue;
          add('group', JSON.stringify(['group', group]), group, limit);
        }
        return;
      }
      case 'tenant':
      case 'client': {
        const own = limit.scope === 'tenant' ? principal.tenant : principal.client_id;
        const name = limit.name ?? own;
        if (name === null) {
          if (fromDecision)
            throw new LimitsError(
              'ERR_LIMIT_SCOPE_UNRESOLVED',
              `the policy set a ${limit.scope} limit, ` +
                `but the caller has no ${limit.scope === 'tenant' ? 'tenant' : 'client id'}`,
            );
          return;
        }
        // Clients are named by their issuer too; tenants and groups are deployment-wide names.
        add(
          limit.scope,
          JSON.stringify(limit.scope === 'client' ? ['client', principal.iss, name] : ['tenant', name]),
          name,
          limit,
        );
        return;
      }
      default:
        throw new LimitsError(
          'ERR_LIMITS_INVALID',
          `unknown limit scope ${String((limit as { scope: unknown }).scope)}`,
        );
    }
  };
  for (const limit of decision?.scoped ?? []) place(limit, true);
  for (const limit of defaults) place(limit, false);

  const counters: CounterSpec[] = [];
  for (const bucket of buckets.values()) {
    for (const period of PERIODS) {
      const limits = {
        tokens: strictest(bucket.values, PERIOD_FIELDS[period].tokens),
        requests: strictest(bucket.values, PERIOD_FIELDS[period].requests),
        spend: strictest(bucket.values, PERIOD_FIELDS[period].spend),
      };
      const limited = limits.tokens !== null || limits.requests !== null || limits.spend !== null;
      if (limited || bucket.scope === 'subject')
        counters.push({ key: bucket.key, scope: bucket.scope, name: bucket.name, period, limits });
    }
  }
  return counters;
}

/** The subject's requests per minute from the configured defaults alone (what admission enforces before the policy
 * decides): the strictest `subject` default, as resolveCounters gives it for a decision without limits. */
export function subjectDefaultRequestsPerMinute(defaults: readonly ScopedLimit[]): number | null {
  return strictest(
    defaults.filter((d) => d.scope === 'subject'),
    'requests_per_minute',
  );
}

function strictest(values: readonly LimitValues[], field: keyof LimitValues | null): number | null {
  if (field === null) return null;
  let min: number | null = null;
  for (const v of values) {
    const limit = v[field];
    if (limit === null || limit === undefined) continue;
    if (!Number.isSafeInteger(limit) || limit < 0)
      throw new LimitsError('ERR_LIMITS_INVALID', `${field} must be a non-negative safe integer`);
    min = min === null ? limit : Math.min(min, limit);
  }
  return min;
}
