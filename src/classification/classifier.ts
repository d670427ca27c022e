// The classify stage: RE2 recognizers over every text segment, compiled once when the classifier is built.
// Invariants: no JS RegExp ever runs on user text (RE2 is linear-time); matching runs on the UTF-8 bytes (a JS
// string subject makes RE2 miss everything after a lone surrogate) and offsets are mapped back to UTF-16 in the
// original text; a finding carries a keyed fingerprint, never the value; output order is deterministic.
// Text is normalised before matching (normalize.ts); numeric recognizers also scan a digits view (digit-view.ts),
// encoded runs are decoded once (decode.ts), and text around segment boundaries is joined (segment-join.ts, read by
// join-readings.ts; join windows in batches: window-batches.ts).

import { type CompiledRecognizer, compileRecognizers } from './compile.ts';
import { candidatesOf, createWordFinder, type RecognizerSet, recognizerSet } from './recognizer-sets.ts';
import { dedupe, type Draft, yieldFallbacks } from './drafts.ts';
import { ClassificationError } from './errors.ts';
import { createFingerprinter } from './fingerprint.ts';
import { matchesOf, type ValidationMemo } from './matching.ts';
import { normalizeText, type NormalizedText } from './normalize.ts';
import { Utf8Offsets } from './decode-candidates.ts';
import { createDecodeBudget, decodedRuns, joinDecoded, privateKeysIn, runsCovering, spanOfPiece } from './decode.ts';
import type { DecodeBudget } from './decode.ts';
import { DIGIT_VIEW_RECOGNIZERS, digitIslands, holdsRewrite } from './digit-view.ts';
import { keysWhereOpening } from './join-decode.ts';
import { type JoinReader, joinedDrafts } from './join-readings.ts';
import { isClosedToken, MAX_CLOSED_TOKEN } from './reading-orders.ts';
import { batchGap, draftsOfWindows, type Near, type WindowReader } from './window-batches.ts';
import { digitValue } from './unicode-table.ts';
import { holdPlanFor } from './stream-hold.ts';
import { resolveOverlaps } from './overlap.ts';
import { nameLists } from './person-names.ts';
import { EXCLUDE_BEFORE, hasContext, isExcluded } from './match-context.ts';
import { preparePhoneMetadata } from './phone.ts';
import { DEFAULT_RECOGNIZERS } from './recognizers.ts';
import { addFinding, emptyCounts } from './counts.ts';
import { CleanTexts } from './clean-memo.ts';
import type {
  Classification,
  Classifier,
  ClassifyOptions,
  Finding,
  RecognizerDefinition,
  TextSegment,
} from './types.ts';

export const MIN_FINGERPRINT_KEY_BYTES = 16;

