// Bounded decoding: runs of base64 (standard or URL-safe), hex (contiguous or separated bytes), percent-encoding,
// quoted-printable, character escapes and lists of decimal character codes in the main view are decoded (to valid UTF-8 only), and text behind a right-to-left override is
// read in display order (reversed); what they read as is classified (all of a segment's runs as one text, kept apart
// by RUN_GAP), and a finding there covers its encoded run in the original (so redaction removes it). One level only:
// decoded text is not decoded again. Invariants: each character is looked at a bounded number of times; per
// classify() call at most MAX_DECODED_RUNS runs and MAX_DECODED_CHARS decoded characters (more than a body of the
// default 4 MiB limit can hold; past them runs are left as they are: a documented limit).
import { isUtf8 } from 'node:buffer';
import RE2 from 're2';
import { decimalCodeRuns, decodeEscapes, MIN_DECIMAL_CODES, type MappedText } from './decode-escapes.ts';
import type { NormalizedText } from './normalize.ts';

/** Shortest base64 (padding included) or hex run decoded: shorter ones are mostly words and numbers. */
export const MIN_ENCODED_RUN = 16;
/** Shortest percent-encoded run (with at least one %XX escape): `219%2D09%2D9999` is 15 characters. */
export const MIN_PERCENT_RUN = 8;
/**
 * Fewest `=XX` escapes in a quoted-printable run (`=41=4B=49=41…`): code and URLs hold a few (`color=FF0000`,
 * `a=1&b=2`), text a mail client encoded holds one for every character it could not send as it is.
 */
export const MIN_QUOTED_PRINTABLE_ESCAPES = 8;
/** Fewest bytes in a run of separated hex bytes (`41 4b 49 41 …`, `0x41, 0x4b, …`, `41:4b:…`, `\x41 \x4b …`). */
export const MIN_HEX_BYTES = 8;
/** Most characters between two hex tokens of one run (`, ` or `,\n  ` between the items of a C array). */
const MAX_HEX_SEPARATOR = 4;
export const MAX_DECODED_RUNS = 1 << 18;
export const MAX_DECODED_CHARS = 4 << 20;
/** Between two decoded texts: no recognizer matches across it (not a digit separator, not part of any value). */
export const RUN_GAP = ' | ';

/** What is left to decode in one classify() call; shared by all its segments. */
export interface DecodeBudget {
  runs: number;
  chars: number;
}

