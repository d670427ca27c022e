// Errors in each client API's own shape, so SDKs raise their usual error classes. OpenAI: `{ error: { message, type,
// code, param } }` and, in a stream, a `data:` event carrying the same object. Anthropic: `{ type: 'error', error:
// { type, message } }` and an `event: error`. Proctor's code and request id ride along in extra fields.
import type { ClientError, SseEvent } from './types.ts';

export function openaiErrorBody(e: ClientError): Record<string, unknown> {
  return {
    error: {
      message: e.message,
      type: e.type,
      code: e.code,
      param: e.param ?? null,
      request_id: e.requestId,
      ...(e.reasons ? { reasons: e.reasons } : {}),
      ...upstreamFields(e),
    },
  };
}

/** `upstream_status` (and `upstream_type` / `upstream_code`, screened closed tokens) beside Proctor's own fields. */
function upstreamFields(e: ClientError): Record<string, unknown> {
  if (e.upstream === undefined) return {};
  return {
    upstream_status: e.upstream.status,
    ...(e.upstream.type === undefined ? {} : { upstream_type: e.upstream.type }),
    ...(e.upstream.code === undefined ? {} : { upstream_code: e.upstream.code }),
  };
}

export function openaiErrorEvent(e: ClientError): SseEvent {
  return { event: null, data: JSON.stringify(openaiErrorBody(e)) };
}

/** Proctor's (OpenAI-vocabulary) error types in Anthropic's vocabulary. */
const ANTHROPIC_TYPES: Record<string, string> = {
  authentication_error: 'authentication_error',
  invalid_request_error: 'invalid_request_error',
  permission_error: 'permission_error',
  not_found_error: 'not_found_error',
  rate_limit_error: 'rate_limit_error',
  server_error: 'api_error',
  service_unavailable: 'api_error',
};

export function anthropicErrorBody(e: ClientError): Record<string, unknown> {
  return {
    type: 'error',
    error: {
      type: ANTHROPIC_TYPES[e.type] ?? 'api_error',
      message: e.message,
      code: e.code,
      ...(e.param ? { param: e.param } : {}),
      ...(e.reasons ? { reasons: e.reasons } : {}),
      ...upstreamFields(e),
    },
    request_id: e.requestId,
  };
}

export function anthropicErrorEvent(e: ClientError): SseEvent {
  return { event: 'error', data: JSON.stringify(anthropicErrorBody(e)) };
}

/**
 * The status a client sees for an upstream's error. Client-side errors the client can act on keep their status;
 * the upstream's 401/403 (Proctor's credential, not the client's) and 5xx become 502 so an SDK never tells the user
 * their own token was refused.
 */
export function clientStatusForUpstream(status: number): number {
  return [400, 404, 409, 413, 422, 429].includes(status) ? status : 502;
}

/**
 * The parts of an upstream's error body Proctor may show once screened (pipeline/upstream-error.ts): `error.message`,
 * `error.type` and `error.code` when they are strings (OpenAI and Anthropic both nest them under `error`). Nothing
 * else of the body is read.
 */
export interface UpstreamErrorParts {
  message: string | null;
  type: string | null;
  code: string | null;
}

export function upstreamErrorParts(body: unknown): UpstreamErrorParts {
  const holds = typeof body === 'object' && body !== null && Object.hasOwn(body, 'error');
  const error = holds ? (body as { error: unknown }).error : undefined;
  const field = (key: string): string | null => {
    if (typeof error !== 'object' || error === null || !Object.hasOwn(error, key)) return null;
    const value = (error as Record<string, unknown>)[key];
    return typeof value === 'string' ? value : null;
  };
  return { message: field('message'), type: field('type'), code: field('code') };
}
