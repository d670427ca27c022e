// Bounded decoding: runs of base64 (standard or URL-safe), hex (contiguous or separated bytes), percent-encoding,
// quoted-printable, character escapes and lists of decimal character codes in the main view are decoded (to valid UTF-8
// only), and text behind a right-to-left override is read in display order (reversed); what they read as is classified
// (all of a segment's runs as one text, kept apart by RUN_GAP), and a finding there covers its encoded run in the
// original (so redaction removes it). Three levels (DECODE_LEVELS): what a run decodes to is decoded again, twice (a
// second and a third encoding over the first), never a fourth time. Invariants: each character is looked at a bounded
// number of times; a classify() call decodes at most MAX_DECODED_RUNS runs and MAX_DECODED_CHARS characters plus a
// share per character of its text (createDecodeBudget), every level together, and one more fails the call
// (ERR_DECODE_BUDGET_EXCEEDED): a run is never left unread. The decoders themselves are in decode-bytes.ts,
// decode-escapes.ts, decode-stretches.ts, and decode-der.ts for DER private keys in any notation and layout
// (decode-der-literals.ts for a key's bytes percent-encoded or as a Python bytes literal), decode-dumps.ts for hex
// dumps read back to their bytes' text; the native searches that give the scans their candidates are in
// decode-candidates.ts.
import {
  decodeBase64OrHex,
  decodePercent,
  decodeQuotedPrintable,
  isBase64Char,
  isEscapeRunChar,
  isUrlChar,
  lineBreakAt,
  lineBreakBefore,
  qpLineEnd,
  qpLineStart,
  reversedRun,
  separatedHexRuns,
} from './decode-bytes.ts';
import {
  candidateFinder,
  groupCandidates,
  MIN_ENCODED_RUN,
  startPatterns,
  startsIn,
  Utf8Offsets,
} from './decode-candidates.ts';
import { type ArmoredKey, notationKeys, PEM_ARMOR, privateKeys } from './decode-der.ts';
import { bytesLiterals, percentBytesAsHex } from './decode-der-literals.ts';
import { dumpTexts } from './decode-dumps.ts';
import { joinedLiteralRuns } from './decode-joined-literals.ts';
import { codeCallRuns } from './decode-code-calls.ts';
import { binaryByteRuns, charLiteralRuns, decimalCodeRuns, hexLiteralRuns } from './decode-code-lists.ts';
import { decodeEscapes, jsonNameEscapes, type MappedText, wideEscapeRuns } from './decode-escapes.ts';
import { GROUP_REACH, groupTexts } from './decode-groups.ts';
import { base64Stretches } from './decode-stretches.ts';
import { ClassificationError } from './errors.ts';
import { fillerFreeView, fillerRuns } from './filler-runs.ts';
import type { NormalizedText } from './normalize.ts';

/** Shortest percent-encoded run (with at least one %XX escape): `219%2D09%2D9999` is 15 characters. */
export const MIN_PERCENT_RUN = 8;
export const MAX_DECODED_RUNS = 1 << 18;
export const MAX_DECODED_CHARS = 4 << 20;
/** Between two decoded texts: no recognizer matches across it (not a digit separator, not part of any value). */
export const RUN_GAP = ' | ';
/**
 * Encodings read one under another (`| base64 | base64 | base64`, percent of base64 of hex). Every level's texts are
 * spent from the call's budget before they are scanned, and a scan is linear in its text, so the work of all levels
 * together is at most the text plus the budget's characters (linear in the text), whatever the number of levels.
 */
export const DECODE_LEVELS = 3;

/** What is left to decode in one classify() call; shared by all its segments. */
export interface DecodeBudget {
  runs: number;
  chars: number;
}

/**
 * Runs are at least MIN_PERCENT_RUN characters and each scan's runs are apart, so twelve scans (four alignments of a
 * base64 run among them; base64 groups joined, a group in two runs at most; a private key's PEM block, 130 characters,
 * is read from 64 characters or more) decode fewer runs than the text has characters, and fewer characters than four
 * times as many
 * but for a text crafted to be read by every scan at once: such a text fails the call, it is not forwarded unread.
 */
export const DECODED_CHARS_PER_CHAR = 4;

/** The budget of a classify() call over texts of `length` characters in all (join windows included in it). */
export function createDecodeBudget(length = 0): DecodeBudget {
  return { runs: MAX_DECODED_RUNS + length, chars: MAX_DECODED_CHARS + DECODED_CHARS_PER_CHAR * length };
}

