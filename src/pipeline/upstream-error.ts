// An upstream's error answer, as the client sees it: Proctor's shape and code (ERR_UPSTREAM_ERROR), a status the client
// can act on (providers/error-shapes.ts says which pass through), and the upstream's own message only once screened.
// Invariants: nothing of the upstream's body is copied blind: its message is classified and shown only when it holds
// no finding of any type (else a generic message naming the upstream's status and the finding types); its type and
// code are kept only as closed tokens (a short lowercase pattern) that were screened clean; nothing else is kept.
import type { Classifier } from '../classification/index.ts';
import { clientStatusForUpstream, upstreamErrorParts, type UpstreamErrorParts } from '../providers/index.ts';
import { errorBody } from './failures.ts';

/** Longest upstream message shown; a longer one is withheld whole (a cut could leave half a value). */
const MAX_MESSAGE = 1000;
/** An upstream error type or code is relayed only in this closed form (`invalid_request_error`, `rate_limit`). */
const CLOSED_TOKEN = /^[a-z][a-z0-9_.-]{0,63}$/;

export function upstreamErrorReply(
  upstreamStatus: number,
  upstreamBody: unknown,
  requestId: string,
  classifier: Pick<Classifier, 'classify'>,
): { status: number; body: Record<string, unknown> } {
  const status = clientStatusForUpstream(upstreamStatus);
  const parts = upstreamErrorParts(upstreamBody);
  const shown = screenParts(parts, classifier);
  const generic = `the upstream answered ${upstreamStatus}`;
  let message = generic;
  if (shown.withheld.length > 0) {
    message = `${generic}; its message was withheld because it contained ${shown.withheld.join(', ')}`;
  } else if (parts.message !== null && parts.message.length > MAX_MESSAGE) {
    message = `${generic}; its message was too long to relay`;
  } else if (shown.message !== null) {
    message = shown.message;
  }
  const body = errorBody('ERR_UPSTREAM_ERROR', message, requestId);
  const error = body.error as Record<string, unknown>;
  error.type = status === 429 ? 'rate_limit_error' : status < 500 ? 'invalid_request_error' : 'server_error';
  error.upstream_status = upstreamStatus;
  if (shown.type !== null) error.upstream_type = shown.type;
  if (shown.code !== null) error.upstream_code = shown.code;
  return { status, body };
}

interface Shown {
  message: string | null;
  type: string | null;
  code: string | null;
  /** Finding types in the message (or 'unclassifiable'): the message is not shown. */
  withheld: string[];
}

function screenParts(parts: UpstreamErrorParts, classifier: Pick<Classifier, 'classify'>): Shown {
  const closed = (v: string | null) => (v !== null && CLOSED_TOKEN.test(v) ? v : null);
  const candidates = { message: parts.message, type: closed(parts.type), code: closed(parts.code) };
  const names = (['message', 'type', 'code'] as const).filter((k) => candidates[k] !== null);
  if (names.length === 0) return { message: null, type: null, code: null, withheld: [] };
  let findings;
  try {
    findings = classifier.classify(names.map((k) => ({ path: `error.${k}`, text: candidates[k] as string }))).findings;
  } catch {
    // Fail closed: what cannot be classified is not shown; the reply says so in place of the message.
    return { message: null, type: null, code: null, withheld: parts.message === null ? [] : ['unclassifiable text'] };
  }
  const dirty = new Set(findings.map((f) => names[f.segment]));
  const withheld = [...new Set(findings.filter((f) => names[f.segment] === 'message').map((f) => f.type))].sort();
  return {
    message: dirty.has('message') ? null : candidates.message,
    type: dirty.has('type') ? null : candidates.type,
    code: dirty.has('code') ? null : candidates.code,
    withheld,
  };
}
