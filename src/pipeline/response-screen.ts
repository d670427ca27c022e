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
import { keyJoins, spanningPieces } from './answer-key-joins.ts';
import { DEFAULT_MAX_FINDINGS } from './stage-calls.ts';
import { AnswerShapeError, writeAnswerTexts, type AnswerSegment, type ProviderAdapter } from '../providers/index.ts';
import { countsOf } from '../classification/index.ts';
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

/** Findings kept per answer unless the caller says otherwise: the request side's default. */
export const ANSWER_MAX_FINDINGS = DEFAULT_MAX_FINDINGS;

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
  /** Types the key-join call found past its cap (their pieces may be in a read-only segment). */
  const joinDropped = new Set<string>();
  try {
    // Values, then read-only segments (key lists, integer arrays), classified apart: the classifier joins ADJACENT
    // segments to find split values, and a value's neighbour that is a key list would otherwise share its finding (and
    // block a redactable answer). A third call reads each read-only segment after the values before it (keyJoins).
    const all = adapter.responseSegments(body);
    const values: AnswerSegment[] = [];
    const keys: AnswerSegment[] = [];
    // Only path and text go to the classifier (a thread gets a copy: not the step chains).
    const plainValues: TextSegment[] = [];
    const plainKeys: TextSegment[] = [];
    for (const segment of all) {
      (segment.keys ? keys : values).push(segment);
      (segment.keys ? plainKeys : plainValues).push({ path: segment.path, text: segment.text });
    }
    segments = values.concat(keys);
    const joins = keyJoins(all);
    const [ofValues, ofKeys, ofJoins] = await Promise.all([
      classifier.classify(plainValues, { maxFindings }),
      classifyKeys(classifier, plainKeys, { maxFindings }),
      classifier.classify([{ path: '{key joins}', text: joins.text }], { maxFindings }),
    ]);
    findings = ofValues.findings.concat(ofKeys.findings.map((f) => ({ ...f, segment: f.segment + values.length })));
    for (const part of [ofValues, ofKeys]) {
      truncated ||= part.truncated === true;
      const counts = countsOf(part, part === ofValues ? values.length : keys.length);
      total += counts.total;
      for (const [type, n] of Object.entries(counts.types)) types[type] = (types[type] ?? 0) + n;
    }
    // Of the third call, the pieces of values that need both the text and the property names, or two values in
    // document order with a JSON text's syntax between (answer-key-joins.ts): counted; in a key list they block.
    const spanning = spanningPieces(joins, ofJoins.findings, ofValues.findings, ofKeys.findings);
    for (const piece of spanning) {
      findings.push({ ...piece, path: (segments[piece.segment] as AnswerSegment).path });
      total += 1;
      types[piece.type] = (types[piece.type] ?? 0) + 1;
    }
    // Past the cap, a piece not kept may have been in a read-only segment: its type blocks (fail closed).
    if (ofJoins.truncated === true) for (const type of ofJoins.droppedTypes ?? []) joinDropped.add(type);
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
  const blocking = new Set<string>();
  for (const type of rules.block) if (found(type) || joinDropped.has(type)) blocking.add(type);
  for (const type of rules.redact) if ((truncated && found(type)) || joinDropped.has(type)) blocking.add(type);
  for (const f of findings) if (inKeys(f) && rules.redact.includes(f.type)) blocking.add(f.type);
  if (blocking.size > 0) {
    const blockedTypes = [...blocking].sort();
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

/** Characters (paths and names) of the longest key list remembered clean, and how many lists per classifier. */
export const CLEAN_KEYS_MAX_CHARS = 2048;
export const CLEAN_KEYS_MAX_LISTS = 256;

/**
 * Key lists each classifier found clean. An answer's property names repeat from answer to answer (one provider, one
 * shape: `id object created model choices usage`), and a classification is a function of the segments alone, so a list
 * found clean is clean again: it is not classified a second time (a third of the key-list call's cost of a small chat
 * answer). Only clean results are kept, under the exact paths and names (JSON: no two lists share a key); a list with a
 * finding is classified every time. Bounded: short lists only, at most CLEAN_KEYS_MAX_LISTS, the oldest out first.
 */
const cleanKeyLists = new WeakMap<AnswerClassifier, Map<string, Classification>>();

async function classifyKeys(
  classifier: AnswerClassifier,
  keys: readonly TextSegment[],
  options: ClassifyOptions,
): Promise<Classification> {
  let chars = 0;
  for (const { path, text } of keys) chars += path.length + text.length;
  if (chars > CLEAN_KEYS_MAX_CHARS) return classifier.classify(keys, options);
  // JSON strings end where they end: their concatenation names one list (no arrays built for it).
  let id = String(options.maxFindings ?? null);
  for (const { path, text } of keys) id += JSON.stringify(path) + JSON.stringify(text);
  let clean = cleanKeyLists.get(classifier);
  const known = clean?.get(id);
  if (known !== undefined) return known;
  const result = await classifier.classify(keys, options);
  if (result.findings.length > 0 || (result.counts?.total ?? 0) > 0 || result.truncated === true) return result;
  if (clean === undefined) {
    clean = new Map();
    cleanKeyLists.set(classifier, clean);
  }
  if (clean.size >= CLEAN_KEYS_MAX_LISTS) clean.delete(clean.keys().next().value as string);
  clean.set(id, deepFreeze(result));
  return result;
}

/** A remembered result is handed to every later answer: nothing may change it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
