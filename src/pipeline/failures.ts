// Every way a request can fail, in one table: the HTTP status and OpenAI error `type` the client sees. A code that
// is not in this table is a bug and is answered as ERR_INTERNAL (500), recorded like any other failure.
import type { IdentityErrorCode } from '../identity/index.ts';
import { adapterFor, type Api, type RequestErrorCode } from '../providers/index.ts';
import type { Reply } from './types.ts';
import type { ForwardErrorCode } from '../forwarding/index.ts';

export type PipelineErrorCode =
  | 'ERR_REQUEST_TOO_LARGE'
  | 'ERR_CLASSIFICATION_FAILED'
  | 'ERR_REQUEST_TOO_COMPLEX'
  | 'ERR_CLASSIFIER_BUSY'
  | 'ERR_TOO_MANY_FINDINGS'
  | 'ERR_POLICY_DENIED'
  | 'ERR_NO_UPSTREAM'
  | 'ERR_AUDIT_UNAVAILABLE'
  | 'ERR_UPSTREAM_ERROR'
  | 'ERR_UPSTREAM_STREAM_TRUNCATED'
  | 'ERR_CLIENT_DISCONNECTED'
  | 'ERR_REDACTION_FAILED'
  | 'ERR_RESPONSE_BLOCKED'
  | 'ERR_LIMIT_EXCEEDED'
  | 'ERR_LIMITS_UNAVAILABLE'
  | 'ERR_MODEL_NOT_PRICED'
  | 'ERR_LIMIT_SCOPE_UNRESOLVED'
  | 'ERR_INTERNAL'
  | TransportErrorCode;

/** Refused by the HTTP transport before any pipeline stage ran (src/http): never forwarded, never recorded. */
export type TransportErrorCode =
  | 'ERR_NOT_FOUND'
  | 'ERR_METHOD_NOT_ALLOWED'
  | 'ERR_HTTP_MALFORMED'
  | 'ERR_HEADERS_TOO_LARGE'
  | 'ERR_REQUEST_TIMEOUT'
  | 'ERR_SERVER_BUSY'
  | 'ERR_SHUTTING_DOWN';

export type FailureCode = IdentityErrorCode | RequestErrorCode | ForwardErrorCode | PipelineErrorCode;

export interface FailureShape {
  status: number;
  type:
    | 'authentication_error'
    | 'invalid_request_error'
    | 'permission_error'
    | 'rate_limit_error'
    | 'server_error'
    | 'service_unavailable';
}

const auth: FailureShape = { status: 401, type: 'authentication_error' };
const invalid: FailureShape = { status: 400, type: 'invalid_request_error' };