/** A run of the main view decoded: its span in the ORIGINAL text and the text it decodes to. */
export interface DecodedRun {
  start: number;
  end: number;
  text: string;
  /**
   * The original span of decoded text [from, to), when the encoding maps characters one by one (percent-encoding);
   * absent for base64 and hex, whose findings cover the whole run.
   */
  spanOf?: (from: number, to: number) => [number, number];
}

/**
 * Takes a decoded text from the budget. A run that does not fit MUST NOT be skipped (unknown is refused): the call
 * fails with ERR_DECODE_BUDGET_EXCEEDED, which a request answers as a classification failure and an answer withholds.
 */
export function spend(budget: DecodeBudget, text: string): void {
  if (budget.runs <= 0 || budget.chars < text.length) {
    throw new ClassificationError(
      'ERR_DECODE_BUDGET_EXCEEDED',
      null,
      'the text holds more encoded runs than a classify call decodes; it is refused unread',
    );
  }
  budget.runs -= 1;
  budget.chars -= text.length;
}

/**
 * The encoded runs of a main view that decode to text, within the budget, and the runs of what they decode to (a
 * second encoding over the first: `xxd -p | base64`, base64 URL-encoded, codes of base64; one shell pipeline each),
 * found over the characters of their outer run (exact ones through a run mapped character by character), and theirs
 * (`levels` in all, DECODE_LEVELS unless a caller read the first itself). A private key's PEM block is not read
 * again (it is the key, read already). `offsets`, when given, MUST be view.text's (the classifier shares its main
 * view's: one UTF-8 copy and one offset walk a text).
 */
export function decodedRuns(
  view: NormalizedText,
  budget: DecodeBudget,
  exhaustive = false,
  levels = DECODE_LEVELS,
  offsets?: Utf8Offsets,
): DecodedRun[] {
  const runs = decodeOnce(view, budget, exhaustive, offsets);
  let outers = runs;
  for (let level = 2; level <= levels && outers.length > 0; level += 1) {
    const inners: DecodedRun[] = [];
    for (const outer of outers) {
      if (outer.text.startsWith(PEM_ARMOR)) continue;
      for (const inner of decodeOnce(plainView(outer.text), budget, exhaustive)) {
        const [start, end] = outer.spanOf?.(inner.start, inner.end) ?? [outer.start, outer.end];
        inners.push({ start, end, text: inner.text });
      }
    }
    for (const inner of inners) runs.push(inner);
    outers = inners;
  }
  return runs;
}

/** A decoded text as a view of itself (offsets its own): what a second level is read from. */
export function plainView(text: string): NormalizedText {
  return { text, startOf: (i) => i, endOf: (i) => i, simple: false };
}

