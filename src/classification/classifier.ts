// The classify stage: RE2 recognizers over every text segment, compiled once when the classifier is built.
// Invariants: no JS RegExp ever runs on user text (RE2 is linear-time); matching runs on the UTF-8 bytes (a JS
// string subject makes RE2 miss everything after a lone surrogate) and offsets are mapped back to UTF-16 in the
// original text; a finding carries a keyed fingerprint, never the value; output order is deterministic.
// Text is NFKC-normalised with zero-width characters dropped before matching (normalize.ts); spans map back.

import { createHmac, createSecretKey } from 'node:crypto';
import RE2 from 're2';
import { compileRecognizer, type CompiledRecognizer } from './compile.ts';
import { ClassificationError } from './errors.ts';
import { normalizeText } from './normalize.ts';
import { DEFAULT_RECOGNIZERS } from './recognizers.ts';
import type { Classification, Classifier, Finding, RecognizerDefinition, TextSegment } from './types.ts';
import { utf16OffsetsOf, utf8SequenceLength } from './utf8-offsets.ts';

export const MIN_FINGERPRINT_KEY_BYTES = 16;
interface Match { recognizer: CompiledRecognizer; startByte: number; endByte: number; value: string }

/**
 * Re-searches after rejected matches, per recognizer and segment. Bounds the work an adversarial text can cause
 * (each re-search rescans at most one match length); beyond it, the search resumes after the rejected match.
 */
const MAX_REJECTED_RESTARTS = 1024;

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

function hasContext(text: string, start: number, end: number, r: CompiledRecognizer): boolean {
  if (r.contextWords.length === 0) return false;
  let before = text.slice(Math.max(0, start - r.contextBefore), start).toLowerCase();
  if (r.contextInClause) {
    const cut = Math.max(before.lastIndexOf('. '), before.lastIndexOf('; '), before.lastIndexOf(', '), before.lastIndexOf('\n'));
    if (cut >= 0) before = before.slice(cut + 1);
  }
  const after = text.slice(end, end + r.contextAfter).toLowerCase();
  return r.contextWords.some((word) => containsWord(before, word) || containsWord(after, word));
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

function isWordByte(byte: number | undefined): boolean {
  return byte !== undefined && ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x5f);
}

/** The first position in [from, limit] where a word starts or a non-word byte is (limit when none before it). */
function nextTokenStart(bytes: Buffer, from: number, limit: number): number {
  for (let p = from; p < limit; p += 1) {
    if (!isWordByte(bytes[p]) || !isWordByte(bytes[p - 1])) return p;
  }
  return limit;
}

function matchesOf(recognizer: CompiledRecognizer, bytes: Buffer): Match[] {
  const matches: Match[] = [];
  const { regex } = recognizer;
  let restarts = 0;
  regex.lastIndex = 0;
  for (let m = regex.exec(bytes); m !== null; m = regex.exec(bytes)) {
    // On a Buffer subject, index and match are bytes; with the 'd' flag indices give every group's byte span.
    const whole: readonly [number, number] = m.indices?.[0] ?? [m.index, m.index + (m[0] as unknown as Uint8Array).length];
    const [matchStart, matchEnd] = whole;
    const nextCodePoint = matchStart + utf8SequenceLength(bytes[matchStart] ?? 0);
    if (matchEnd === matchStart) {
      // An empty match does not advance lastIndex; step over one whole code point.
      if (nextCodePoint > bytes.length) break;
      regex.lastIndex = nextCodePoint;
      continue;
    }
    const span = recognizer.group === 0 ? whole : m.indices?.[recognizer.group];
    const accepted = span === undefined || span[1] === span[0] ? [] : candidatesIn(recognizer, bytes, span);
    matches.push(...accepted);
    if (accepted.length === 0 && recognizer.refine === undefined && restarts < MAX_REJECTED_RESTARTS) {
      // A rejected match must not hide a valid one that starts inside it: search again one code point later, or at
      // the next token start when the pattern cannot start inside a word (each search is a native call of a few µs).
      restarts += 1;
      regex.lastIndex = recognizer.startsAtToken ? nextTokenStart(bytes, nextCodePoint, matchEnd) : nextCodePoint;
    } else if (recognizer.refine !== undefined && accepted.length > 0) {
      // The refiner looked at every candidate window of this run; after the last one it accepted, the rest of the
      // run may still hold a value that does not start at a window boundary (two IBANs in a row).
      const lastEnd = Math.max(...accepted.map((a) => a.endByte));
      if (lastEnd < matchEnd) regex.lastIndex = lastEnd;
    } else if (span !== undefined && span[1] > matchStart && span[1] < matchEnd) {
      regex.lastIndex = span[1]; // trailing context (a delimiter) may begin the next match
    }
  }
  return matches;
}

function compareFindings(a: Finding, b: Finding): number {
  return a.segment - b.segment || a.start - b.start || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0) || a.end - b.end;
}

/** Drops findings of `fallback` recognizers that overlap a finding of a specific one in the same segment. */
function yieldFallbacks(findings: (Finding & { fallback: boolean })[]): Finding[] {
  const specific = findings.filter((f) => !f.fallback);
  const kept = findings.filter((f) => !f.fallback
    || !specific.some((s) => s.segment === f.segment && s.start < f.end && f.start < s.end));
  return kept.map(({ fallback: _fallback, ...finding }) => finding);
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
  const recognizers = (opts.recognizers ?? DEFAULT_RECOGNIZERS).map(compileRecognizer);
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

  function scan(segment: TextSegment, index: number): (Finding & { fallback: boolean })[] {
    if (candidates === undefined || segment.text.length === 0) return [];
    const normalized = normalizeText(segment.text);
    const bytes = Buffer.from(normalized.text, 'utf8');
    // One pass of the combined automaton says which recognizers can match at all; only those run.
    // A recognizer that needs context cannot report anything when none of its words is anywhere in the text.
    let lower: string | undefined;
    const mayReport = (r: CompiledRecognizer) => !r.requireContext
      || r.contextWords.some((w) => (lower ??= normalized.text.toLowerCase()).includes(w));
    const matches = candidates.match(bytes).sort((a, b) => a - b)
      .map((i) => recognizers[i] as CompiledRecognizer)
      .filter(mayReport)
      .flatMap((r) => matchesOf(r, bytes));
    const offsets = utf16OffsetsOf(bytes, matches.flatMap((m) => [m.startByte, m.endByte]));
    const found: (Finding & { fallback: boolean })[] = [];
    for (const m of matches) {
      const start = offsets.get(m.startByte) ?? 0;
      const end = offsets.get(m.endByte) ?? 0;
      const r = m.recognizer;
      const context = hasContext(normalized.text, start, end, r);
      if (r.requireContext && !context) continue;
      found.push({
        type: r.type,
        category: r.category,
        segment: index,
        path: segment.path,
        start: normalized.startOf(start),
        end: normalized.endOf(end),
        confidence: context ? r.contextScore : r.baseScore,
        fingerprint: fingerprint(r, m.value),
        fallback: r.fallback,
      });
    }
    return found;
  }

  return {
    classify: (segments) => ({ findings: dedupe(yieldFallbacks(segments.flatMap(scan))) }),
  };
}
