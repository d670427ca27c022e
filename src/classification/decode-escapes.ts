// Character escapes as a view to decode: `\uXXXX`, `\u{X…}`, `\UXXXXXXXX`, `\xXX` and octal `\DDD` (JavaScript, JSON,
// Python, C, shell printf), HTML numeric references `&#DDD;` and `&#xHH;` (or without their `;`, as HTML reads
// them) and the named ones a recognizer reads through (`&commat;`: named-references.ts), each read as the character it
// names; other characters stay as they are (lists of character codes and bytes in binary: decode-code-lists.ts). And
// JavaScript's `escape()` form `%uXXXX`, CSS escapes `\41 ` `\000041`, Perl's and PCRE's `\x{41}` and the Unicode
// notation `U+0041 U+004B` (wideEscapeRuns).
// Invariant: every decoded UTF-16 unit records the run-local span of the characters it came from, so a finding maps
// back to exactly its own escapes or codes (decode.ts), and each character of the text is read a bounded number of
// times.

import { namedReferenceAt } from './named-references.ts';

/** Decoded text with, for each UTF-16 unit, the run-local span [starts[u], ends[u]) it came from. */
export interface MappedText {
  text: string;
  starts: Int32Array;
  ends: Int32Array;
}

export function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/** The number of `digits` (hex or decimal) at `at`, at most `most`, and their value. */
export function numberAt(run: string, at: number, most: number, base: 16 | 10): { length: number; value: number } {
  let value = 0;
  let length = 0;
  while (length < most) {
    const code = run.charCodeAt(at + length);
    const digit = base === 16 ? hexValue(code) : code >= 0x30 && code <= 0x39 ? code - 0x30 : -1;
    if (digit < 0) break;
    value = value * base + digit;
    length += 1;
  }
  return { length, value };
}

/**
 * One to three octal digits at `at`, as C, Python, printf and bash's `$'…'` read them (`\101`, `\63`, `\7`: one
 * byte, at most `\377`; `\400` is `\40` and a `0`): the value and the digits' count, or undefined.
 */
function octalAt(run: string, at: number): { value: number; length: number } | undefined {
  let value = 0;
  let length = 0;
  while (length < 3) {
    const digit = run.charCodeAt(at + length) - 0x30;
    if (!(digit >= 0 && digit <= 7) || value * 8 + digit > 0xff) break;
    value = value * 8 + digit;
    length += 1;
  }
  return length === 0 ? undefined : { value, length };
}

/** The escape at `at`: the code point it names and its length, or undefined when there is none. */
export function escapeAt(run: string, at: number): { code: number; length: number } | undefined {
  const c1 = run[at + 1];
  if (run[at] === '\\') {
    if (c1 === 'x') {
      const n = numberAt(run, at + 2, 2, 16);
      return n.length === 2 ? { code: n.value, length: 4 } : undefined;
    }
    if (c1 === 'U') {
      const n = numberAt(run, at + 2, 8, 16);
      return n.length === 8 && n.value <= 0x10ffff ? { code: n.value, length: 10 } : undefined;
    }
    // `\b`: a backspace (JSON, JavaScript, Python, C), which the main view drops: `AKIAZ3MQWX\bR5TLPB6Y7N` is a key.
    if (c1 === 'b') return { code: 0x08, length: 2 };
    // echo -e writes a byte as `\0` and 1-3 octal digits (`\0141` is `a`, which C reads as `\014` and a `1`).
    const echo = c1 === '0' ? octalAt(run, at + 2) : undefined;
    if (echo?.length === 3) return { code: echo.value, length: 5 };
    const octal = octalAt(run, at + 1);
    if (octal !== undefined) return { code: octal.value, length: octal.length + 1 };
    if (c1 !== 'u') return undefined;
    if (run[at + 2] === '{') {
      const n = numberAt(run, at + 3, 6, 16);
      const ok = n.length > 0 && run[at + 3 + n.length] === '}' && n.value <= 0x10ffff;
      return ok ? { code: n.value, length: n.length + 4 } : undefined;
    }
    const n = numberAt(run, at + 2, 4, 16);
    return n.length === 4 ? { code: n.value, length: 6 } : undefined;
  }
  if (run[at] !== '&') return undefined;
  if (c1 !== '#') return namedReferenceAt(run, at);
  const hex = run[at + 2] === 'x' || run[at + 2] === 'X';
  const from = at + (hex ? 3 : 2);
  const n = numberAt(run, from, 7, hex ? 16 : 10);
  if (n.length === 0 || n.value > 0x10ffff) return undefined;
  // An HTML parser reads a reference without its `;` too (`&#65&#75`): the `;` is part of the escape when present.
  const semicolon = run[from + n.length] === ';' ? 1 : 0;
  return { code: n.value, length: from + n.length + semicolon - at };
}

