// The admission stages' calls into their folders (identity, providers, classification, redaction), each turning its
// stage's errors into the Denial the request is recorded with (denial.ts). The order they run in is in
// handle-request.ts; an error not of the stage's own kind passes through (recorded as `internal`).
import { ClassificationError, countsOf, type Classification } from '../classification/index.ts';
import { IdentityError, type Principal } from '../identity/index.ts';
import { RequestError, type NormalizedRequest, type ProviderAdapter } from '../providers/index.ts';
import { planRedaction, type RedactionPlan } from '../redaction/index.ts';
import { classifyDenial, Denial, parseDenial, redactionDenial } from './denial.ts';
import type { IntakeResult } from './intake.ts';
import type { IncomingRequest, PipelineDeps } from './types.ts';

/** Findings kept per request (in memory and in its record) unless deps.maxFindings says otherwise. */
export const DEFAULT_MAX_FINDINGS = 256;

/** 1. identify: a token the authenticator refuses is a denial at `identify` (401/403 by its code). */
export async function identify(
  authenticator: PipelineDeps['authenticator'],
  headers: IncomingRequest['headers'],
): Promise<Principal> {
  try {
    return await authenticator.authenticate(headers);
  } catch (error) {
    if (error instanceof IdentityError) throw new Denial('identify', error.code, error.message, error.message);
    throw error;
  }
}

/** 1 again, once the body has arrived (http/identify-first.ts): a token that expired meanwhile is a denial at
 * `identify` (401 ERR_TOKEN_EXPIRED), before anything is forwarded. */
export function recheckIdentity(authenticator: PipelineDeps['authenticator'], principal: Principal): void {
  try {
    authenticator.recheck?.(principal);
  } catch (error) {
    if (error instanceof IdentityError) throw new Denial('identify', error.code, error.message, error.message);
    throw error;
  }
}

/** 2. parse, in process. */
export function parse(
  body: IncomingRequest['body'],
  parseBody: (raw: Uint8Array) => NormalizedRequest,
): NormalizedRequest {
  // A body channel is written only for the intake that takes it: one that reaches here is a wiring fault, refused.
  if (!(body instanceof Uint8Array)) throw new Error('a body channel reached the in-process parse');
  try {
    return parseBody(body);
  } catch (error) {
    if (error instanceof RequestError) throw parseDenial(error);
    throw error;
  }
}

/** 3. classify: large inputs off the event loop (deps.requestClassifier); at most maxFindings are kept. */
export async function classify(
  deps: Pick<PipelineDeps, 'classifier' | 'requestClassifier' | 'maxFindings'>,
  request: NormalizedRequest,
): Promise<Classification> {
  try {
    return await (deps.requestClassifier ?? deps.classifier).classify(request.segments, {
      maxFindings: deps.maxFindings ?? DEFAULT_MAX_FINDINGS,
    });
  } catch (error) {
    throw classifyDenial(error);
  }
}

/** 2 and 3 on a classification thread for a large body (deps.intake); null when the body stays here. A prompt that
 * takes at least more than the subject's tokens left is not classified there (intake.ts IntakeOptions.tokensLeft). */
export async function intake(
  deps: Pick<PipelineDeps, 'intake' | 'maxFindings' | 'limits'>,
  incoming: IncomingRequest,
  admission: Promise<unknown>,
  principal: Principal,
): Promise<IntakeResult | null> {
  if (!deps.intake?.takes(incoming.body.byteLength)) return null;
  await admission; // a subject over its rate, or a limits store that cannot answer, costs no thread
  const tokensLeft = deps.limits.tokensLeft?.(principal) ?? null;
  try {
    return await deps.intake.run(incoming.api, incoming.body, {
      maxFindings: deps.maxFindings ?? DEFAULT_MAX_FINDINGS,
      ...(tokensLeft === null ? {} : { tokensLeft }),
    });
  } catch (error) {
    if (error instanceof RequestError) throw parseDenial(error);
    if (error instanceof ClassificationError) throw classifyDenial(error);
    throw error;
  }
}

/** The classification a thread made, or the denial for the error it reported; null when it made none (tokensLeft). */
export function classifiedOnThread(result: IntakeResult): Classification | null {
  if ('classifyError' in result) throw classifyDenial(new Error(result.classifyError), result.classifyError);
  return 'unclassified' in result ? null : result.classification;
}

/** 5b. plan the redact obligation: every finding of every type to redact located, or a denial at `redact`. */
export function planRedact(
  request: NormalizedRequest,
  classification: Classification,
  types: readonly string[],
): RedactionPlan {
  // Past the cap, findings are counted but not located: a type to redact with more findings than were kept is
  // refused, never forwarded half-redacted.
  if (classification.truncated === true && types.length > 0) {
    // The classifier names the types it dropped findings of; one that does not (an older classifier) is trusted
    // for no type: every type to redact with a finding counted is refused.
    const counts = countsOf(classification, request.segments.length);
    const dropped = classification.droppedTypes ?? Object.keys(counts.types);
    const over = types.filter((t) => dropped.includes(t));
    if (over.length > 0) {
      throw new Denial(
        'redact',
        'ERR_TOO_MANY_FINDINGS',
        `the policy requires redacting ${over.join(', ')}, and the request holds more findings than Proctor redacts ` +
          'in one request; nothing was forwarded',
        'too many findings to redact',
      );
    }
  }
  try {
    return planRedaction(request.segments, classification.findings, types);
  } catch (cause) {
    throw redactionDenial(cause);
  }
}

/** The adapter's body with the plan's replacements applied. */
export function rewrite(
  replace: (body: Record<string, unknown>, edits: RedactionPlan['edits']) => Record<string, unknown>,
  body: Record<string, unknown>,
  plan: RedactionPlan,
): Record<string, unknown> {
  try {
    return replace(body, plan.edits);
  } catch (cause) {
    throw redactionDenial(cause);
  }
}

/** The upstream body: the adapter's shape walk over the (redacted) request. A placeholder where the shape does not
 * allow one (a tool name's pattern) is a failed redaction, refused instead of forwarded uninspected. */
export function upstreamBodyOf(
  adapter: ProviderAdapter,
  request: NormalizedRequest,
  cap: number | null,
  redacted: boolean,
): Record<string, unknown> {
  try {
    return adapter.upstreamBody(request, cap);
  } catch (error) {
    if (!redacted) throw error;
    throw redactionDenial(error);
  }
}
