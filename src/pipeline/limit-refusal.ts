// A limits-stage failure as the refusal both front doors give: the LLM APIs (limitDenial, a 4xx/5xx in the API's
// error shape) and the MCP proxy (src/mcp/limits.ts, a JSON-RPC error). One exhaustive table over LimitsErrorCode, so
// a new limits error is decided here once and the two cannot drift. Invariants: messages carry Proctor's values only
// (limits, usage, model and upstream names from configuration), never client text; anything else fails closed as
// ERR_LIMITS_UNAVAILABLE with retry-after 1.
import { type AppliedLimit, LimitExceeded, LimitsError, type LimitsErrorCode } from '../limits/index.ts';
import { FAILURES } from './failures.ts';

/** The codes a limits failure is answered with (each is in FAILURES and in MCP_FAILURES). */
export type LimitRefusalCode =
  | 'ERR_LIMIT_EXCEEDED'
  | 'ERR_LIMITS_UNAVAILABLE'
  | 'ERR_MODEL_NOT_PRICED'
  | 'ERR_LIMIT_SCOPE_UNRESOLVED';

export interface LimitRefusal {
  code: LimitRefusalCode;
  /** The client's message. */
  message: string;
  /** The decision record's reason (names the scope, limit and usage; never a tool or other client value). */
  recordMessage: string;
  /** The LLM APIs' HTTP status (FAILURES); the MCP proxy answers by its own table (a JSON-RPC error in a 200). */
  status: number;
  /** retry-after (always, when waiting can help) and the x-ratelimit-* headers of a passed limit. */
  headers: Readonly<Record<string, string>>;
  /** Seconds until a retry can succeed; null when waiting does not help (a policy or pricing refusal). */
  retryAfterSeconds: number | null;
  /** The limit that was passed (ERR_LIMIT_EXCEEDED only). */
  limit: (AppliedLimit & { requested: number }) | null;
  /** The error refused (kept as `cause`, never recorded). */
  cause: unknown;
}

/** The store could not answer (or answered nonsense, or the limiter was misused): nothing is forwarded. */
const unavailable = (error: unknown): LimitRefusal => ({
  code: 'ERR_LIMITS_UNAVAILABLE',
  message: 'the limits store is unavailable; nothing was forwarded',
  recordMessage: 'limits store unavailable',
  status: FAILURES.ERR_LIMITS_UNAVAILABLE.status,
  headers: { 'retry-after': '1' },
  retryAfterSeconds: 1,
  limit: null,
  cause: error,
});

const exceeded = (error: LimitsError): LimitRefusal => {
  // The code with no LimitExceeded behind it (no limit to name) is a limiter bug: fail closed.
  if (!(error instanceof LimitExceeded)) return unavailable(error);
  const l = error.limit;
  return {
    code: 'ERR_LIMIT_EXCEEDED',
    message: error.message,
    recordMessage:
      `${l.scope} ${l.metric} per ${l.period} limit ${l.limit} reached ` + `(used ${l.used}, requested ${l.requested})`,
    status: FAILURES.ERR_LIMIT_EXCEEDED.status,
    headers: { ...error.headers },
    retryAfterSeconds: error.retryAfterSeconds,
    limit: { ...l },
    cause: error,
  };
};

/** Refused by what the policy or the pricing table says: waiting does not help; the message is the limiter's own. */
const stated =
  (code: 'ERR_MODEL_NOT_PRICED' | 'ERR_LIMIT_SCOPE_UNRESOLVED') =>
  (error: LimitsError): LimitRefusal => ({
    code,
    message: error.message,
    recordMessage: error.message,
    status: FAILURES[code].status,
    headers: {},
    retryAfterSeconds: null,
    limit: null,
    cause: error,
  });

/** Each limits error's refusal, with the reason beside it. */
export const LIMIT_REFUSALS = {
  ERR_LIMIT_EXCEEDED: exceeded,
  ERR_LIMITS_UNAVAILABLE: unavailable,
  // pricing says unknown models are denied: 403, recorded
  ERR_MODEL_NOT_PRICED: stated('ERR_MODEL_NOT_PRICED'),
  // the decision named a tenant or client limit for a caller without one: 403, recorded
  ERR_LIMIT_SCOPE_UNRESOLVED: stated('ERR_LIMIT_SCOPE_UNRESOLVED'),
  // a pricing file or a value out of range reaching a request is a bug, not the caller's: fail closed
  ERR_PRICING_INVALID: unavailable,
  ERR_LIMITS_INVALID: unavailable,
} as const satisfies Record<LimitsErrorCode, (error: LimitsError) => LimitRefusal>;

/** Any error the limiter threw as its refusal; an error that is not a LimitsError fails closed (unavailable). */
export function limitRefusal(error: unknown): LimitRefusal {
  if (!(error instanceof LimitsError) || !Object.hasOwn(LIMIT_REFUSALS, error.code)) return unavailable(error);
  return LIMIT_REFUSALS[error.code](error);
}
