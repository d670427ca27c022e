// Screens a model's (non-streaming) answer before the client sees it: every string in the answer and every object's
// property names are classified (providers/answer-json.ts: the whole body, known fields or not), then the decision's
// response obligations apply: block (withhold the whole answer) wins over redact (typed placeholders at the string's
// exact steps). Invariants: fail closed: an answer that cannot be walked, classified or rewritten is withheld; a
// finding of a blocked or redacted type in a property name blocks the answer (a name cannot be redacted in place).
// A large answer is classified off the event loop when the classifier given is the pipeline's pool.
import { planRedaction } from '../redaction/index.ts';
import { AnswerShapeError, writeAnswerTexts, type AnswerSegment, type ProviderAdapter } from '../providers/index.ts';
import type { Classification, Finding, TextSegment } from '../classification/index.ts';

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
  classify(segments: readonly TextSegment[]): Classification | Promise<Classification>;
}

export async function screenResponse(
  adapter: Pick<ProviderAdapter, 'responseSegments'>,
  classifier: AnswerClassifier,
  body: unknown,
  rules: { redact: readonly string[]; block: readonly string[] },
): Promise<ResponseScreen> {
  let segments: AnswerSegment[];
  let findings: Finding[];
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
      classifier.classify(plain(values)),
      classifier.classify(plain(keys)),
    ]);
    findings = [...ofValues.findings, ...ofKeys.findings.map((f) => ({ ...f, segment: f.segment + values.length }))];
  } catch (error) {
    // An answer the walk refuses (nested past its limit, not JSON) is the upstream's fault: 502, withheld all the same.
    const code = error instanceof AnswerShapeError ? 'ERR_UPSTREAM_BAD_RESPONSE' : 'ERR_CLASSIFICATION_FAILED';
    return { body: null, classification: null, action: 'blocked', blocked: { types: [], error: code } };
  }
  const types: Record<string, number> = {};
  for (const f of findings) types[f.type] = (types[f.type] ?? 0) + 1;
  const classification = { finding_count: findings.length, types };
  // A key list (or a segment index it cannot place) cannot take a placeholder: a redact type there blocks too.
  const inKeys = (f: Finding) => segments[f.segment]?.keys !== false;
  const blocking = findings.filter((f) => rules.block.includes(f.type) || (rules.redact.includes(f.type) && inKeys(f)));
  if (blocking.length > 0) {
    const blockedTypes = [...new Set(blocking.map((f) => f.type))].sort();
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