export function createClassifier(opts: {
  fingerprintKey: Uint8Array;
  /** Replaces the built-in set; pass [...DEFAULT_RECOGNIZERS, ...custom] to extend it. */
  recognizers?: readonly RecognizerDefinition[];
  /**
   * Report values reserved for fiction and documentation too: 555-0100..0199 phone numbers and addresses at
   * example.com/.net/.org and the .example/.test/.invalid/.localhost domains. Default false (they are sample data).
   */
  fictional?: boolean;
  /**
   * How join windows scanned together are kept apart: `short` (default) by one PAIR_GAP, a member read again alone when
   * a match in it is within MATCH_READ_REACH of a neighbour; `reach` by a gap longer than every reach (tests: both MUST
   * find the same).
   */
  windowBatches?: 'short' | 'reach';
  /**
   * Build every view of every text, also where it provably yields nothing (a digits view of fewer digits than a numeric
   * value holds, a DER key read of a text without a key's opening). Default false (tests: both MUST find the same).
   */
  readEveryView?: boolean;
}): Classifier {
  if (!(opts.fingerprintKey instanceof Uint8Array) || opts.fingerprintKey.byteLength < MIN_FINGERPRINT_KEY_BYTES) {
    throw new ClassificationError(
      'ERR_FINGERPRINT_KEY_INVALID',
      null,
      `fingerprintKey must be at least ${MIN_FINGERPRINT_KEY_BYTES} bytes`,
    );
  }
  const fingerprintOf = createFingerprinter(opts.fingerprintKey);
  const definitions: readonly RecognizerDefinition[] = Object.freeze([...(opts.recognizers ?? DEFAULT_RECOGNIZERS)]);
  const recognizers = compileRecognizers(definitions, { fictional: opts.fictional === true });
  holdPlanFor(definitions, recognizers); // what stream scanners hold back (stream-hold.ts): checked at start-up too
  const all = recognizerSet(recognizers);
  const numeric = recognizerSet(
    recognizers.filter((_, i) => DIGIT_VIEW_RECOGNIZERS.includes(definitions[i] as RecognizerDefinition)),
  );
  // The recognizers that require context, for labelWindows (a label in one segment, its value in the next).
  const contextual = {
    main: recognizerSet(recognizers.filter((r) => r.requireContext)),
    digits: recognizerSet(
      recognizers.filter(
        (r, i) => r.requireContext && DIGIT_VIEW_RECOGNIZERS.includes(definitions[i] as RecognizerDefinition),
      ),
    ),
  };
  digitValue(0x660); // builds the Unicode digit table now (start-up), not on the first request
  digitIslands(normalizeText('0')); // and the digits view's native search (digit-view.ts: hasDigitThenSeparator)
  if (definitions.some((d) => d.validator === 'person_name' || d.validator === 'person_name_listed')) nameLists();
  if (definitions.some((d) => d.validator?.startsWith('phone') === true)) preparePhoneMetadata();
  // How far any look around a match reaches (match-context.ts, matching.ts), and what keeps windows scanned together
  // apart (window-batches.ts): one PAIR_GAP, each member a match reads past scanned again alone; or (`reach`) a gap
  // past every recognizer's context and exclusion reach.
  const readReach = Math.max(
    MATCH_READ_REACH,
    EXCLUDE_BEFORE,
    ...recognizers.map((r) => Math.max(r.contextBefore, r.contextAfter)),
  );
  const shortBatches = opts.windowBatches !== 'reach';
  const everyView = opts.readEveryView === true;
  const reachGap = batchGap(
    Math.max(EXCLUDE_BEFORE, ...recognizers.map((r) => Math.max(r.contextBefore, r.contextAfter))),
  );
  const wordsPresent = createWordFinder(recognizers.filter((r) => r.requireContext).flatMap((r) => r.contextWords));
  // Per recognizer that requires context, its words as a set: a view holds few of them, a recognizer up to hundreds.
  const contextWordSets = new Map(recognizers.map((r) => [r, new Set(r.contextWords)] as const));

  /** Validator answers of the classify call under way (classify is synchronous: one call at a time). */
  let memo: ValidationMemo | undefined;

  /**
   * The drafts of one view of a segment (main or digits) by the recognizers of `set`, at original offsets. `near`, when
   * given, hears of every match kept (a draft or not): its span and what the looks around it may read (readReach each
   * side), at original offsets.
   */
  function scanView(
    normalized: NormalizedText,
    set: RecognizerSet,
    segment: TextSegment,
    index: number,
    keep?: (start: number, end: number) => boolean,
    near?: Near,
    shared?: Utf8Offsets,
  ): Draft[] {
    // The view's UTF-8 and the map of its offsets: shared with decoding when the caller gives them (the main view).
    const offsets = shared ?? new Utf8Offsets(normalized.text);
    const bytes = offsets.bytes;
    // One pass of the combined automaton says which recognizers can match at all; only those run.
    // A recognizer that needs context cannot report anything when none of its words is anywhere in the text.
    let present: ReadonlySet<string> | undefined;
    const mayReport = (r: CompiledRecognizer) => {
      if (!r.requireContext) return true;
      const words = contextWordSets.get(r) as ReadonlySet<string>;
      for (const w of (present ??= wordsPresent(normalized.text, bytes))) if (words.has(w)) return true;
      return false;
    };
    const recognizersToRun = candidatesOf(set, bytes, mayReport, () => present !== undefined);
    // Pure ASCII: byte offsets are UTF-16 offsets. Otherwise the map reads the text as far as the matches lie (a view
    // with none never pays a pass).
    const ascii = offsets.ascii;
    const unitsAt = ascii ? undefined : (byte: number) => offsets.unitAt(byte);
    // One recognizer's matches at a time, dropped once they are drafts, and one draft per type and span (two
    // recognizers of a type, US_SSN and US_SSN_CONTEXT, match the same values): a dense text's matches of every
    // recognizer and their duplicate drafts never exist at once. Kept as `dedupe` would keep it: the more confident,
    // the first on a tie. Insertion order is kept (a replaced draft keeps its place).
    const byTypeAndSpan = new Map<string, Map<number, Draft>>();
    const width = normalized.text.length + 1;
    let lower: string | undefined;
    for (const r of recognizersToRun) {
      let drafts = byTypeAndSpan.get(r.type);
      if (drafts === undefined) byTypeAndSpan.set(r.type, (drafts = new Map()));
      for (const m of matchesOf(r, bytes, memo, 'near', ascii ? normalized.text : undefined)) {
        const words = r.contextWords.length + r.excludeWords.length + r.excludeAdjacent.length;
        if (normalized.simple && words > 0) lower ??= normalized.text.toLowerCase();
        const start = unitsAt === undefined ? m.startByte : unitsAt(m.startByte);
        const end = unitsAt === undefined ? m.endByte : unitsAt(m.endByte);
        if (keep !== undefined && !keep(start, end)) continue;
        if (near !== undefined) {
          const from = normalized.startOf(Math.max(0, start - readReach));
          const to = normalized.endOf(Math.min(normalized.text.length, end + readReach));
          near(normalized.startOf(start), normalized.endOf(end), from, to);
        }
        if (isExcluded(normalized.text, lower, start, r)) continue;
        const context = hasContext(normalized.text, lower, start, end, r);
        if (r.requireContext && !context) continue;
        const confidence = context ? r.contextScore : r.baseScore;
        const key = start * width + end; // exact: texts are far below 2^26 characters (2^52 < 2^53)
        const same = drafts.get(key);
        if (same !== undefined && same.confidence >= confidence) continue;
        drafts.set(key, {
          type: r.type,
          category: r.category,
          segment: index,
          path: segment.path,
          start: normalized.startOf(start),
          end: normalized.endOf(end),
          confidence,
          fallback: r.fallback,
          recognizer: r,
          value: m.value,
        });
      }
    }
    const found: Draft[] = [];
    for (const drafts of byTypeAndSpan.values()) for (const d of drafts.values()) found.push(d);
    return found;
  }

  /**
   * The drafts of a main view's digits view (digit-view.ts) by `set`, pushed onto `found`: the view only around its
   * rewrites, and only values holding a rewritten character (the rest are the main view's own); not built for a text
   * with fewer digits than a numeric value holds. A loop, not push(...): a dense megabyte has more drafts than a call's
   * arguments may hold.
   */
  function scanDigits(
    normalized: NormalizedText,
    set: RecognizerSet,
    segment: TextSegment,
    index: number,
    found: Draft[],
    near?: Near,
  ): void {
    if (!everyView && !holdsDigits(normalized.text, MIN_NUMERIC_DIGITS)) return;
    for (const island of digitIslands(normalized)) {
      const keep = (start: number, end: number) => holdsRewrite(island.rewritten, start, end);
      for (const d of scanView(island.view, set, segment, index, keep, near)) found.push(d);
    }
  }

  /**
   * Every draft of one segment: the main view with every recognizer, the digits view (digit-view.ts) with the numeric
   * ones, and, given a decoding budget, what its encoded runs decode to (decode.ts), reported on each whole run.
   */
  function scan(
    segment: TextSegment,
    index: number,
    budget?: DecodeBudget,
    sets: { main?: RecognizerSet; digits?: RecognizerSet } = { main: all, digits: numeric },
    near?: Near,
  ): Draft[] {
    if (sets.main === undefined || segment.text.length === 0) return [];
    // A lone surrogate (a JSON `\ud800` escape) is read as U+FFFD, which the main view drops: one inside a value must
    // not split it (an upstream's decoder may drop it before the model reads). Same length: offsets are unchanged.
    const normalized = normalizedView(segment.text);
    const offsets = new Utf8Offsets(normalized.text);
    const found = scanView(normalized, sets.main, segment, index, undefined, near, offsets);
    if (sets.digits !== undefined) scanDigits(normalized, sets.digits, segment, index, found, near);
    const decoded = budget === undefined ? [] : decodedRuns(normalized, budget, false, undefined, offsets);
    if (decoded.length > 0) {
      // One level: the decoded text is scanned without decoding again; a finding covers each run it touches (its exact
      // characters for percent-encoding).
      const joined = joinDecoded(decoded);
      for (const d of scan({ path: segment.path, text: joined.text }, index)) {
        runsCovering(joined, d.start, d.end).forEach((piece, k) => {
          const [start, end] = spanOfPiece(piece);
          found.push({ ...d, start, end, continuation: k > 0 });
        });
      }
    }
    return found;
  }

  /**
   * Closed tokens (`assistant`, `stop`) found clean with the budget ample, and any text of at most 64 characters found
   * clean decoding nothing (a model, a system fingerprint: the budget only decides whether a decoded run throws, so it
   * is so whenever read alone; its joins are read every time). A hit keeps cleanTokens as a reading would keep it.
   */
  const [cleanTokens, cleanUnspent] = [new CleanTexts(CLEAN_TOKENS), new CleanTexts(CLEAN_TOKENS)];
  function scanSegment(segment: TextSegment, index: number, budget: DecodeBudget): Draft[] {
    const { text } = segment;
    const token = isClosedToken(text);
    if (token && cleanTokens.has(text)) return [];
    const [runs, chars, ample] = [budget.runs, budget.chars, Math.min(budget.runs, budget.chars) >= MAX_CLOSED_TOKEN];
    const found = cleanUnspent.has(text) ? [] : scan(segment, index, budget);
    if (found.length > 0) return found;
    if (token && ample) cleanTokens.add(text);
    if (text.length <= MAX_CLOSED_TOKEN && budget.runs === runs && budget.chars === chars) cleanUnspent.add(text);
    return found;
  }

  /** How a call's window texts are read (window-batches.ts): the digits view member by member, unless every view. */
  const windowReader: WindowReader = {
    scan: (text, near, mainOnly) => scan({ path: '', text }, -1, undefined, mainOnly ? { main: all } : undefined, near),
    ...(everyView || numeric === undefined
      ? {}
      : {
          digits: (text: string) => {
            const found: Draft[] = [];
            scanDigits(normalizedView(text), numeric, { path: '', text }, -1, found);
            return found;
          },
        }),
    shortBatches,
    reachGap,
  };
  /** How the texts the joins build are read (join-readings.ts). */
  const joinReader: JoinReader = {
    scan: (text, budget) => scan({ path: '', text }, -1, budget),
    scanContextual: (text) => scan({ path: '', text }, -1, undefined, contextual),
    windows: (texts) => draftsOfWindows(texts, windowReader),
    decode: {
      normalize: normalizedView,
      scan: (text) => scan({ path: '', text }, -1),
      keysIn: everyView ? privateKeysIn : keysWhereOpening,
    },
  };

  /**
   * Every segment alone, then the text around each boundary between adjacent segments, turns of one role and paths
   * of one shape (segment-join.ts, join-readings.ts).
   */
  function scanAll(segments: readonly TextSegment[]): Draft[] {
    const budget = createDecodeBudget(segments.reduce((length, segment) => length + segment.text.length, 0));
    const found = segments.flatMap((segment, index) => scanSegment(segment, index, budget));
    for (const d of joinedDrafts(segments, found, budget, joinReader)) found.push(d);
    return found;
  }

  function classify(segments: readonly TextSegment[], options: ClassifyOptions = {}): Classification {
    const cap = options.maxFindings ?? Number.POSITIVE_INFINITY;
    if (!(cap === Number.POSITIVE_INFINITY || (Number.isSafeInteger(cap) && cap >= 0))) {
      throw new ClassificationError(
        'ERR_CLASSIFIER_OPTIONS_INVALID',
        null,
        'maxFindings must be a non-negative integer',
      );
    }
    // Every finding is counted; only kept ones (the first `cap`) are fingerprinted and copied, and a value repeated
    // in one call (chat history resends every earlier message) is fingerprinted once.
    // A value across segments is counted once (its first piece); every piece is a finding, so redaction sees each.
    const counts = emptyCounts(segments.length);
    const findings: Finding[] = [];
    const known = new Map<string, string>();
    let truncated = false;
    // The types of findings past the cap (a piece of a split value included): a caller that redacts a type MUST NOT
    // forward when one of its findings was not kept (counts cover values, kept findings cover pieces: not comparable).
    const dropped = new Set<string>();
    // Validator answers are kept for this call only (a repeated value is validated once), never across calls.
    memo = new Map();
    let scanned: Draft[];
    try {
      scanned = scanAll(segments);
    } finally {
      memo = undefined;
    }
    const drafts = resolveOverlaps(dedupe(yieldFallbacks(scanned)), (d) => d.recognizer.strength);
    for (const d of drafts) {
      addFinding(counts, d);
      if (findings.length >= cap) {
        truncated = true;
        dropped.add(d.type);
        continue;
      }
      const normalized = d.recognizer.normalize(d.value);
      let fingerprint = known.get(normalized);
      if (fingerprint === undefined) known.set(normalized, (fingerprint = fingerprintOf(normalized)));
      findings.push({
        type: d.type,
        category: d.category,
        segment: d.segment,
        path: d.path,
        start: d.start,
        end: d.end,
        confidence: d.confidence,
        fingerprint,
      });
    }
    return { findings, counts, truncated, ...(dropped.size > 0 ? { droppedTypes: [...dropped].sort() } : {}) };
  }

  return { classify, recognizers: definitions };
}