export function createDecodeBudget(): DecodeBudget {
  return { runs: MAX_DECODED_RUNS, chars: MAX_DECODED_CHARS };
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

function isAlnum(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function isHexDigit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

/** Base64 (both alphabets) without padding, by ASCII code: one lookup a character (this runs over every character). */
const BASE64_CHARS = Uint8Array.from({ length: 128 }, (_, code) =>
  isAlnum(code) || code === 0x2b || code === 0x2f || code === 0x2d || code === 0x5f ? 1 : 0,
);

function isBase64Char(code: number): boolean {
  return code < 128 && BASE64_CHARS[code] === 1;
}

/** A character a percent-encoded run may hold: printable ASCII except quotes, `<`, `>`, backtick and backslash. */
function isUrlChar(code: number): boolean {
  return (
    code > 0x20 &&
    code < 0x7f &&
    code !== 0x22 &&
    code !== 0x27 &&
    code !== 0x3c &&
    code !== 0x3e &&
    code !== 0x60 &&
    code !== 0x5c
  );
}

/** A character of a line of quoted-printable text: printable ASCII, space and tab. */
function isLineChar(code: number): boolean {
  return (code >= 0x20 && code < 0x7f) || code === 0x09;
}

/** The length of a line break (LF or CRLF) at `at`, or 0. */
function lineBreakAt(text: string, at: number): number {
  if (text.charCodeAt(at) === 0x0a) return 1;
  return text.charCodeAt(at) === 0x0d && text.charCodeAt(at + 1) === 0x0a ? 2 : 0;
}

/** The length of the line break (LF or CRLF) that ends just before `at`. */
function lineBreakBefore(text: string, at: number): number {
  return text.charCodeAt(at - 2) === 0x0d ? 2 : 1;
}

/** Where the quoted-printable line holding `at` starts, over the soft line breaks (`=` + CR? LF) before it. */
function qpLineStart(text: string, at: number): number {
  let from = at;
  for (;;) {
    while (from > 0 && isLineChar(text.charCodeAt(from - 1))) from -= 1;
    if (from === 0 || text.charCodeAt(from - 1) !== 0x0a) return from;
    const brk = lineBreakBefore(text, from);
    if (text.charCodeAt(from - brk - 1) !== 0x3d) return from;
    from -= brk;
  }
}

/** Where the quoted-printable line holding `at` ends, over the soft line breaks after it. */
function qpLineEnd(text: string, at: number): number {
  let end = at;
  for (;;) {
    while (end < text.length && isLineChar(text.charCodeAt(end))) end += 1;
    const brk = lineBreakAt(text, end);
    if (brk === 0 || text.charCodeAt(end - 1) !== 0x3d) return end;
    end += brk;
  }
}

/** A character of a run that may hold character escapes: a URL character or a backslash. */
function isEscapeRunChar(code: number): boolean {
  return isUrlChar(code) || code === 0x5c;
}

/** Valid UTF-8 bytes as text; undefined for anything else (binary data is not classified). */
function asText(bytes: Buffer): string | undefined {
  return bytes.length > 0 && isUtf8(bytes) ? bytes.toString('utf8') : undefined;
}

function decodeBase64OrHex(run: string): string | undefined {
  let hex = run.length % 2 === 0;
  for (let i = 0; hex && i < run.length; i += 1) hex = isHexDigit(run.charCodeAt(i));
  const fromHex = hex ? asText(Buffer.from(run, 'hex')) : undefined;
  // Node's base64 decoder reads both alphabets (+/ and -_) and the padding, and skips the line breaks of a wrapped run.
  return fromHex ?? asText(Buffer.from(run, 'base64'));
}

function decodePercent(run: string): MappedText | undefined {
  return decodeByteEscapes(run, 0x25, 1);
}

/**
 * Quoted-printable (`=XX`, RFC 2045) as percent-encoding is read, when it holds enough escapes to be text; a soft line
 * break (`=` + CR? LF, §6.7 rule 5) is an escape with no byte, its characters mapped with the byte before it.
 */
function decodeQuotedPrintable(run: string): MappedText | undefined {
  return decodeByteEscapes(run, 0x3d, MIN_QUOTED_PRINTABLE_ESCAPES, true);
}

/**
 * A run whose `mark` + two hex digits are bytes (other characters their own byte), given `least` escapes; with
 * `softBreaks`, `mark` + a line break is no byte.
 */
function decodeByteEscapes(run: string, mark: number, least: number, softBreaks = false): MappedText | undefined {
  const markChar = String.fromCharCode(mark);
  let found = 0;
  for (let i = run.indexOf(markChar); i >= 0 && found < least; i = run.indexOf(markChar, i + 1)) {
    if (isHexDigit(run.charCodeAt(i + 1)) && isHexDigit(run.charCodeAt(i + 2))) found += 1;
  }
  if (found < least) return undefined;
  const bytes = Buffer.allocUnsafe(run.length);
  const byteAt = new Int32Array(run.length + 1); // where each byte's characters start in the run
  let n = 0;
  let escapes = 0;
  for (let i = 0; i < run.length; i += 1) {
    byteAt[n] = i;
    const code = run.charCodeAt(i);
    const soft = softBreaks && code === mark ? lineBreakAt(run, i + 1) : 0;
    if (soft > 0) {
      i += soft;
      continue;
    }
    if (code === mark && isHexDigit(run.charCodeAt(i + 1)) && isHexDigit(run.charCodeAt(i + 2))) {
      bytes[n] = Number.parseInt(run.slice(i + 1, i + 3), 16);
      escapes += 1;
      i += 2;
    } else {
      bytes[n] = code;
    }
    n += 1;
  }
  byteAt[n] = run.length;
  return escapes === 0 ? undefined : mappedBytes(bytes, n, byteAt);
}

/**
 * `n` bytes as text, each UTF-16 unit mapped to the run-local span of the characters its bytes came from (byte b
 * starts at byteAt[b]; byteAt[n] is the run's end); undefined when the bytes are not valid UTF-8.
 */
function mappedBytes(bytes: Buffer, n: number, byteAt: Int32Array): MappedText | undefined {
  const text = asText(bytes.subarray(0, n));
  if (text === undefined) return undefined;
  // Valid UTF-8: each sequence is one code point, one UTF-16 unit (two for 4-byte sequences).
  const starts = new Int32Array(text.length);
  const ends = new Int32Array(text.length);
  for (let b = 0, u = 0; b < n; ) {
    const lead = bytes[b] as number;
    const size = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
    for (let k = 0; k < (size === 4 ? 2 : 1); k += 1, u += 1) {
      starts[u] = byteAt[b] as number;
      ends[u] = byteAt[b + size] as number;
    }
    b += size;
  }
  return { text, starts, ends };
}

/** A separator between two hex tokens: whitespace, `,`, `:`, `;` or `-`. */
function isHexSeparator(code: number): boolean {
  return (
    code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0x2c || code === 0x3a || code === 0x3b || code === 0x2d
  );
}

/**
 * The hex token at `at`: an optional `0x` or `\x`, then an even number (2–8) of hex digits, not glued to a letter,
 * digit or `_` on either side; where it starts, where its digits start and its end, or undefined.
 */
function hexTokenAt(text: string, at: number): { start: number; digits: number; end: number } | undefined {
  const before = text.charCodeAt(at - 1);
  if (at > 0 && (isAlnum(before) || before === 0x5f)) return undefined;
  let digits = at;
  if (text[at] === '\\' && text[at + 1] === 'x') digits = at + 2;
  else if (text[at] === '0' && (text[at + 1] === 'x' || text[at + 1] === 'X')) digits = at + 2;
  let end = digits;
  while (end < text.length && end - digits <= 8 && isHexDigit(text.charCodeAt(end))) end += 1;
  const length = end - digits;
  const after = text.charCodeAt(end);
  if (length < 2 || length > 8 || length % 2 !== 0 || isAlnum(after) || after === 0x5f) return undefined;
  return { start: at, digits, end };
}

/** How far after a candidate the scans look at every character themselves (candidateFinder). */
const NEAR_CANDIDATE = 64;

/** Where the next candidate starts at or after a UTF-16 offset (the text's length when none does). */
type NextCandidate = (from: number) => number;

/**
 * The scans below are exact but look at every character in JavaScript (~0.3 ms each per 64 KB of prose, a third of
 * the classifier's time on prose). A native search for a pattern every run they decode starts with (a superset is
 * fine: the scan still decides) lets them skip the text between candidates. UTF-16 and UTF-8 offsets are converted
 * as the search moves forward, so a text costs one conversion pass whatever its number of candidates.
 * `exhaustive` (tests): every offset is a candidate, the scans' own behaviour.
 */
function candidateFinder(text: string, pattern: RE2, exhaustive: boolean, utf8?: Buffer): NextCandidate {
  if (exhaustive) return (from) => Math.min(from, text.length);
  const bytes = utf8 ?? Buffer.from(text, 'utf8');
  const ascii = bytes.length === text.length;
  let unit = 0;
  let byte = 0;
  // After a candidate the scan looks at the next characters itself: text dense with candidates that fail (`zab cdz`
  // repeated) costs a native call per NEAR_CANDIDATE characters at most, not one a candidate.
  let near = -1;
  return (from) => {
    if (from >= text.length) return text.length;
    if (from <= near) return from;
    if (!ascii) {
      if (from < unit) [unit, byte] = [0, 0];
      for (; unit < from; unit += 1) {
        const code = text.charCodeAt(unit);
        const pair = code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(unit + 1) & 0xfc00) === 0xdc00;
        byte += code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
        if (pair) unit += 1;
      }
    }
    const at = pattern.search(bytes.subarray(ascii ? from : byte));
    if (at < 0) return text.length;
    if (ascii) {
      near = from + at + NEAR_CANDIDATE;
      return from + at;
    }
    // A match starts at an ASCII character (both patterns' first character is), never inside a sequence.
    for (const end = byte + at; byte < end; ) {
      const lead = bytes[byte] as number;
      byte += lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
      unit += lead < 0xf0 ? 1 : 2;
    }
    near = unit + NEAR_CANDIDATE;
    return unit;
  };
}

/** Every run the base64 scan decodes starts with MIN_ENCODED_RUN - 2 alphabet characters (then `==` at most). */
let base64Start: RE2 | undefined;
/** Every run of separated hex bytes starts with a token, 1..MAX_HEX_SEPARATOR separators and a second token. */
let hexPairStart: RE2 | undefined;
/** Every list of decimal character codes starts with MIN_DECIMAL_CODES codes and the separators between them. */
let codeListStart: RE2 | undefined;
/** Every quoted-printable run holds an `=` and two hex digits. */
let escapeStart: RE2 | undefined;

/**
 * Runs of separated hex bytes (`41 4b 49 41`, `0x41, 0x4b`, `41:4b`, `414b 4941`, `\x41 \x4b`): tokens of 2–8 hex
 * digits split by up to MAX_HEX_SEPARATOR separator characters, at least MIN_HEX_BYTES bytes in all, decoded with each
 * byte mapped to its own characters. Contiguous hex is the base64 loop's. Linear: a run that fails is not read again.
 */
function separatedHexRuns(
  text: string,
  add: (from: number, end: number, decoded: MappedText | undefined) => void,
  next: NextCandidate,
) {
  for (let i = next(0); i < text.length; ) {
    const code = text.charCodeAt(i);
    const first = isHexDigit(code) || code === 0x5c ? hexTokenAt(text, i) : undefined;
    if (first === undefined) {
      i = next(i + 1);
      continue;
    }
    // First pass: where the run ends and how many bytes and tokens it holds (no allocation per token).
    let tokens = 1;
    let bytes = (first.end - first.digits) / 2;
    let end = first.end;
    for (;;) {
      let next = end;
      while (next < text.length && next - end <= MAX_HEX_SEPARATOR && isHexSeparator(text.charCodeAt(next))) next += 1;
      const token = next > end && next - end <= MAX_HEX_SEPARATOR ? hexTokenAt(text, next) : undefined;
      if (token === undefined) break;
      tokens += 1;
      bytes += (token.end - token.digits) / 2;
      end = token.end;
    }
    if (tokens >= 2 && bytes >= MIN_HEX_BYTES) {
      // Second pass: the bytes, each mapped to where its characters start (a token's first byte holds its prefix).
      const out = Buffer.allocUnsafe(bytes);
      const byteAt = new Int32Array(bytes + 1);
      let n = 0;
      for (let at = i; at < end; ) {
        const token = hexTokenAt(text, at) as { start: number; digits: number; end: number };
        for (let d = token.digits; d < token.end; d += 2, n += 1) {
          out[n] = (hexValue(text.charCodeAt(d)) << 4) | hexValue(text.charCodeAt(d + 1));
          byteAt[n] = (d === token.digits ? token.start : d) - i;
        }
        at = token.end;
        while (at < end && isHexSeparator(text.charCodeAt(at))) at += 1;
      }
      byteAt[n] = end - i;
      add(i, end, mappedBytes(out, n, byteAt));
    }
    i = next(end);
  }
}

function hexValue(code: number): number {
  return code <= 0x39 ? code - 0x30 : (code | 0x20) - 0x57;
}

/**
 * Text [from, to) in the order a right-to-left override displays it (code points reversed: a key stored `P2UWY7…AIKA`
 * behind U+202E reads `AKIA…` on screen), each unit mapped to the run-local span of the character it came from.
 */
function reversedRun(text: string, from: number, to: number): MappedText {
  const units: string[] = [];
  const starts = new Int32Array(to - from);
  const ends = new Int32Array(to - from);
  let n = 0;
  for (let at = to; at > from; ) {
    const low = text.charCodeAt(at - 1);
    const pair =
      at - 1 > from &&
      low >= 0xdc00 &&
      low <= 0xdfff &&
      text.charCodeAt(at - 2) >= 0xd800 &&
      text.charCodeAt(at - 2) <= 0xdbff;
    const width = pair ? 2 : 1;
    for (let k = 0; k < width; k += 1, n += 1) {
      units.push(text[at - width + k] as string);
      starts[n] = at - width - from;
      ends[n] = at - from;
    }
    at -= width;
  }
  return { text: units.join(''), starts, ends };
}

/** Takes a decoded text from the budget; false when it does not fit (the run is then not classified). */
function spend(budget: DecodeBudget, text: string): boolean {
  if (budget.runs <= 0 || budget.chars < text.length) return false;
  budget.runs -= 1;
  budget.chars -= text.length;
  return true;
}

/** The encoded runs of a main view that decode to text, within the budget, in order of their start. */
export function decodedRuns(view: NormalizedText, budget: DecodeBudget, exhaustive = false): DecodedRun[] {
  const text = view.text;
  base64Start ??= new RE2(`[A-Za-z0-9+/_-]{${MIN_ENCODED_RUN - 2}}`);
  hexPairStart ??= new RE2(
    String.raw`(?:\\x|0[xX])?[0-9A-Fa-f]{2,8}[\t-\r ,:;-]{1,${MAX_HEX_SEPARATOR}}(?:\\x|0[xX])?[0-9A-Fa-f]{2}`,
  );
  // One UTF-8 copy of the text for every native search below.
  const utf8 = exhaustive ? undefined : Buffer.from(text, 'utf8');
  const nextBase64 = candidateFinder(text, base64Start, exhaustive, utf8);
  const runs: DecodedRun[] = [];
  const add = (from: number, to: number, decoded: string | undefined) => {
    if (decoded === undefined || !spend(budget, decoded)) return;
    runs.push({ start: view.startOf(from), end: view.endOf(to), text: decoded });
  };
  // Base64 and hex: maximal runs of the alphabet, with up to two `=` of padding. A run wrapped in lines of one width
  // (MIME: 76, PEM: 64; at least MIN_ENCODED_RUN, whole quads) goes on after each full line; when the whole block is
  // not text (a word glued after its last full line), the block without its last line is tried.
  for (let i = nextBase64(0); i < text.length && budget.runs > 0; ) {
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
      let decoded = decodeBase64OrHex(text.slice(i, end));
      let to = end;
      if (decoded === undefined && lastLine > i) {
        to = lastLine - lineBreakBefore(text, lastLine);
        decoded = decodeBase64OrHex(text.slice(i, to));
      }
      add(i, to, decoded);
    }
    i = nextBase64(end);
  }
  // Percent-encoding and character escapes: maximal runs of URL characters (backslash included for escapes) around
  // each `%`, `\` or `&`, decoded when they hold at least one escape; a finding maps back to its own escapes.
  const mapped = (from: number, end: number, decoded: MappedText | undefined) => {
    if (decoded === undefined || !spend(budget, decoded.text)) return;
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
    ['&#', isEscapeRunChar, decodeEscapes],
  ] as const) {
    for (let i = text.indexOf(trigger); i >= 0 && budget.runs > 0; ) {
      let from = i;
      while (from > 0 && isRunChar(text.charCodeAt(from - 1))) from -= 1;
      let end = i;
      while (end < text.length && isRunChar(text.charCodeAt(end))) end += 1;
      if (end - from >= MIN_PERCENT_RUN) mapped(from, end, decode(text.slice(from, end)));
      i = text.indexOf(trigger, Math.max(end, i + 1));
    }
  }
  // Quoted-printable: as percent-encoding, over the line (spaces are sent as they are) around each `=XX` a native
  // search finds (code and prose hold many a bare `=`), and the lines a soft break (`=` at a line's end) joins to it.
  escapeStart ??= new RE2('=[0-9A-Fa-f]{2}');
  const nextEscape = candidateFinder(text, escapeStart, exhaustive, utf8);
  for (let i = nextEscape(0); i < text.length && budget.runs > 0; ) {
    if (text.charCodeAt(i) !== 0x3d) {
      i = nextEscape(i + 1);
      continue;
    }
    const from = qpLineStart(text, i);
    const end = qpLineEnd(text, i + 1);
    if (end - from >= MIN_PERCENT_RUN) mapped(from, end, decodeQuotedPrintable(text.slice(from, end)));
    i = nextEscape(end);
  }
  if (budget.runs > 0) separatedHexRuns(text, mapped, candidateFinder(text, hexPairStart, exhaustive, utf8));
  codeListStart ??= new RE2(
    String.raw`(?:[0-9]{2,3}(?:[\t ]*[,;][\t-\r ]*|[\t ]+)){${MIN_DECIMAL_CODES - 1}}[0-9]{2,3}`,
  );
  if (budget.runs > 0) decimalCodeRuns(text, mapped, candidateFinder(text, codeListStart, exhaustive, utf8));
  for (const [from, to] of view.overrides ?? []) {
    if (to - from < MIN_PERCENT_RUN || budget.runs <= 0) continue;
    const reversed = reversedRun(text, from, to);
    if (!spend(budget, reversed.text)) continue;
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
