// A refusal before forwarding, as the pipeline carries it to its decision record: the stage it happened at, the code
// the client gets (failures.ts gives its status), the client's message and the record's (never client text), and the
// error that caused it (kept as `cause`, never recorded). Each stage's errors map to a Denial here, in one place.
import { ClassificationError } from '../classification/index.ts';
import { LimitsError } from '../limits/index.ts';
import type { Decision } from '../policy/index.ts';
import type { RequestError } from '../providers/index.ts';
import type { FailureCode } from './failures.ts';
import { limitRefusal } from './limit-refusal.ts';

/** The stage a refusal happened at, as the decision record names it (`decision.stage`). */
export type DenialStage =
  | 'transport'
  | 'identify'
  | 'parse'
  | 'classify'
  | 'decide'
  | 'route'
  | 'redact'
  | 'reserve'
  | 'record'
  | 'internal';

/** Thrown inside the pipeline to end a request early with a recorded denial. */
export class Denial extends Error {
  readonly stage: DenialStage;
  readonly code: FailureCode;
  readonly param: string | null;
  readonly recordMessage: string;
  /** Extra reply headers (a 429's retry-after and rate-limit headers) and the error that caused the denial (kept as
   * `cause`, never recorded). */
  readonly extra: { headers?: Record<string, string>; cause?: unknown };
  constructor(
    stage: DenialStage,
    code: FailureCode,
    clientMessage: string,
    recordMessage: string,
    param: string | null = null,
    extra: Denial['extra'] = {},
  ) {
    super(clientMessage, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.stage = stage;
    this.code = code;
    this.param = param;
    this.recordMessage = recordMessage;
    this.extra = extra;
  }
}

/** A body the adapter refused: the client sees which field was wrong; the record keeps only the code (field names
 * are client-controlled). */
export function parseDenial(error: RequestError): Denial {
  return new Denial('parse', error.code, error.message, `request rejected: ${error.code}`, error.param);
}

/** Classification bounds a client's own input passes, and what each says to the client (docs/classification.md). */
const INPUT_BOUNDS: Readonly<Record<string, string>> = {
  ERR_DECODE_BUDGET_EXCEEDED: 'the request holds more encoded runs (base64, hex, ...) than one classification decodes',
  ERR_NAME_PAIRS_EXCEEDED:
    "the request's names (model, tools, tool calls, participants) make more pairs than one classification reads",
};

/**
 * A classifier that failed or is busy: nothing unclassified is forwarded (busy: 503 with retry-after). A bound the
 * client's input passes is the client's to fix: 413 ERR_REQUEST_TOO_COMPLEX naming it, never a server fault to retry.
 * `code` is the ClassificationError's, or the one a classification thread reported.
 */
export function classifyDenial(
  error: unknown,
  code: string | undefined = error instanceof ClassificationError ? error.code : undefined,
): Denial {
  const bound = code === undefined ? undefined : INPUT_BOUNDS[code];
  if (bound !== undefined) {
    return new Denial(
      'classify',
      'ERR_REQUEST_TOO_COMPLEX',
      `${bound} (${code}); nothing was forwarded`,
      `classification bound passed: ${code}`,
      null,
      { cause: error },
    );
  }
  if (code === 'ERR_CLASSIFIER_BUSY') {
    return new Denial(
      'classify',
      'ERR_CLASSIFIER_BUSY',
      'every classifier is busy; nothing was forwarded, retry shortly',
      'classifier queue full',
      null,
      { headers: { 'retry-after': '1' }, cause: error },
    );
  }
  return new Denial(
    'classify',
    'ERR_CLASSIFICATION_FAILED',
    'the request could not be classified, so it was not forwarded',
    'classifier failed',
    null,
    { cause: error },
  );
}

/** A redaction the policy requires that could not be applied: nothing is forwarded half-redacted. */
export function redactionDenial(cause?: unknown): Denial {
  return new Denial(
    'redact',
    'ERR_REDACTION_FAILED',
    'the redaction the policy requires could not be applied, so nothing was forwarded',
    'redaction failed',
    null,
    cause === undefined ? {} : { cause },
  );
}

/** The policy's refusal; its reasons are recorded from the decision itself. */
export function policyDenial(decision: Decision): Denial {
  const codes = decision.reasons.map((r) => r.code).join(', ');
  return new Denial(
    'decide',
    'ERR_POLICY_DENIED',
    `request denied by policy${codes ? `: ${codes}` : ''}`,
    'denied by policy',
  );
}

/** A limits-stage failure as a recorded denial (the refusal the MCP proxy gives too: limit-refusal.ts). */
export function limitDenial(error: LimitsError): Denial {
  const r = limitRefusal(error);
  return new Denial('reserve', r.code, r.message, r.recordMessage, null, { headers: { ...r.headers }, cause: r.cause });
}

/** Any error as a denial: ours as thrown, a limits failure by limitDenial; an unexpected one is `internal` (the caller
 * logs it), with its cause. */
export function toDenial(error: unknown): Denial {
  if (error instanceof Denial) return error;
  if (error instanceof LimitsError) return limitDenial(error);
  return new Denial(
    'internal',
    'ERR_INTERNAL',
    'internal error; the request was not forwarded',
    'internal error',
    null,
    {
      cause: error,
    },
  );
}