/** A run with every escape decoded, or undefined when it holds none. */
export function decodeEscapes(run: string): MappedText | undefined {
  const units: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let escapes = 0;
  for (let i = 0; i < run.length; ) {
    const found = run[i] === '\\' || run[i] === '&' ? escapeAt(run, i) : undefined;
    // A \u escape names one UTF-16 unit (two of them make a pair); a larger code point is two units of one escape.
    const chars =
      found === undefined
        ? (run[i] as string)
        : found.code > 0xffff
          ? String.fromCodePoint(found.code)
          : String.fromCharCode(found.code);
    const length = found === undefined ? 1 : found.length;
    for (let k = 0; k < chars.length; k += 1) {
      units.push(chars[k] as string);
      starts.push(i);
      ends.push(i + length);
    }
    if (found !== undefined) escapes += 1;
    i += length;
  }
  if (escapes === 0) return undefined;
  return { text: units.join(''), starts: Int32Array.from(starts), ends: Int32Array.from(ends) };
}

/** Fewest escapes of `%uXXXX`, CSS's, Perl's `\x{…}` or `U+XXXX` in a run for it to be read (wideEscapeRuns). */
export const MIN_WIDE_ESCAPES = 4;

/** A character a run of escapes may hold as itself: printable ASCII but the space, quotes and angle brackets. */
function isWideRunChar(code: number): boolean {
  return (
    code > 0x20 && code < 0x7f && code !== 0x22 && code !== 0x27 && code !== 0x3c && code !== 0x3e && code !== 0x60
  );
}

/** JavaScript's `unescape()` forms at `at`: `%uXXXX` (a UTF-16 unit) and `%XX` (a Latin-1 character). */
function percentUAt(text: string, at: number): { code: number; length: number } | undefined {
  if (text.charCodeAt(at) !== 0x25) return undefined;
  if (text.charCodeAt(at + 1) === 0x75) {
    const n = numberAt(text, at + 2, 4, 16);
    return n.length === 4 ? { code: n.value, length: 6 } : undefined;
  }
  const n = numberAt(text, at + 1, 2, 16);
  return n.length === 2 ? { code: n.value, length: 3 } : undefined;
}

function isCssSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;
}

/**
 * A CSS escape at `at` (CSS Syntax §4.3.7): `\` and 1 to 6 hex digits, then one whitespace (CR LF as one) that ends
 * it. Read when the whitespace, a `\` or the run's end follows it, or it has all 6 digits (`\61 `, `\000061`), so
 * LaTeX's `\beta` or a path's `\dev` is none; a value of 0, a surrogate or beyond U+10FFFF is U+FFFD, as CSS reads.
 */
function cssEscapeAt(text: string, at: number): { code: number; length: number } | undefined {
  if (text.charCodeAt(at) !== 0x5c) return undefined;
  const n = numberAt(text, at + 1, 6, 16);
  if (n.length === 0) return undefined;
  let length = 1 + n.length;
  const next = text.charCodeAt(at + length);
  if (next === 0x0d && text.charCodeAt(at + length + 1) === 0x0a) length += 2;
  else if (isCssSpace(next)) length += 1;
  else if (n.length < 6 && next !== 0x5c && isWideRunChar(next)) return undefined;
  const valid = n.value > 0 && n.value <= 0x10ffff && (n.value < 0xd800 || n.value > 0xdfff);
  return { code: valid ? n.value : 0xfffd, length };
}