/**
 * Characters any look around a match reads besides its recognizer's context reach: EXCLUDE_BEFORE (24), an adjacent
 * exclusion phrase (40 before) and a company's legal form (80 from a name's start) in match-context.ts, a re-match a
 * few code points on (matching.ts); with room to spare.
 */
export const MATCH_READ_REACH = 128;

/**
 * Fewest ASCII digits a match of a numeric recognizer (DIGIT_VIEW_RECOGNIZERS: SSNs, a BSN, a routing number 9, an
 * NHS number 10, a card 13) holds. The digits view copies the main view's characters or writes `-`, never a digit, so
 * a main view with fewer digits has no digits view worth building (views-property.test.ts checks both).
 */
export const MIN_NUMERIC_DIGITS = 9;

const ASCII_DIGIT = /[0-9]/g;

/**
 * Whether `text` holds at least `count` ASCII digits (the main view writes every decimal digit in ASCII). Up to 1,024
 * characters (windows, ids: dense with digits, a native call a digit cost more) by a loop; past that by a native
 * search from digit to digit: prose without digits is one search. Both count U+0030..U+0039.
 */
export function holdsDigits(text: string, count: number): boolean {
  let seen = 0;
  if (text.length > 1024) {
    for (ASCII_DIGIT.lastIndex = 0; ASCII_DIGIT.test(text); ) if (++seen >= count) return true;
    return false;
  }
  for (let i = 0; i < text.length; i += 1) if ((text.charCodeAt(i) ^ 0x30) < 10 && ++seen >= count) return true;
  return false;
}

/** Segment texts remembered clean per classifier, in each of scanSegment's two memos. */
const CLEAN_TOKENS = 1024;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The main view of a text: every lone surrogate as U+FFFD, then normalised (normalize.ts). */
function normalizedView(text: string): NormalizedText {
  return normalizeText(wellFormed(text));
}

/** `text` with every lone surrogate as U+FFFD (String.prototype.toWellFormed, ES2024): same length, same offsets. */
function wellFormed(text: string): string {
  return /[\ud800-\udfff]/.test(text) ? text.replace(LONE_SURROGATE, '\ufffd') : text;
}
