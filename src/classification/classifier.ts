// The classify stage: RE2 recognizers over every text segment, compiled once when the classifier is built.
// Invariants: no JS RegExp ever runs on user text (RE2 is linear-time); matching runs on the UTF-8 bytes (a JS
// string subject makes RE2 miss everything after a lone surrogate) and offsets are mapped back to UTF-16 in the
// original text; a finding carries a keyed fingerprint, never the value; output order is deterministic.
// Seams: NFKC/zero-width normalisation slots in at `bytesOf` with an offset map; redaction consumes the spans.

import { createHmac, createSecretKey } from 'node:crypto';
import RE2 from 're2';
import { ClassificationError } from './errors.ts';
import { DEFAULT_RECOGNIZERS } from './recognizers.ts';
import { CATEGORIES } from './types.ts';
import type { Classification, Classifier, Finding, RecognizerDefinition, TextSegment } from './types.ts';
import { utf16OffsetsOf, utf8SequenceLength } from './utf8-offsets.ts';
import { NORMALIZERS, REFINERS, VALIDATORS } from './validators.ts';

export const MIN_FINGERPRINT_KEY_BYTES = 16;
/** UTF-16 units before / after a match searched for context words. */
const CONTEXT_BEFORE = 48;
const CONTEXT_AFTER = 24;
const DEFAULT_CONTEXT_BOOST = 20;
/**
 * Re-searches after rejected matches, per recognizer and segment. Bounds the work an adversarial text can cause
 * (each re-search rescans at most one match length); beyond it, the search resumes after the rejected match.
 */
const MAX_REJECTED_RESTARTS = 1024;

interface CompiledRecognizer {
  type: string;
  category: Finding['category'];
  regex: RE2;
  group: number;
  refine: ((value: string) => [number, number][]) | undefined;
  validate: ((value: string) => boolean) | undefined;
  normalize: (value: string) => string;
  contextWords: readonly string[];
  baseScore: number;
  contextScore: number;
}

interface Match { recognizer: CompiledRecognizer; startByte: number; endByte: number; value: string }

function isScore(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 100;
}

function invalid(name: string, message: string, cause?: unknown): ClassificationError {
  return new ClassificationError('ERR_RECOGNIZER_INVALID', name, message, { cause });
}

function checkData(def: RecognizerDefinition, name: string): void {
  if (typeof def.type !== 'string' || !/^[A-Z][A-Z0-9_]{0,63}$/.test(def.type)) {
    throw invalid(name, 'type must be upper-case letters, digits and underscores');
  }
  if (!CATEGORIES.includes(def.category)) throw invalid(name, `category must be one of ${CATEGORIES.join(', ')}`);
  if (typeof def.pattern !== 'string' || def.pattern === '') throw invalid(name, 'pattern must be a non-empty string');
  if (!isScore(def.baseScore)) throw invalid(name, 'baseScore must be an integer 0..100');
  if (def.contextScore !== undefined && !isScore(def.contextScore)) throw invalid(name, 'contextScore must be an integer 0..100');
  if (def.refiner !== undefined && !Object.hasOwn(REFINERS, def.refiner)) throw invalid(name, 'unknown refiner');
  if (def.validator !== undefined && !Object.hasOwn(VALIDATORS, def.validator)) throw invalid(name, 'unknown validator');
  if (def.normalizer !== undefined && !Object.hasOwn(NORMALIZERS, def.normalizer)) throw invalid(name, 'unknown normalizer');
  const words = def.contextWords ?? [];
  if (!Array.isArray(words) || !words.every((w) => typeof w === 'string' && w !== '' && w === w.toLowerCase())) {
    throw invalid(name, 'contextWords must be non-empty lower-case strings');
  }
}