export const FAILURES = {
  // identify
  ERR_TOKEN_MISSING: auth,
  ERR_TOKEN_MALFORMED: auth,
  ERR_TOKEN_ISSUER_UNTRUSTED: auth,
  ERR_TOKEN_SIGNATURE: auth,
  ERR_TOKEN_EXPIRED: auth,
  ERR_TOKEN_NOT_YET_VALID: auth,
  ERR_TOKEN_AUDIENCE: auth,
  ERR_TOKEN_CLAIMS: auth,
  ERR_TOKEN_ALGORITHM: auth,
  ERR_TOKEN_CLIENT: auth,
  ERR_TOKEN_DPOP: auth,
  ERR_TOKEN_INACTIVE: auth,
  ERR_IDP_UNAVAILABLE: { status: 503, type: 'service_unavailable' },
  // parse
  ERR_REQUEST_NOT_JSON: invalid,
  ERR_REQUEST_INVALID: invalid,
  ERR_REQUEST_UNKNOWN_FIELD: invalid,
  ERR_REQUEST_UNSUPPORTED: invalid,
  ERR_REQUEST_TOO_LARGE: { status: 413, type: 'invalid_request_error' },
  // classify, decide, route
  ERR_CLASSIFICATION_FAILED: { status: 500, type: 'server_error' },
  // the client's input passes a classification bound (encoded runs decoded, name pairs read): refused, never read in
  // part, and the client's to fix (not retried as a server fault)
  ERR_REQUEST_TOO_COMPLEX: { status: 413, type: 'invalid_request_error' },
  // every classification thread busy and its queue full (large inputs only): 503 with retry-after, nothing forwarded
  ERR_CLASSIFIER_BUSY: { status: 503, type: 'service_unavailable' },
  // the policy asks to redact a type with more findings than one request keeps (the cap): refused, never half-redacted
  ERR_TOO_MANY_FINDINGS: { status: 413, type: 'invalid_request_error' },
  ERR_POLICY_DENIED: { status: 403, type: 'permission_error' },
  ERR_NO_UPSTREAM: { status: 403, type: 'permission_error' },
  // record
  ERR_AUDIT_UNAVAILABLE: { status: 503, type: 'service_unavailable' },
  // forward
  ERR_UPSTREAM_UNREACHABLE: { status: 502, type: 'server_error' },
  ERR_UPSTREAM_TIMEOUT: { status: 504, type: 'server_error' },
  ERR_UPSTREAM_BAD_RESPONSE: { status: 502, type: 'server_error' },
  ERR_UPSTREAM_ERROR: { status: 502, type: 'server_error' },
  // stream: cut before its final event (the client gets an error event, never a clean end); a client that went away
  // (499 is recorded only: there is nobody left to answer)
  ERR_UPSTREAM_STREAM_TRUNCATED: { status: 502, type: 'server_error' },
  ERR_CLIENT_DISCONNECTED: { status: 499, type: 'invalid_request_error' },
  // enforce: redaction that cannot be applied denies; an answer the policy blocks is withheld with a status SDKs
  // do not retry (a retry would run the model again and be blocked again)
  ERR_REDACTION_FAILED: { status: 500, type: 'server_error' },
  ERR_RESPONSE_BLOCKED: { status: 403, type: 'permission_error' },
  // reserve: a limit that would be passed is a 429 with retry-after; a store that cannot answer forwards nothing
  ERR_LIMIT_EXCEEDED: { status: 429, type: 'rate_limit_error' },
  ERR_LIMITS_UNAVAILABLE: { status: 503, type: 'service_unavailable' },
  ERR_MODEL_NOT_PRICED: { status: 403, type: 'permission_error' },
  ERR_LIMIT_SCOPE_UNRESOLVED: { status: 403, type: 'permission_error' },
  ERR_INTERNAL: { status: 500, type: 'server_error' },
  // transport: no route, a wrong method, or bytes that are not one well-formed HTTP/1.1 request (smuggling included)
  ERR_NOT_FOUND: { status: 404, type: 'invalid_request_error' },
  ERR_METHOD_NOT_ALLOWED: { status: 405, type: 'invalid_request_error' },
  ERR_HTTP_MALFORMED: invalid,
  ERR_HEADERS_TOO_LARGE: { status: 431, type: 'invalid_request_error' },
  ERR_REQUEST_TIMEOUT: { status: 408, type: 'invalid_request_error' },
  // the bytes of the bodies being received would pass server.max_body_bytes_in_flight: refused before it is read
  ERR_SERVER_BUSY: { status: 503, type: 'service_unavailable' },
  // shutdown: a request arriving while the server drains, or a stream still open at the drain deadline (error event)
  ERR_SHUTTING_DOWN: { status: 503, type: 'service_unavailable' },
} as const satisfies Record<FailureCode, FailureShape>;

export function failureShape(code: string): FailureShape {
  return Object.hasOwn(FAILURES, code) ? FAILURES[code as FailureCode] : FAILURES.ERR_INTERNAL;
}

/** The OpenAI-style error body every SDK understands, with Proctor's request id and reasons beside it. */
export function errorBody(
  code: string,
  message: string,
  requestId: string,
  extra: { param?: string | null; reasons?: readonly { code: string; message: string }[] } = {},
): Record<string, unknown> {
  return {
    error: {
      message,
      type: failureShape(code).type,
      code,
      param: extra.param ?? null,
      request_id: requestId,
      ...(extra.reasons ? { reasons: extra.reasons } : {}),
    },
  };
}

/**
 * The reply in the client API's error shape: Proctor builds OpenAI-shaped errors (errorBody) everywhere, and this one
 * step, at the pipeline's exit, renders them in the shape of the API the client called.
 */
export function shapeReply(api: Api, reply: Reply): Reply {
  const error =
    typeof reply.body === 'object' && reply.body !== null ? (reply.body as { error?: unknown }).error : undefined;
  if (reply.streamed || reply.status < 400 || typeof error !== 'object' || error === null) return reply;
  const e = error as {
    message?: unknown;
    type?: unknown;
    code?: unknown;
    param?: unknown;
    request_id?: unknown;
    reasons?: unknown;
    upstream_status?: unknown;
    upstream_type?: unknown;
    upstream_code?: unknown;
  };
  if (typeof e.code !== 'string' || typeof e.message !== 'string' || typeof e.request_id !== 'string') return reply;
  const body = adapterFor(api).errorBody({
    code: e.code,
    type: typeof e.type === 'string' ? e.type : failureShape(e.code).type,
    message: e.message,
    requestId: e.request_id,
    param: typeof e.param === 'string' ? e.param : null,
    ...(Array.isArray(e.reasons) ? { reasons: e.reasons as { code: string; message: string }[] } : {}),
    // Set only by upstream-error.ts, from a status and screened closed tokens.
    ...(typeof e.upstream_status === 'number'
      ? {
          upstream: {
            status: e.upstream_status,
            ...(typeof e.upstream_type === 'string' ? { type: e.upstream_type } : {}),
            ...(typeof e.upstream_code === 'string' ? { code: e.upstream_code } : {}),
          },
        }
      : {}),
  });
  return { ...reply, body };
}
