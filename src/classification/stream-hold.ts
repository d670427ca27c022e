// Where a stream scanner must start holding text back, from the classifier's own recognizers: the earliest suffix a
// declared `partial` matches (a value may be starting there), any match reaching the end of the text (more text may
// change it), and any match whose after-context window is not complete yet (its confidence, or whether it counts at
// all, may still change). Invariant: every offset returned is an ORIGINAL UTF-16 offset into the text given, and
// nothing here ever holds less than a recognizer's own pattern could still need.
import RE2 from 're2';
import { compileRecognizer, type CompiledRecognizer } from './compile.ts';
import { ClassificationError } from './errors.ts';
import { matchesOf } from './matching.ts';
import { DEFAULT_RECOGNIZERS } from './recognizers.ts';
import type { NormalizedText } from './normalize.ts';
import type { RecognizerDefinition } from './types.ts';
import { utf16OffsetsOf, utf8SequenceLength } from './utf8-offsets.ts';

export interface HoldPlan {
  recognizers: readonly CompiledRecognizer[];
  /**
   * The built-in partials as one RE2 (`(?:p1)$|(?:p2)$|…`), each other one alone (so a configured partial with a stray
   * `)` or inline flag cannot change the built-in ones): the leftmost match over all is the earliest partial start.
   */
  partials: readonly RE2[];
  /**
   * The same partials as one RE2.Set (index k is `partials[k]`): which of them match at all, in one pass of ~0.5 µs,
   * so only those are searched for where. A search of the names partial (52 kB of pattern, DFA cache exceeded) costs
   * 20-135 µs on 50-100 bytes of prose it does not match, several times a push.
   */
  partialSet: InstanceType<typeof RE2.Set> | undefined;
  /** Some recognizer declares no partial: for it, the last `window` characters stay held (the fixed window). */
  fixedWindow: boolean;
  /** Which recognizers' raw patterns match anywhere in a text (one pass), so only those are run. */
  candidates: InstanceType<typeof RE2.Set> | undefined;
  /**
   * Which may have a raw match ending at the end of a text (`(?:pattern)$`: a superset), so only those are searched for
   * one.
   */
  atEnd: InstanceType<typeof RE2.Set> | undefined;
  /** The largest contextWindow.before of any recognizer (normalised characters). */
  maxContextBefore: number;
}

/** Compiled once per recognizer list (a classifier's list is frozen and lives as long as the classifier). */
const plans = new WeakMap<readonly RecognizerDefinition[], HoldPlan>();

/**
 * The plan for a recognizer list. A classifier builds it with its own compiled recognizers when it is built, so a
 * defect surfaces at start-up and the first stream pays nothing (matching is synchronous: sharing the RE2 objects,
 * whose lastIndex every user sets before each call, is safe).
 */
export function holdPlanFor(
  definitions: readonly RecognizerDefinition[],
  compiled?: readonly CompiledRecognizer[],
): HoldPlan {
  const cached = plans.get(definitions);
  if (cached !== undefined) return cached;
  const recognizers = compiled ?? definitions.map(compileRecognizer);
  // Built-in partials share one RE2, except those of recognizers with a set of their own (separateSet: date and name
  // partials list words in many languages): in the shared one they outgrow RE2's DFA cache and every search falls
  // back to the slow path (85 µs for 81 bytes, 32 searches a stream), so they are searched apart, as they are matched.
  const shared = (d: RecognizerDefinition) => DEFAULT_RECOGNIZERS.includes(d) && d.separateSet !== true;
  const builtIn = definitions.filter((d) => d.partial !== undefined && shared(d));
  const others = definitions.filter((d) => d.partial !== undefined && !shared(d));
  let partials: RE2[];
  let partialSet: HoldPlan['partialSet'];
  let candidates: HoldPlan['candidates'];
  let atEnd: HoldPlan['atEnd'];
  try {
    partials = [
      ...(builtIn.length === 0 ? [] : [new RE2(builtIn.map((d) => `(?:${d.partial})$`).join('|'))]),
      ...others.map((d) => new RE2(`(?:${d.partial})$`)),
    ];
    partialSet = partials.length === 0 ? undefined : new RE2.Set(partials.map((p) => p.source));
    candidates = recognizers.length === 0 ? undefined : new RE2.Set(recognizers.map((r) => r.regex.source));
    atEnd = recognizers.length === 0 ? undefined : new RE2.Set(recognizers.map((r) => `(?:${r.regex.source})$`));
  } catch (cause) {
    throw new ClassificationError(
      'ERR_RECOGNIZER_INVALID',
      null,
      'recognizer partials do not compile together in RE2',
      { cause },
    );
  }
  const plan: HoldPlan = {
    recognizers,
    partials,
    partialSet,
    fixedWindow: recognizers.some((r) => r.partial === undefined),
    candidates,
    atEnd,
    maxContextBefore: Math.max(0, ...recognizers.map((r) => r.contextBefore)),
  };
  plans.set(definitions, plan);
  return plan;
}

