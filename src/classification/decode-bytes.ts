// The decoders behind decode.ts's scans, on one run each: base64 and hex to text, percent-encoding and quoted-printable
// with every byte mapped to the characters it came from, runs of separated hex bytes, and text behind a right-to-left
// override in display order. Invariants: a decoder returns valid UTF-8 text or nothing (binary data is not classified;
// the text stretches of a base64 run that is not text whole are decode-stretches.ts's); each character of a run is
// read a bounded number of times.
import { isUtf8 } from 'node:buffer';
import type { MappedText } from './decode-escapes.ts';

/** Where the next candidate starts at or after a UTF-16 offset (the text's length when none does). */
export type NextCandidate = (from: number) => number;

/** Most characters between two hex tokens of one run (`, ` or `,\n  ` between the items of a C array). */
export const MAX_HEX_SEPARATOR = 4;

/** Fewest bytes in a run of separated hex bytes (`41 4b 49 41 …`, `0x41, 0x4b, …`, `41:4b:…`, `\x41 \x4b …`). */
export const MIN_HEX_BYTES = 8;

/**
 * Fewest `=XX` escapes in a quoted-printable run (`=41=4B=49=41…`): code and URLs hold a few (`color=FF0000`,
 * `a=1&b=2`), text a mail client encoded holds one for every character it could not send as it is.
 */
export const MIN_QUOTED_PRINTABLE_ESCAPES = 8;

export function isAlnum(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

export function isHexDigit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

/** Base64 (both alphabets) without padding, by ASCII code: one lookup a character (this runs over every character). */
const BASE64_CHARS = Uint8Array.from({ length: 128 }, (_, code) =>
  isAlnum(code) || code === 0x2b || code === 0x2f || code === 0x2d || code === 0x5f ? 1 : 0,
);

export function isBase64Char(code: number): boolean {
  return code < 128 && BASE64_CHARS[code] === 1;
}

/** A character a percent-encoded run may hold: printable ASCII except quotes, `<`, `>`, backtick and backslash. */
export function isUrlChar(code: number): boolean {
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
export function lineBreakAt(text: string, at: number): number {
  if (text.charCodeAt(at) === 0x0a) return 1;
  return text.charCodeAt(at) === 0x0d && text.charCodeAt(at + 1) === 0x0a ? 2 : 0;
}

/** The length of the line break (LF or CRLF) that ends just before `at`. */
export function lineBreakBefore(text: string, at: number): number {
  return text.charCodeAt(at - 2) === 0x0d ? 2 : 1;
}

/** Where the quoted-printable line holding `at` starts, over the soft line breaks (`=` + CR? LF) before it. */
export function qpLineStart(text: string, at: number): number {
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
export function qpLineEnd(text: string, at: number): number {
  let end = at;
  for (;;) {
    while (end < text.length && isLineChar(text.charCodeAt(end))) end += 1;
    const brk = lineBreakAt(text, end);
    if (brk === 0 || text.charCodeAt(end - 1) !== 0x3d) return end;
    end += brk;
  }
}

/** A character of a run that may hold character escapes: a URL character or a backslash. */
export function isEscapeRunChar(code: number): boolean {
  return isUrlChar(code) || code === 0x5c;
}

/** Valid UTF-8 bytes as text; undefined for anything else (binary data is not classified). */
function asText(bytes: Buffer): string | undefined {
  return bytes.length > 0 && isUtf8(bytes) ? bytes.toString('utf8') : undefined;
}

export function decodeBase64OrHex(run: string): string | undefined {
  let hex = run.length % 2 === 0;
  for (let i = 0; hex && i < run.length; i += 1) hex = isHexDigit(run.charCodeAt(i));
  const fromHex = hex ? asText(Buffer.from(run, 'hex')) : undefined;
  if (fromHex !== undefined || !startsAsUtf8(run)) return fromHex;
  // Node's base64 decoder reads both alphabets (+/ and -_) and the padding, and skips the line breaks of a wrapped run.
  return asText(Buffer.from(run, 'base64'));
}

/** The value of a base64 character of either alphabet (A-Z a-z 0-9, + or -, / or _). */
export function base64Value(code: number): number {
  if (code >= 0x41 && code <= 0x5a) return code - 0x41;
  if (code >= 0x61 && code <= 0x7a) return code - 0x47;
  if (code >= 0x30 && code <= 0x39) return code + 4;
  return code === 0x2b || code === 0x2d ? 62 : 63;
}

/**
 * Whether the three bytes a run's first four characters decode to can start valid UTF-8 (a lead byte, C0, C1 and
 * F5-FF never; then its continuation bytes): most words and identifiers the base64 scan reads (`system_fingerprint`,
 * `verifyCredentials`) cannot, and are not decoded whole. Looser than UTF-8 (overlong and surrogate forms pass), never
 * stricter: a run it refuses does not decode to text. A run is at least MIN_ENCODED_RUN alphabet characters first.
 */
function startsAsUtf8(run: string): boolean {
  const quad =
    (base64Value(run.charCodeAt(0)) << 18) |
    (base64Value(run.charCodeAt(1)) << 12) |
    (base64Value(run.charCodeAt(2)) << 6) |
    base64Value(run.charCodeAt(3));
  let pending = 0; // continuation bytes the current character still needs
  for (const byte of [quad >>> 16, (quad >>> 8) & 0xff, quad & 0xff]) {
    if (pending > 0) {
      if (byte < 0x80 || byte > 0xbf) return false;
      pending -= 1;
    } else if (byte >= 0x80) {
      if (byte < 0xc2 || byte > 0xf4) return false;
      pending = byte < 0xe0 ? 1 : byte < 0xf0 ? 2 : 3;
    }
  }
  return true;
}

export function decodePercent(run: string): MappedText | undefined {
  return decodeByteEscapes(run, 0x25, 1);
}

/**
 * Quoted-printable (`=XX`, RFC 2045) as percent-encoding is read, when it holds enough escapes to be text; a soft line
 * break (`=` + CR? LF, §6.7 rule 5) is an escape with no byte, its characters mapped with the byte before it.
 */
export function decodeQuotedPrintable(run: string): MappedText | undefined {
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

/**
 * Runs of separated hex bytes (`41 4b 49 41`, `0x41, 0x4b`, `41:4b`, `414b 4941`, `\x41 \x4b`): tokens of 2–8 hex
 * digits split by up to MAX_HEX_SEPARATOR separator characters, at least MIN_HEX_BYTES bytes in all, decoded with each
 * byte mapped to its own characters. Contiguous hex is the base64 loop's. Linear: a run that fails is not read again.
 */
export function separatedHexRuns(
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
export function reversedRun(text: string, from: number, to: number): MappedText {
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
