// Screens a model's (non-streaming) answer before the client sees it: every string in the answer and every object's
// property names are classified (providers/answer-json.ts: the whole body, known fields or not), then the decision's
// response obligations apply: block (withhold the whole answer) wins over redact (typed placeholders at the string's
// exact steps). Invariants: fail closed: an answer that cannot be walked, classified or rewritten is withheld; a
// finding of a blocked or redacted type in a property name blocks the answer (a name cannot be redacted in place).
// Bounded cost: the walk refuses an answer of more than ANSWER_MAX_NODES values and keys (502, as one nested too deep);
// at most maxFindings findings are kept (counts stay exact), and past the cap every type to redact that was found
// blocks the answer, never relayed half-redacted. A large answer is classified off the event loop when the classifier
// given is the pipeline's pool (the walk itself, at most ANSWER_MAX_NODES steps, runs here).
import { planRedaction } from '../redaction/index.ts';
import { AnswerShapeError, writeAnswerTexts, type AnswerSegment, type ProviderAdapter } from '../providers/index.ts';
import type { Classification, ClassifyOptions, Finding, TextSegment } from '../classification/index.ts';

export type ResponseAction = 'none' | 'redacted' | 'blocked';

export interface ResponseScreen {
  body: unknown;
  classification: { finding_count: number; types: Record<string, number> } | null;
  action: ResponseAction;
  /** Why the answer was withheld: the blocked finding types, or the failure's code. */
  blocked: {
    types: string[];
    error: 'ERR_RESPONSE_BLOCKED' | 'ERR_CLASSIFICATION_FAILED' | 'ERR_REDACTION_FAILED' | 'ERR_UPSTREAM_BAD_RESPONSE';
  } | null;
}

/** The in-process classifier, or the pool that hands large inputs to a thread (and may reject when busy). */
export interface AnswerClassifier {
  classify(segments: readonly TextSegment[], options?: ClassifyOptions): Classification | Promise<Classification>;
}

/** Findings kept per answer unless the caller says otherwise: the request side's default (stage-calls.ts). */
export const ANSWER_MAX_FINDINGS = 256;

export async function screenResponse(
  adapter: Pick<ProviderAdapter, 'responseSegments'>,
  classifier: AnswerClassifier,
  body: unknown,
  rules: { redact: readonly string[]; block: readonly string[] },
  options: { maxFindings?: number } = {},
): Promise<ResponseScreen> {
  const maxFindings = options.maxFindings ?? ANSWER_MAX_FINDINGS;
  let segments: AnswerSegment[];
  let findings: Finding[];
  /** Exact counts per type, kept findings or not. */
  const types: Record<string, number> = {};
  let total = 0;
  let truncated = false;
  try {
    // Values first, then key lists, classified apart: the classifier joins ADJACENT segments to find split values,
    // and a value's neighbour that is a key list would otherwise share its finding (and block a redactable answer).
    const all = adapter.responseSegments(body);
    const values = all.filter((s) => !s.keys);
    const keys = all.filter((s) => s.keys);
    segments = [...values, ...keys];
    // Only path and text go to the classifier (a thread gets a copy: not the step chains).
    const plain = (list: readonly AnswerSegment[]) => list.map(({ path, text }) => ({ path, text }));
    const [ofValues, ofKeys] = await Promise.all([
      classifier.classify(plain(values), { maxFindings }),
      classifier.classify(plain(keys), { maxFindings }),
    ]);
    findings = [...ofValues.findings, ...ofKeys.findings.map((f) => ({ ...f, segment: f.segment + values.length }))];
    for (const part of [ofValues, ofKeys]) {
      truncated ||= part.truncated === true;
      const counts = part.counts ?? countsOf(part.findings);
      total += counts.total;
      for (const [type, n] of Object.entries(counts.types)) types[type] = (types[type] ?? 0) + n;
    }
    if (findings.length > maxFindings) {
      findings = findings.slice(0, maxFindings);
      truncated = true;
    }
  } catch (error) {
    // An answer the walk refuses (nested past its limit, not JSON) is the upstream's fault: 502, withheld all the same.
    const code = error instanceof AnswerShapeError ? 'ERR_UPSTREAM_BAD_RESPONSE' : 'ERR_CLASSIFICATION_FAILED';
    return { body: null, classification: null, action: 'blocked', blocked: { types: [], error: code } };
  }
  const classification = { finding_count: total, types };
  // A key list (or a segment index it cannot place) cannot take a placeholder: a redact type there blocks too. Past the
  // cap, findings are counted, not all located (and a kept finding may be the second piece of a split value, so kept
  // and counted cannot be matched per type): every type to redact that was found blocks, never half-redacted. Block
  // types are read from the exact counts, so one found past the cap blocks too.
  const inKeys = (f: Finding) => segments[f.segment]?.keys !== false;
  const found = (type: string) => Object.hasOwn(types, type) && (types[type] as number) > 0;
  const blocking = [
    ...rules.block.filter(found),
    ...findings.filter((f) => rules.redact.includes(f.type) && inKeys(f)).map((f) => f.type),
    ...(truncated ? rules.redact.filter(found) : []),
  ];
  if (blocking.length > 0) {
    const blockedTypes = [...new Set(blocking)].sort();
    return {
      body: null,
      classification,
      action: 'blocked',
      blocked: { types: blockedTypes, error: 'ERR_RESPONSE_BLOCKED' },
    };
  }
  try {
    const plan = planRedaction(segments, findings, rules.redact);
    if (plan.edits.length === 0) return { body, classification, action: 'none', blocked: null };
    return { body: writeAnswerTexts(body, segments, plan.edits), classification, action: 'redacted', blocked: null };
  } catch {
    // Fail closed: an answer that cannot be redacted is withheld and recorded as ERR_REDACTION_FAILED. The screen
    // returns a verdict, not an error; the record's findings are what reproduce the failure.
    return { body: null, classification, action: 'blocked', blocked: { types: [], error: 'ERR_REDACTION_FAILED' } };
  }
}

/** Counts for a classifier that returns none (every finding is kept then). */
function countsOf(findings: readonly Finding[]): { total: number; types: Record<string, number> } {
  const types: Record<string, number> = {};
  for (const f of findings) types[f.type] = (types[f.type] ?? 0) + 1;
  return { total: findings.length, types };
}
