// Screens a model's (non-streaming) answer before the client sees it: classify every answer text, then apply the
// decision's response obligations: block (withhold the whole answer) wins over redact (typed placeholders).
// Invariant: fail closed: if the answer cannot be classified or rewritten, it is withheld, never delivered unscreened.
import { planRedaction } from '../redaction/index.ts';
import type { ProviderAdapter } from '../providers/index.ts';
import type { PipelineDeps } from './types.ts';

export type ResponseAction = 'none' | 'redacted' | 'blocked';

export interface ResponseScreen {
  body: unknown;
  classification: { finding_count: number; types: Record<string, number> } | null;
  action: ResponseAction;
  /** Why the answer was withheld: the blocked finding types, or the failure's code. */
  blocked: { types: string[]; error: 'ERR_RESPONSE_BLOCKED' | 'ERR_CLASSIFICATION_FAILED' | 'ERR_REDACTION_FAILED' } | null;
}

export function screenResponse(
  adapter: Pick<ProviderAdapter, 'responseSegments' | 'replaceTexts'>,
  classifier: PipelineDeps['classifier'],
  body: unknown,
  rules: { redact: readonly string[]; block: readonly string[] },
): ResponseScreen {
  let segments;
  let findings;
  try {
    segments = adapter.responseSegments(body);
    findings = classifier.classify(segments).findings;
  } catch {
    return { body: null, classification: null, action: 'blocked', blocked: { types: [], error: 'ERR_CLASSIFICATION_FAILED' } };
  }
  const types: Record<string, number> = {};
  for (const f of findings) types[f.type] = (types[f.type] ?? 0) + 1;
  const classification = { finding_count: findings.length, types };
  const blockedTypes = [...new Set(findings.map((f) => f.type).filter((t) => rules.block.includes(t)))].sort();
  if (blockedTypes.length > 0) {
    return { body: null, classification, action: 'blocked', blocked: { types: blockedTypes, error: 'ERR_RESPONSE_BLOCKED' } };
  }
  try {
    const plan = planRedaction(segments, findings, rules.redact);
    if (plan.edits.length === 0) return { body, classification, action: 'none', blocked: null };
    return { body: adapter.replaceTexts(body as Record<string, unknown>, plan.edits), classification, action: 'redacted', blocked: null };
  } catch {
    return { body: null, classification, action: 'blocked', blocked: { types: [], error: 'ERR_REDACTION_FAILED' } };
  }
}