/** A code point a `\x{…}` or `U+…` names: at most U+10FFFF, no surrogate, not 0. */
function isCodePoint(value: number): boolean {
  return value > 0 && value <= 0x10ffff && (value < 0xd800 || value > 0xdfff);
}

/** Perl's and PCRE's `\x{…}` at `at` (1 to 6 hex digits in braces: a code point), as `\u{…}` is JavaScript's. */
function braceEscapeAt(text: string, at: number): { code: number; length: number } | undefined {
  if (text.charCodeAt(at) !== 0x5c || text.charCodeAt(at + 1) !== 0x78 || text.charCodeAt(at + 2) !== 0x7b) return;
  const n = numberAt(text, at + 3, 6, 16);
  const ok = n.length > 0 && text.charCodeAt(at + 3 + n.length) === 0x7d && isCodePoint(n.value);
  return ok ? { code: n.value, length: n.length + 4 } : undefined;
}

/** A character of the separator a notation takes before what follows it: whitespace, `,` or `;`. */
function isNotationGap(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0x2c || code === 0x3b;
}

/** Fewest hex digits of a code point in the Unicode notation: `U+41` unpadded is read as `U+0041` is. */
const MIN_NOTATION_DIGITS = 2;

/** `U+` or `u+` at `at`: the Unicode notation's opening, in either case. */
function isNotationStart(text: string, at: number): boolean {
  return (text.charCodeAt(at) | 0x20) === 0x75 && text.charCodeAt(at + 1) === 0x2b;
}

/** Most whitespace characters between two code points of the Unicode notation (`U+0041   U+004B`, a tab, a line). */
const MAX_NOTATION_GAP = 4;

/**
 * The Unicode notation at `at`: `U+` (or `u+`) and 2 to 6 hex digits (`U+0041`, `U+41`), no letter or digit after
 * them. The separator before a next
 * `U+` is part of it, so the codes read as one word: a `,` or `;` and up to MAX_NOTATION_GAP spaces, tabs and at most
 * one line break (`U+0041 U+004B`, `U+0041; U+004B`, a table of one code point a line); so is one space or tab before
 * a printable character (`U+0041 K`, `U+0041 \u004B`: a notation among plain characters or other escapes).
 */
function codePointNotationAt(text: string, at: number): { code: number; length: number } | undefined {
  if (!isNotationStart(text, at)) return undefined;
  const n = numberAt(text, at + 2, 6, 16);
  const end = at + 2 + n.length;
  const after = text.charCodeAt(end);
  const next = isNotationStart(text, end);
  const glued = !next && ((after >= 0x30 && after <= 0x39) || ((after | 0x20) >= 0x61 && (after | 0x20) <= 0x7a));
  if (n.length < MIN_NOTATION_DIGITS || glued || !isCodePoint(n.value)) return undefined;
  const spaces = end + (after === 0x2c || after === 0x3b ? 1 : 0);
  let k = spaces;
  let lines = 0;
  for (; k - spaces < MAX_NOTATION_GAP; k += 1) {
    const code = text.charCodeAt(k);
    if (code === 0x0a) lines += 1;
    else if (code !== 0x20 && code !== 0x09 && code !== 0x0d) break;
    if (lines > 1) break;
  }
  if (isNotationStart(text, k)) return { code: n.value, length: k - at };
  const blank = text.charCodeAt(end) === 0x20 || text.charCodeAt(end) === 0x09;
  const printable = blank && isWideRunChar(text.charCodeAt(end + 1));
  return { code: n.value, length: (printable ? end + 1 : end) - at };
}

