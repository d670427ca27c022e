// Every way a request can fail, in one table: the HTTP status and OpenAI error `type` the client sees. A code that
// is not in this table is a bug and is answered as ERR_INTERNAL (500), recorded like any other failure.
import type { IdentityErrorCode } from '../identity/index.ts';
import type { RequestErrorCode } from '../providers/index.ts';
import type { ForwardErrorCode } from '../forwarding/index.ts';

export type PipelineErrorCode =
  | 'ERR_REQUEST_TOO_LARGE'
  | 'ERR_CLASSIFICATION_FAILED'
  | 'ERR_POLICY_DENIED'
  | 'ERR_NO_UPSTREAM'
  | 'ERR_AUDIT_UNAVAILABLE'
  | 'ERR_UPSTREAM_ERROR'
  | 'ERR_REDACTION_FAILED'
  | 'ERR_RESPONSE_BLOCKED'
  | 'ERR_INTERNAL';

export type FailureCode = IdentityErrorCode | RequestErrorCode | ForwardErrorCode | PipelineErrorCode;

export interface FailureShape {
  status: number;
  type: 'authentication_error' | 'invalid_request_error' | 'permission_error' | 'server_error' | 'service_unavailable';
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
  ERR_IDP_UNAVAILABLE: { status: 503, type: 'service_unavailable' },
  // parse
  ERR_REQUEST_NOT_JSON: invalid,
  ERR_REQUEST_INVALID: invalid,
  ERR_REQUEST_UNKNOWN_FIELD: invalid,
  ERR_REQUEST_UNSUPPORTED: invalid,
  ERR_REQUEST_TOO_LARGE: { status: 413, type: 'invalid_request_error' },
  // classify, decide, route
  ERR_CLASSIFICATION_FAILED: { status: 500, type: 'server_error' },
  ERR_POLICY_DENIED: { status: 403, type: 'permission_error' },
  ERR_NO_UPSTREAM: { status: 403, type: 'permission_error' },
  // record
  ERR_AUDIT_UNAVAILABLE: { status: 503, type: 'service_unavailable' },
  // forward
  ERR_UPSTREAM_UNREACHABLE: { status: 502, type: 'server_error' },
  ERR_UPSTREAM_TIMEOUT: { status: 504, type: 'server_error' },
  ERR_UPSTREAM_BAD_RESPONSE: { status: 502, type: 'server_error' },
  ERR_UPSTREAM_ERROR: { status: 502, type: 'server_error' },
  // enforce: redaction that cannot be applied denies; an answer the policy blocks is withheld with a status SDKs
  // do not retry (a retry would run the model again and be blocked again)
  ERR_REDACTION_FAILED: { status: 500, type: 'server_error' },
  ERR_RESPONSE_BLOCKED: { status: 403, type: 'permission_error' },
  ERR_INTERNAL: { status: 500, type: 'server_error' },
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
