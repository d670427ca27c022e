// The limits stage of an MCP call (docs/mcp.md#limits), on the LLM APIs' one Limiter: admit (one request on the
// subject's minute counter, the same one the LLM APIs count on, whatever becomes of the call) → reserve one request
// on the subject's counters (the decision's request limits) and on the server's and tool's counters (configuration,
// per caller or for everyone) → settle one request, no tokens, cost 0. A listing is checked as a call is on the
// subject's and the server's counters and counted on none (a hold released at once); its refusals are recorded up to
// the passed limit's value a caller and minute (listingRefusals). Invariants: no statement per call (the leases
// answer); a refusal names the limit and when to retry, never a client value; a limiter that cannot answer refuses.
import type { McpServerSettings } from '../config/index.ts';
import type { Principal } from '../identity/index.ts';
import type { Limiter, RequestsInput, Reservation } from '../limits/index.ts';
import {
  limitRefusal as refusalOf,
  reservationRecord,
  settleFor,
  type DecisionBody,
  type OutcomeBody,
} from '../pipeline/index.ts';
import type { Decision } from '../policy/index.ts';
import { McpError } from './errors.ts';
import type { Ended } from './types.ts';

export type CallMethod = 'tools/call' | 'resources/read' | 'prompts/get';
export type ListingMethod = 'tools/list' | 'resources/list' | 'prompts/list';

/** Counts the call against the subject's request rate (configured defaults enforced here); the usage before it. */
export async function admitCall(limiter: Limiter, principal: Principal) {
  try {
    return await limiter.admit(principal);
  } catch (error) {
    throw limitRefusal(error);
  }
}

/** The server's and the tool's counters that apply to this call (a listing: the server's), one per configured limit
 * (keys are distinct). */
export function callCounters(
  server: McpServerSettings,
  principal: Principal,
  method: CallMethod | ListingMethod,
  name: string | null,
): RequestsInput['counters'] {
  return server.limits
    .filter((l) => l.tool === null || (method === 'tools/call' && l.tool === name))
    .map((l) => {
      const caller = l.per === 'caller' ? [principal.iss, principal.sub] : [];
      const onTool = l.tool !== null;
      return {
        key: JSON.stringify(
          onTool ? ['mcp_tool', server.name, l.tool, ...caller] : ['mcp_server', server.name, ...caller],
        ),
        scope: onTool
          ? l.per === 'caller'
            ? 'mcp_tool_subject'
            : 'mcp_tool'
          : l.per === 'caller'
            ? 'mcp_server_subject'
            : 'mcp_server',
        name: onTool ? `${server.name}/${l.tool}` : server.name,
        requests_per_minute: l.requestsPerMinute,
      };
    });
}

/** Holds one request on every counter that applies (all or nothing); the decision record's `reservation`. */
export async function reserveCall(
  limiter: Limiter,
  principal: Principal,
  decision: Decision,
  counters: RequestsInput['counters'],
): Promise<{ reservation: Reservation; record: NonNullable<DecisionBody['reservation']> }> {
  if (limiter.reserveRequests === undefined)
    throw new McpError('ERR_LIMITS_UNAVAILABLE', 'the limits stage cannot hold MCP calls; nothing was forwarded');
  try {
    const reservation = await limiter.reserveRequests({
      principal,
      limits: decision.obligations.limits,
      counters,
      admitted: true, // counted by admitCall
    });
    return { reservation, record: reservationRecord(reservation) };
  } catch (error) {
    throw limitRefusal(error);
  }
}

/** Settles the call's one request: `released` when nothing was forwarded, else as the LLM APIs' (no usage, no tokens:
 * `none` when the server was unreachable, `estimate`, one request, otherwise). The outcome's fields. */
export async function settleCall(
  limiter: Limiter,
  reservation: Reservation,
  ended: { forwarded: false } | ({ forwarded: true } & Ended),
): Promise<Pick<OutcomeBody, 'cost_micro_usd' | 'pricing_version' | 'settlement'>> {
  if (!ended.forwarded) {
    const {
      cost_micro_usd,
      pricing_version,
      cause: _cause,
      ...settlement
    } = await limiter.settle(reservation, 'released', null, null);
    return { cost_micro_usd, pricing_version, settlement };
  }
  const settled = await settleFor(limiter, reservation, {
    usage: null,
    upstreamStatus: ended.upstreamStatus,
    error: ended.error,
    upstream: ended.upstream,
  });
  return settled.fields;
}

/** A limits failure as the call's refusal (stage reserve): the LLM APIs' refusal (limitRefusal: same code, message
 * and record reason) as a JSON-RPC error, a passed limit with what a 429 carries in its headers and error.data. */
export function limitRefusal(error: unknown): McpError {
  if (error instanceof McpError) return error;
  const r = refusalOf(error);
  return new McpError(r.code, r.message, {
    cause: r.cause,
    reason: r.recordMessage,
    headers: { ...r.headers },
    data: r.limit === null ? {} : { retry_after_seconds: r.retryAfterSeconds, limit: { ...r.limit } },
  });
}

/** Most callers whose listing refusals are remembered in a minute; past it a new caller's refusals are not recorded. */
const MAX_REFUSED_CALLERS = 4096;

/**
 * Which refusals of listings for a passed limit are recorded: a caller's first ones in a minute of this replica's
 * clock, as many as the limit's value, per limit (scope, name, period) and server; the others are answered alike and
 * counted (proctor_requests_total by code), not recorded. A listing forwards nothing of the caller's, so its refusal
 * owes the ledger no record; recording each would let a caller over its limit write records at the rate it can send
 * (docs/mcp.md#limits). Any other refusal is recorded. Memory: at most MAX_REFUSED_CALLERS keys, cleared each minute.
 */
export function listingRefusals(clock: { now(): Date }) {
  let minute = Number.NaN;
  const recorded = new Map<string, number>();
  return {
    /** Whether this refusal is recorded; MUST be asked once a refusal. */
    record(principal: Principal, server: string, error: McpError): boolean {
      const limit = (error.data as { limit?: { scope: string; name: string; period: string; limit: number } }).limit;
      if (error.code !== 'ERR_LIMIT_EXCEEDED' || limit === undefined) return true;
      const now = Math.floor(clock.now().getTime() / 60_000);
      if (now !== minute) {
        minute = now;
        recorded.clear();
      }
      const key = JSON.stringify([principal.iss, principal.sub, server, limit.scope, limit.name, limit.period]);
      const count = recorded.get(key) ?? 0;
      if (count >= limit.limit || (count === 0 && recorded.size >= MAX_REFUSED_CALLERS)) return false;
      recorded.set(key, count + 1);
      return true;
    },
  };
}
