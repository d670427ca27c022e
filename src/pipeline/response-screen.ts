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
  /** Types the key-join call found past its cap (their pieces may be in a read-only segment). */
  const joinDropped = new Set<string>();
  try {
    // Values, then read-only segments (key lists, integer arrays), classified apart: the classifier joins ADJACENT
    // segments to find split values, and a value's neighbour that is a key list would otherwise share its finding (and
    // block a redactable answer). A third call reads each read-only segment after the values before it (keyJoins).
    const all = adapter.responseSegments(body);
    const values = all.filter((s) => !s.keys);
    const keys = all.filter((s) => s.keys);
    segments = [...values, ...keys];
    const joins = keyJoins(all);
    // Only path and text go to the classifier (a thread gets a copy: not the step chains).
    const plain = (list: readonly TextSegment[]) => list.map(({ path, text }) => ({ path, text }));
    const [ofValues, ofKeys, ofJoins] = await Promise.all([
      classifier.classify(plain(values), { maxFindings }),
      classifyKeys(classifier, plain(keys), { maxFindings }),
      classifier.classify(joins.segments, { maxFindings }),
    ]);
    findings = [...ofValues.findings, ...ofKeys.findings.map((f) => ({ ...f, segment: f.segment + values.length }))];
    for (const part of [ofValues, ofKeys]) {
      truncated ||= part.truncated === true;
      const counts = part.counts ?? countsOf(part.findings);
      total += counts.total;
      for (const [type, n] of Object.entries(counts.types)) types[type] = (types[type] ?? 0) + n;
    }
    // Of the third call, only a piece in a read-only segment that it does not hold alone (found above) is new: a
    // value that needs both the text and the property names. It is counted, and blocks (inKeys below).
    const own = new Map<string, Finding[]>();
    for (const f of ofKeys.findings) {
      const key = `${f.segment}\u0000${f.type}`;
      own.set(key, [...(own.get(key) ?? []), f]);
    }
    for (const f of ofJoins.findings) {
      const index = joins.keyIndex[f.segment] ?? -1;
      if (index < 0) continue;
      const alone = own.get(`${index}\u0000${f.type}`) ?? [];
      if (alone.some((o) => o.start < f.end && f.start < o.end)) continue;
      const piece = { ...f, segment: values.length + index, path: (keys[index] as AnswerSegment).path };
      findings.push(piece);
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
  const blocking = [
    ...rules.block.filter(found),
    ...findings.filter((f) => rules.redact.includes(f.type) && inKeys(f)).map((f) => f.type),
    ...(truncated ? rules.redact.filter(found) : []),
    ...[...rules.block, ...rules.redact].filter((type) => joinDropped.has(type)),
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
  const id = JSON.stringify([options.maxFindings ?? null, keys.map(({ path, text }) => [path, text])]);
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

/** Counts for a classifier that returns none (every finding is kept then). */
function countsOf(findings: readonly Finding[]): { total: number; types: Record<string, number> } {
  const types: Record<string, number> = {};
  for (const f of findings) types[f.type] = (types[f.type] ?? 0) + 1;
  return { total: findings.length, types };
}

/**
 * Most values before a read-only segment read with it (fewer when the nearest ones hold KEY_JOIN_CHARS characters):
 * the classifier's reading order skips the labels among them (`stop`, `default`, a fingerprint).
 */
export const KEY_JOIN_VALUES = 3;
/** Characters of a value read next to a read-only segment: the classifier's join window (segment-join.ts). */
export const KEY_JOIN_CHARS = 256;
/** Read-only segments a value is read before (its copies bound the third call to about twice the answer). */
export const KEY_JOIN_USES = 2;

/**
 * The third call's segments: each read-only segment (key list, integer array) after the nearest values before it in
 * document order (KEY_JOIN_VALUES at most, KEY_JOIN_CHARS characters; read-only segments between skipped: an input
 * schema's `type`/`properties` between a tool's description and its property names) and before the value right after
 * it, each value as its KEY_JOIN_CHARS characters nearest the read-only segment and read before at most KEY_JOIN_USES
 * of them (the nearer a value, the fewer uses it has had: the values read are always the nearest ones). The classifier's reading
 * order leaves labels out (`finish_reason` between an answer's text and an unknown field's keys), so the text a reader
 * sees next to a property name is joined to it. `keyIndex[i]`: the index among the read-only segments of segment i,
 * or -1 for a value's copy. Linear: each value is copied at most KEY_JOIN_USES + 1 times, at most KEY_JOIN_CHARS
 * characters each; each read-only segment once.
 */
export function keyJoins(all: readonly AnswerSegment[]): { segments: TextSegment[]; keyIndex: number[] } {
  const segments: TextSegment[] = [];
  const keyIndex: number[] = [];
  type Entry = { value: AnswerSegment; uses: number };
  const reach = (value: AnswerSegment) => Math.min(value.text.length, KEY_JOIN_CHARS);
  const before: Entry[] = [];
  let chars = 0;
  let keys = 0;
  let lastCopied: AnswerSegment | undefined;
  let lastCopiedAt = -1;
  for (let i = 0; i < all.length; i += 1) {
    const segment = all[i] as AnswerSegment;
    if (!segment.keys) {
      before.push({ value: segment, uses: 0 });
      chars += reach(segment);
      // The nearest values holding KEY_JOIN_CHARS characters are enough: one before them is out of the join's reach.
      while (before.length > KEY_JOIN_VALUES || chars - reach((before[0] as Entry).value) >= KEY_JOIN_CHARS) {
        chars -= reach((before.shift() as Entry).value);
      }
      continue;
    }
    for (const entry of before) {
      if (entry.uses >= KEY_JOIN_USES) continue;
      entry.uses += 1;
      // A short value just copied whole after the previous key list is already in place (not glued to itself).
      const last = segments.length - 1;
      if (entry.value === lastCopied && last === lastCopiedAt && entry.value.text.length <= KEY_JOIN_CHARS) continue;
      segments.push({ path: entry.value.path, text: entry.value.text.slice(-KEY_JOIN_CHARS) });
      keyIndex.push(-1);
    }
    segments.push({ path: segment.path, text: segment.text });
    keyIndex.push(keys);
    keys += 1;
    const after = all[i + 1];
    lastCopied = undefined;
    if (after !== undefined && !after.keys) {
      segments.push({ path: after.path, text: after.text.slice(0, KEY_JOIN_CHARS) });
      keyIndex.push(-1);
      lastCopied = after;
      lastCopiedAt = segments.length - 1;
    }
  }
  return { segments, keyIndex };
}