/** The encoded runs of a view that decode to text, within the budget (one level). */
export function decodeOnce(
  view: NormalizedText,
  budget: DecodeBudget,
  exhaustive = false,
  shared?: Utf8Offsets,
): DecodedRun[] {
  const text = view.text;
  // Every run decoded is at least MIN_PERCENT_RUN characters (base64, hex and code lists longer still).
  if (text.length < MIN_PERCENT_RUN) return [];
  const starts = startPatterns();
  // One UTF-8 copy of the text, and one map of its offsets, for every native search below.
  const offsets = exhaustive ? undefined : (shared ?? new Utf8Offsets(text));
  // One native pass says which of the six scans that begin with a search of their own can find a candidate (most
  // texts hold none of some); the others are skipped (each would find nothing, after a pass of its own over the whole
  // text: four passes on prose, where base64's search alone finds a candidate). `exhaustive` runs all six.
  const found = offsets === undefined ? [0, 1, 2, 3, 4, 5] : startsIn(starts, offsets.bytes);
  const [base64, hexPair, codeList, qp, key, groups] = [0, 1, 2, 3, 4, 5].map((i) => found.includes(i));
  const nextBase64 = base64 ? candidateFinder(text, starts.base64, exhaustive, offsets) : () => text.length;
  const runs: DecodedRun[] = [];
  const add = (from: number, to: number, decoded: string | undefined) => {
    if (decoded === undefined) return;
    spend(budget, decoded);
    runs.push({ start: view.startOf(from), end: view.endOf(to), text: decoded });
  };
  // Base64 and hex: maximal runs of the alphabet, with up to two `=` of padding. A run wrapped in lines of one width
  // (MIME: 76, PEM: 64; at least MIN_ENCODED_RUN, whole quads) goes on after each full line; when the whole block is
  // not text (a word glued after its last full line), the block without its last line is tried.
  for (let i = nextBase64(0); i < text.length; ) {
    if (!isBase64Char(text.charCodeAt(i))) {
      i = nextBase64(i + 1);
      continue;
    }
    let end = i;
    let width = -1;
    let lastLine = i;
    for (;;) {
      while (end < text.length && isBase64Char(text.charCodeAt(end))) end += 1;
      if (width < 0) width = end - i;
      const brk = lineBreakAt(text, end);
      if (
        brk === 0 ||
        end - lastLine !== width ||
        width < MIN_ENCODED_RUN ||
        width % 4 !== 0 ||
        !isBase64Char(text.charCodeAt(end + brk))
      )
        break;
      end += brk;
      lastLine = end;
    }
    const body = end;
    while (end < text.length && end - body < 2 && text.charCodeAt(end) === 0x3d) end += 1;
    if (end - i >= MIN_ENCODED_RUN) {
      const run = text.slice(i, end);
      let decoded = decodeBase64OrHex(run);
      let to = end;
      if (decoded === undefined && lastLine > i) {
        to = lastLine - lineBreakBefore(text, lastLine);
        decoded = decodeBase64OrHex(text.slice(i, to));
      }
      if (decoded !== undefined) add(i, to, decoded);
      // Not text whole: the parts that are text at any of the four alignments are read (a word glued before, stray
      // bytes around). A DER private key is the scan below's.
      else for (const part of base64Stretches(run, RUN_GAP)) add(i, end, part);
    }
    i = nextBase64(end);
  }
  // Base64 in lines or groups of one width under MIN_ENCODED_RUN, or split by spaces (`fold -w 12`, `sed 's/..../& /g'`),
  // read as one run, as the runs above are read (decode-groups.ts).
  if (groups) {
    groupTexts(text, groupCandidates(text, starts, exhaustive, offsets, GROUP_REACH), RUN_GAP, add);
  }
  // Percent-encoding and character escapes: maximal runs of URL characters (backslash included for escapes) around
  // each `%`, `\` or `&`, decoded when they hold at least one escape; a finding maps back to its own escapes.
  const mapped = (from: number, end: number, decoded: MappedText | undefined) => {
    if (decoded === undefined) return;
    spend(budget, decoded.text);
    const { starts, ends } = decoded;
    runs.push({
      start: view.startOf(from),
      end: view.endOf(end),
      text: decoded.text,
      spanOf: (a, z) => [view.startOf(from + (starts[a] as number)), view.endOf(from + (ends[z - 1] as number))],
    });
  };
  for (const [trigger, isRunChar, decode] of [
    ['%', isUrlChar, decodePercent],
    ['\\', isEscapeRunChar, decodeEscapes],
    ['&', isEscapeRunChar, decodeEscapes],
  ] as const) {
    for (let i = text.indexOf(trigger); i >= 0; ) {
      let from = i;
      while (from > 0 && isRunChar(text.charCodeAt(from - 1))) from -= 1;
      let end = i;
      while (end < text.length && isRunChar(text.charCodeAt(end))) end += 1;
      if (end - from >= MIN_PERCENT_RUN) {
        const run = text.slice(from, end);
        mapped(from, end, decode(run));
        // A DER private key percent-encoded (a form field, a URL) is binary, never text: its bytes, read as hex, go
        // to the DER reader, and a key found covers the whole run.
        if (trigger === '%' && run.includes('%30')) {
          for (const found of privateKeysIn(percentBytesAsHex(run))) add(from, end, found.text);
        }
      }
      i = text.indexOf(trigger, Math.max(end, i + 1));
    }
  }
  // JavaScript's `%uXXXX` and CSS's `\41 ` escapes, which the runs above do not read, bytes written in binary, and
  // codes one call a character joined by an operator (`chr(65) + chr(75)`) or as octal literals (decode-code-lists.ts).
  wideEscapeRuns(text, mapped);
  binaryByteRuns(text, mapped);
  hexLiteralRuns(text, mapped);
  charLiteralRuns(text, mapped);
  codeCallRuns(text, mapped);
  // String literals the language joins (`"AKIA" "Z3…"`, `` `…` + `…` ``, `concat!(…)`), read as the text they join.
  joinedLiteralRuns(text, mapped);
  // A JSON member whose name holds an escape (`"\u0073sn":"…"`), read as its name decoded and its value.
  jsonNameEscapes(text, mapped);
  // A DER private key as Python's bytes repr (`b'0\x82\x04\xbd\x02\x01…'`: printable bytes as themselves) or a C string
  // of escapes (`"\060\056…"`), over adjacent literals too, is binary, never text: the literals' bytes, read as hex, go
  // to the DER reader, and a key found covers the literals (decode-der-literals.ts).
  for (const literal of bytesLiterals(text)) {
    for (const found of privateKeysIn(literal.hex)) add(literal.start, literal.end, found.text);
  }
  // Dump rows of little-endian words or octal bytes, and hex literals with a type suffix (`0x30u8`), which no KEY_START
  // opening leads to (decode-der.ts notationKeys).
  for (const found of notationKeys(text)) add(found.start, found.end, found.text);
  // Hex dumps (rows with offsets, lines of hex of one width) read back to the text of their bytes, across rows: a
  // value whose bytes a row's end cuts is read whole (decode-dumps.ts).
  for (const dump of dumpTexts(text, RUN_GAP)) add(dump.start, dump.end, dump.text);
  // Quoted-printable: as percent-encoding, over the line (spaces are sent as they are) around each `=XX` a native
  // search finds (code and prose hold many a bare `=`), and the lines a soft break (`=` at a line's end) joins to it.
  const nextEscape = qp ? candidateFinder(text, starts.escape, exhaustive, offsets) : () => text.length;
  for (let i = nextEscape(0); i < text.length; ) {
    if (text.charCodeAt(i) !== 0x3d) {
      i = nextEscape(i + 1);
      continue;
    }
    const from = qpLineStart(text, i);
    const end = qpLineEnd(text, i + 1);
    if (end - from >= MIN_PERCENT_RUN) mapped(from, end, decodeQuotedPrintable(text.slice(from, end)));
    i = nextEscape(end);
  }
  if (hexPair) {
    separatedHexRuns(text, mapped, candidateFinder(text, starts.hexPair, exhaustive, offsets));
  }
  if (codeList) {
    decimalCodeRuns(text, mapped, candidateFinder(text, starts.codeList, exhaustive, offsets));
  }
  // A value with visible fillers among its characters, read without them (filler-runs.ts): the whole text without its
  // filler-class code points (private use, emoji modifiers, U+0600…) once, and strict alternations with a symbol.
  fillerFreeView(text, mapped);
  fillerRuns(text, mapped);
  // DER private keys without their armor, in base64, hex or decimal bytes however laid out (decode-der.ts): each
  // reads as its PEM block over the characters it is written in.
  if (key) {
    for (const found of privateKeys(text, candidateFinder(text, starts.key, exhaustive, offsets))) {
      add(found.start, found.end, found.text);
    }
  }
  for (const [from, to] of view.overrides ?? []) {
    if (to - from < MIN_PERCENT_RUN) continue;
    const reversed = reversedRun(text, from, to);
    spend(budget, reversed.text);
    runs.push({
      start: view.startOf(from),
      end: view.endOf(to),
      text: reversed.text,
      // Reversed: a span's first unit came from the rightmost character, its last from the leftmost.
      spanOf: (a, z) => [
        view.startOf(from + (reversed.starts[z - 1] as number)),
        view.endOf(from + (reversed.ends[a] as number)),
      ],
    });
  }
  return runs;
}