/**
 * Runs of JavaScript's `escape()` form (`%u0041%u004B…`, with `%XX` among them, as `unescape()` reads) and of CSS
 * escapes (`\41 \4b …`, `\000041`), which the percent and backslash runs do not read (a `%u` is no byte; a CSS
 * escape ends with a space), of Perl's `\x{41}\x{4B}…` and of the Unicode notation `U+0041 U+004B …` (spaces or
 * commas between, no other escape reads them): from each `%u`, `\`, `\x{` or `U+` on, escapes and printable
 * characters, with the characters before it that a run holds, decoded when it holds at least MIN_WIDE_ESCAPES
 * escapes, each unit mapped to its own escape.
 * One decode level (the decoded text is not searched again here); linear: a character is read at most twice (once
 * back from a trigger, never before the last run's end, and once forward).
 */
type EscapeReader = (text: string, at: number) => { code: number; length: number } | undefined;

/** The wide forms, each with the trigger a run of it starts at. */
const WIDE_FORMS: readonly (readonly [string, EscapeReader])[] = [
  ['%u', percentUAt],
  ['\\', cssEscapeAt],
  ['\\x{', braceEscapeAt],
  ['U+', codePointNotationAt],
  ['u+', codePointNotationAt],
];

/**
 * Any escape at `at` a run may mix in after its own form (`own`): the other wide forms, then escapeAt's (`\u0041`,
 * `\x41`, octal, `&#65;`), so a key written half `U+0041 ` and half `\u0041` is one run. `wide`: of `own`'s form.
 */
function mixedEscapeAt(
  text: string,
  at: number,
  own: EscapeReader,
): { code: number; length: number; wide: boolean } | undefined {
  const mine = own(text, at);
  if (mine !== undefined) return { ...mine, wide: true };
  for (const [, reader] of WIDE_FORMS) {
    if (reader === own || reader === cssEscapeAt) continue;
    const found = reader(text, at);
    if (found !== undefined) return { ...found, wide: false };
  }
  const first = text.charCodeAt(at);
  if (first !== 0x5c && first !== 0x26) return undefined;
  const found = escapeAt(text, at) ?? cssEscapeAt(text, at);
  return found === undefined ? undefined : { ...found, wide: false };
}

/**
 * Runs of JavaScript's `escape()` form (`%u0041%u004B…`, with `%XX` among them, as `unescape()` reads) and of CSS
 * escapes (`\41 \4b …`, `\000041`), which the percent and backslash runs do not read (a `%u` is no byte; a CSS
 * escape ends with a space), of Perl's `\x{41}\x{4B}…` and of the Unicode notation `U+0041 U+004B …` (spaces, tabs,
 * a line break, `,` or `;` between, no other escape reads them): from each `%u`, `\`, `\x{` or `U+` on, escapes of
 * that form, of the other forms and of escapeAt's (a key half in `U+`, half in `\u`), and printable characters, with
 * the characters before it that a run holds, decoded when it holds at least MIN_WIDE_ESCAPES escapes, each unit mapped
 * to its own escape. A run whose escapes are all escapeAt's is the backslash runs' (decode.ts), not read again here.
 * One decode level (the decoded text is not searched again here); linear: a character is read at most twice a form
 * (once back from a trigger, never before the last run's end, and once forward).
 */