function compile(def: RecognizerDefinition, index: number): CompiledRecognizer {
  const name = typeof def.type === 'string' && def.type !== '' ? def.type : `#${index}`;
  checkData(def, name);
  let regex: RE2;
  let groups: number;
  try {
    regex = new RE2(def.pattern, 'gd');
    // `(?:p)|` always matches the empty input, and its result has one slot per capture group of p.
    groups = (new RE2(`(?:${def.pattern})|`, 'd').exec(Buffer.alloc(0))?.indices?.length ?? 1) - 1;
  } catch (cause) {
    throw invalid(name, 'pattern does not compile in RE2', cause);
  }
  if (regex.test(Buffer.alloc(0))) throw invalid(name, 'pattern matches the empty string');
  const group = def.group ?? 0;
  if (!Number.isInteger(group) || group < 0 || group > groups) throw invalid(name, `group must be 0..${groups}`);
  return {
    type: def.type,
    category: def.category,
    regex,
    group,
    refine: def.refiner === undefined ? undefined : REFINERS[def.refiner],
    validate: def.validator === undefined ? undefined : VALIDATORS[def.validator],
    normalize: NORMALIZERS[def.normalizer ?? 'none'],
    contextWords: Object.freeze([...(def.contextWords ?? [])]),
    baseScore: def.baseScore,
    contextScore: def.contextScore ?? Math.min(100, def.baseScore + DEFAULT_CONTEXT_BOOST),
  };
}