/** The DER private keys of a text (a join window's: join-decode.ts), candidates from the native search. */
export function privateKeysIn(text: string): ArmoredKey[] {
  const starts = startPatterns();
  return starts.key.test(text) ? privateKeys(text, candidateFinder(text, starts.key, false)) : [];
}

/** A segment's decoded runs as one text to classify, and where each run's text starts in it. */
export interface DecodedText {
  text: string;
  runs: readonly DecodedRun[];
  at: readonly number[];
}

export function joinDecoded(runs: readonly DecodedRun[]): DecodedText {
  const at: number[] = [];
  let length = 0;
  for (const run of runs) {
    at.push(length);
    length += run.text.length + RUN_GAP.length;
  }
  return { text: runs.map((r) => r.text).join(RUN_GAP), runs, at };
}

/** What a span of the joined decoded text touches: each run, with the span's part inside its decoded text. */
export interface RunPiece {
  run: DecodedRun;
  from: number;
  to: number;
}

/** The original span of a piece: exact for percent-encoding, the whole run otherwise. */
export function spanOfPiece(piece: RunPiece): [number, number] {
  return piece.run.spanOf?.(piece.from, piece.to) ?? [piece.run.start, piece.run.end];
}

/** The runs a span of the joined decoded text touches, in order (one binary search, then a walk). */
export function runsCovering(decoded: DecodedText, start: number, end: number): RunPiece[] {
  let lo = 0;
  let hi = decoded.at.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((decoded.at[mid] as number) <= start) lo = mid + 1;
    else hi = mid;
  }
  const covered: RunPiece[] = [];
  for (let k = Math.max(0, lo - 1); k < decoded.runs.length && (decoded.at[k] as number) < end; k += 1) {
    const run = decoded.runs[k] as DecodedRun;
    const at = decoded.at[k] as number;
    const from = Math.max(start, at) - at;
    const to = Math.min(end, at + run.text.length) - at;
    if (to > from) covered.push({ run, from, to });
  }
  return covered;
}