export function wideEscapeRuns(text: string, add: (from: number, end: number, decoded: MappedText) => void): void {
  for (const [trigger, escapeOf] of WIDE_FORMS) {
    let last = 0;
    for (let i = text.indexOf(trigger); i >= 0; i = text.indexOf(trigger, Math.max(last, i + 1))) {
      let from = i;
      while (from > last && isWideRunChar(text.charCodeAt(from - 1)) && text.charCodeAt(from - 1) !== 0x5c) from -= 1;
      let decoded = '';
      const starts: number[] = [];
      const ends: number[] = [];
      let escapes = 0;
      let own = 0;
      let at = from;
      while (at < text.length) {
        const found = at >= i ? mixedEscapeAt(text, at, escapeOf) : undefined;
        if (found === undefined && !isWideRunChar(text.charCodeAt(at))) break;
        const chars = found === undefined ? (text[at] as string) : String.fromCodePoint(found.code);
        const length = found === undefined ? 1 : found.length;
        // A notation's own span ends at its digits: the separator it takes before the next one is not the value's.
        let tight = at + length;
        if (found !== undefined && isNotationStart(text, at)) {
          while (tight > at && isNotationGap(text.charCodeAt(tight - 1))) tight -= 1;
        }
        for (let k = 0; k < chars.length; k += 1) {
          starts.push(at - from);
          ends.push(tight - from);
        }
        decoded += chars;
        if (found !== undefined) escapes += 1;
        if (found?.wide) own += 1;
        at += length;
      }
      last = Math.max(at, i + 1);
      if (escapes >= MIN_WIDE_ESCAPES && own > 0) {
        add(from, at, { text: decoded, starts: Int32Array.from(starts), ends: Int32Array.from(ends) });
      }
    }
  }
}

/** Most characters of a JSON member's name read with its escapes (jsonNameEscapes), and of its value after it. */
const MAX_JSON_NAME = 32;
const MAX_JSON_VALUE = 64;

/**
 * JSON members whose name holds a `\u` escape (`"\u0073sn":"219099999"`: every JSON reader reads `ssn`), read as the
 * name decoded and the rest of the member as written up to its value's end (a string or a number), so the value has
 * its name as context; the escape runs (decode.ts) read the name alone. Linear: a `\u` is read once, its name and
 * value in MAX_JSON_NAME and MAX_JSON_VALUE characters.
 */
export function jsonNameEscapes(text: string, add: (from: number, end: number, decoded: MappedText) => void): void {
  for (let i = text.indexOf('\\u'); i >= 0; i = text.indexOf('\\u', i + 2)) {
    let open = i - 1;
    while (open >= 0 && i - open <= MAX_JSON_NAME && text.charCodeAt(open) !== 0x22 && text.charCodeAt(open) > 0x1f)
      open -= 1;
    let close = i;
    while (close < text.length && close - i <= MAX_JSON_NAME && text.charCodeAt(close) !== 0x22) close += 1;
    if (open < 0 || text.charCodeAt(open) !== 0x22 || text.charCodeAt(close) !== 0x22) continue;
    const end = jsonValueEnd(text, close + 1);
    const name = end > 0 ? decodeEscapes(text.slice(open + 1, close)) : undefined;
    if (name === undefined) continue;
    const rest = end - close;
    const starts = new Int32Array(name.text.length + rest);
    const ends = new Int32Array(name.text.length + rest);
    for (let k = 0; k < name.text.length; k += 1) {
      starts[k] = (name.starts[k] as number) + 1;
      ends[k] = (name.ends[k] as number) + 1;
    }
    for (let k = 0; k < rest; k += 1) {
      starts[name.text.length + k] = close - open + k;
      ends[name.text.length + k] = close - open + k + 1;
    }
    add(open + 1, end, { text: name.text + text.slice(close, end), starts, ends });
    i = close;
  }
}

/** Where the JSON member's value after its name's closing quote (`"`, at `at - 1`) ends: blanks, `:`, a string or a number; -1 when none. */
function jsonValueEnd(text: string, at: number): number {
  let k = at;
  while (text.charCodeAt(k) === 0x20) k += 1;
  if (text.charCodeAt(k) !== 0x3a) return -1;
  k += 1;
  while (text.charCodeAt(k) === 0x20) k += 1;
  const quoted = text.charCodeAt(k) === 0x22;
  const from = quoted ? k + 1 : k;
  let to = from;
  while (to < text.length && to - from < MAX_JSON_VALUE && text.charCodeAt(to) !== 0x22) {
    const code = text.charCodeAt(to);
    if (!quoted && !(code >= 0x30 && code <= 0x39) && code !== 0x2d) break;
    to += 1;
  }
  if (to === from) return -1;
  return quoted ? (text.charCodeAt(to) === 0x22 ? to + 1 : -1) : to;
}