function isAsciiLetter(char: string | undefined): boolean {
  return char !== undefined && ((char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z'));
}

/** `word` occurs in `haystack` not glued to other letters (so 'cc' is not found in 'account'). */
function containsWord(haystack: string, word: string): boolean {
  for (let at = haystack.indexOf(word); at >= 0; at = haystack.indexOf(word, at + 1)) {
    if (!isAsciiLetter(haystack[at - 1]) && !isAsciiLetter(haystack[at + word.length])) return true;
  }
  return false;
}

function hasContext(text: string, start: number, end: number, words: readonly string[]): boolean {
  if (words.length === 0) return false;
  const before = text.slice(Math.max(0, start - CONTEXT_BEFORE), start).toLowerCase();
  const after = text.slice(end, end + CONTEXT_AFTER).toLowerCase();
  return words.some((word) => containsWord(before, word) || containsWord(after, word));
}

/** The bytes RE2 scans. Later: NFKC + zero-width removal here, returning an offset map to the original. */
function bytesOf(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** The accepted candidates inside one match span: the refiner's windows (or the span), each validated. */
function candidatesIn(recognizer: CompiledRecognizer, bytes: Buffer, span: readonly [number, number]): Match[] {
  const value = bytes.toString('utf8', span[0], span[1]);
  const windows = recognizer.refine === undefined ? [[0, value.length] as [number, number]] : recognizer.refine(value);
  const accepted: Match[] = [];
  for (const [start, end] of windows) {
    const candidate = value.slice(start, end);
    if (recognizer.validate !== undefined && !recognizer.validate(candidate)) continue;
    accepted.push({
      recognizer,
      startByte: span[0] + Buffer.byteLength(value.slice(0, start), 'utf8'),
      endByte: span[0] + Buffer.byteLength(value.slice(0, end), 'utf8'),
      value: candidate,
    });
  }
  return accepted;
}

function matchesOf(recognizer: CompiledRecognizer, bytes: Buffer): Match[] {
  const matches: Match[] = [];
  const { regex } = recognizer;
  let restarts = 0;
  regex.lastIndex = 0;
  for (let m = regex.exec(bytes); m !== null; m = regex.exec(bytes)) {
    const whole = m.indices?.[0];
    if (whole === undefined) break;
    const [matchStart, matchEnd] = whole;
    const nextCodePoint = matchStart + utf8SequenceLength(bytes[matchStart] ?? 0);
    if (matchEnd === matchStart) {
      // An empty match does not advance lastIndex; step over one whole code point.
      if (nextCodePoint > bytes.length) break;
      regex.lastIndex = nextCodePoint;
      continue;
    }
    const span = m.indices?.[recognizer.group];
    const accepted = span === undefined || span[1] === span[0] ? [] : candidatesIn(recognizer, bytes, span);
    matches.push(...accepted);
    if (accepted.length === 0 && recognizer.refine === undefined && restarts < MAX_REJECTED_RESTARTS) {
      // A rejected match must not hide a valid one that starts inside it: search again one code point later.
      restarts += 1;
      regex.lastIndex = nextCodePoint;
    } else if (span !== undefined && span[1] > matchStart && span[1] < matchEnd) {
      regex.lastIndex = span[1]; // trailing context (a delimiter) may begin the next match
    }
  }
  return matches;
}

function compareFindings(a: Finding, b: Finding): number {
  return a.segment - b.segment || a.start - b.start || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0) || a.end - b.end;
}

/** Keeps one finding per overlapping run of the same type: the most confident, then the longest. */
function dedupe(findings: Finding[]): Finding[] {
  const byTypeThenStart = [...findings].sort((a, b) =>
    a.segment - b.segment || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0) || a.start - b.start || a.end - b.end);
  const kept: Finding[] = [];
  for (const finding of byTypeThenStart) {
    const last = kept[kept.length - 1];
    if (last !== undefined && last.segment === finding.segment && last.type === finding.type && finding.start < last.end) {
      const better = finding.confidence > last.confidence
        || (finding.confidence === last.confidence && finding.end - finding.start > last.end - last.start);
      if (better) kept[kept.length - 1] = finding;
      continue;
    }
    kept.push(finding);
  }
  return kept.sort(compareFindings);
}

export function createClassifier(opts: {
  fingerprintKey: Uint8Array;
  /** Replaces the built-in set; pass [...DEFAULT_RECOGNIZERS, ...custom] to extend it. */
  recognizers?: readonly RecognizerDefinition[];
}): Classifier {
  if (!(opts.fingerprintKey instanceof Uint8Array) || opts.fingerprintKey.byteLength < MIN_FINGERPRINT_KEY_BYTES) {
    throw new ClassificationError('ERR_FINGERPRINT_KEY_INVALID', null,
      `fingerprintKey must be at least ${MIN_FINGERPRINT_KEY_BYTES} bytes`);
  }
  // A KeyObject copy: later changes by the caller do not alter fingerprints, and HMAC setup is cheaper.
  const key = createSecretKey(Buffer.from(opts.fingerprintKey));
  const recognizers = (opts.recognizers ?? DEFAULT_RECOGNIZERS).map(compile);
  let candidates: InstanceType<typeof RE2.Set> | undefined;
  if (recognizers.length > 0) {
    try {
      candidates = new RE2.Set(recognizers.map((r) => r.regex.source));
    } catch (cause) {
      throw new ClassificationError('ERR_RECOGNIZER_INVALID', null, 'recognizer set does not compile in RE2', { cause });
    }
  }

  function fingerprint(recognizer: CompiledRecognizer, value: string): string {
    return createHmac('sha256', key).update(recognizer.normalize(value), 'utf8').digest('hex');
  }

  function scan(segment: TextSegment, index: number): Finding[] {
    if (candidates === undefined || segment.text.length === 0) return [];
    const bytes = bytesOf(segment.text);
    // One pass of the combined automaton says which recognizers can match at all; only those run.
    const matches = candidates.match(bytes).sort((a, b) => a - b)
      .flatMap((i) => matchesOf(recognizers[i] as CompiledRecognizer, bytes));
    const offsets = utf16OffsetsOf(bytes, matches.flatMap((m) => [m.startByte, m.endByte]));
    return matches.map((m) => {
      const start = offsets.get(m.startByte) ?? 0;
      const end = offsets.get(m.endByte) ?? 0;
      const r = m.recognizer;
      return {
        type: r.type,
        category: r.category,
        segment: index,
        path: segment.path,
        start,
        end,
        confidence: hasContext(segment.text, start, end, r.contextWords) ? r.contextScore : r.baseScore,
        fingerprint: fingerprint(r, m.value),
      };
    });
  }

  return {
    classify: (segments) => ({ findings: dedupe(segments.flatMap(scan)) }),
  };
}