/** A normalised text with its UTF-8 bytes (what RE2 runs on) and the original it came from. */
export interface ScanText {
  original: string;
  normalized: NormalizedText;
  bytes: Buffer;
}

/**
 * Maps byte offsets in `t.bytes` to original UTF-16 offsets (starts and ends map differently around dropped
 * characters).
 */
function offsetMapper(
  t: ScanText,
  byteOffsets: readonly number[],
): { unit(b: number): number; start(b: number): number; end(b: number): number } {
  const ascii = t.bytes.length === t.normalized.text.length;
  const units = ascii ? undefined : utf16OffsetsOf(t.bytes, byteOffsets);
  const unit = (b: number) => (units === undefined ? b : (units.get(b) ?? 0));
  return { unit, start: (b) => t.normalized.startOf(unit(b)), end: (b) => t.normalized.endOf(unit(b)) };
}

/**
 * The earliest original offset where a declared partial matches the rest of the text; the text's length when none does.
 */
export function partialStart(plan: HoldPlan, t: ScanText): number {
  let at = -1;
  for (const index of matchingPartials(plan, t.bytes)) {
    const found = (plan.partials[index] as RE2).search(t.bytes);
    if (found >= 0 && (at < 0 || found < at)) at = found;
  }
  return at < 0 ? t.original.length : offsetMapper(t, [at]).start(at);
}

/** The indexes of the partials that match `bytes`; all of them when the set cannot tell (its DFA out of memory). */
function matchingPartials(plan: HoldPlan, bytes: Buffer): readonly number[] {
  if (plan.partialSet !== undefined) {
    try {
      return plan.partialSet.match(bytes);
    } catch {
      // Searching every partial is what the set saves: slower, never less held (the set's failure is its memory).
    }
  }
  return plan.partials.map((_, index) => index);
}

export interface MatchHolds {
  /** Original offset to hold from for validated matches (the text's length when nothing needs holding). */
  from: number;
  /** Original offset to hold from for raw matches reaching the end (the text's length when none does). */
  rawFrom: number;
  /** Every validated match's span (original offsets): a cut MUST NOT fall inside one. */
  spans: [number, number][];
}

/**
 * Raw matches (before validation, leftmost-first, as RE2 reports them) that reach the end of the text, and validated
 * matches (the classifier's own search) that reach the end or whose after-context window passes it.
 */
export function matchHolds(plan: HoldPlan, t: ScanText): MatchHolds {
  const present = plan.candidates === undefined ? [] : plan.candidates.match(t.bytes);
  const atEnd = new Set(present.length === 0 || plan.atEnd === undefined ? [] : plan.atEnd.match(t.bytes));
  const end = t.bytes.length;
  const holdBytes: number[] = [];
  const found: { r: CompiledRecognizer; start: number; end: number }[] = [];
  for (const index of present) {
    const r = plan.recognizers[index] as CompiledRecognizer;
    for (let from = 0; atEnd.has(index) && from <= end; ) {
      r.regex.lastIndex = from;
      const m = r.regex.exec(t.bytes);
      if (m === null) break;
      const stop = m.index + (m[0] as unknown as Buffer).length;
      if (stop === end) {
        holdBytes.push(m.index);
        break;
      }
      from = stop > m.index ? stop : m.index + utf8SequenceLength(t.bytes[m.index] ?? 0);
    }
    for (const m of matchesOf(r, t.bytes, undefined, 'whole')) found.push({ r, start: m.startByte, end: m.endByte });
  }
  const map = offsetMapper(t, [...holdBytes, ...found.flatMap((m) => [m.start, m.end])]);
  let rawFrom = t.original.length;
  for (const b of holdBytes) rawFrom = Math.min(rawFrom, map.start(b));
  let from = t.original.length;
  const units = t.normalized.text.length;
  const spans: [number, number][] = [];
  for (const m of found) {
    const start = map.start(m.start);
    spans.push([start, map.end(m.end)]);
    if (m.end === end || (m.r.contextWords.length > 0 && map.unit(m.end) + m.r.contextAfter > units))
      from = Math.min(from, start);
  }
  return { from, rawFrom, spans };
}
