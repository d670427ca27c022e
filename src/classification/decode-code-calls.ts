// Character codes written one call a character and joined by one operator (`chr(65) + chr(75)`, `[char]65`,
// `CHAR(65) || …`, Ruby's `65.chr`, Go's `string(rune(65))`), or as octal literals (`0o101, 0o113`), read as the
// characters they name. Invariants, as decode-code-lists.ts's: every decoded unit records the run-local span of the
// call (or the literal character) it came from; linear: a token is read in a bounded number of characters, a run once.
import { gluesToNumber, isCodeSeparator, MAX_CODE_SEPARATOR, separatesCodes } from './decode-code-lists.ts';
import {
  blanksAfter,
  gapEnd,
  literalAt,
  MAX_GAP,
  MAX_LITERAL,
  MAX_OPERATOR_BLANKS,
  operatorAt,
} from './decode-code-operators.ts';
import { type MappedText, numberAt } from './decode-escapes.ts';

/** Fewest character codes in a run of calls (`chr(65) + chr(75) + …`) or of octal literals (`0o101, 0o113, …`). */
export const MIN_CALL_CODES = 4;
/**
 * What every token holds, found by one regular expression (linear, and fast on prose: each branch opens with a
 * bracket, `0` or a number glued to `.x` / ` as `): a call's `(` and its code's first digit, a cast's `]` or `)` (one
 * blank after it: Java's `(char) 65`) and a digit, `0o` and an octal digit, a code with a method or cast after it
 * (Ruby's `65.chr`, Kotlin's `65.toChar()`, Rust's `65u8 as char`).
 */
const CALL_CORE =
  /\( {0,3}[0-9]|[\])] ?[0-9]|0[oO][0-7]|(?<![0-9A-Za-z_$.])(?:0[xX][0-9A-Fa-f]{2}|[0-9]{2,3})(?:u8)?(?:\.[A-Za-z_]| as [A-Za-z])/g;
/** Most calls one in another around a code (Go's `string(rune(65))`, Swift's `String(UnicodeScalar(65))`). */
const MAX_CALL_DEPTH = 3;
/** Most characters of a name (dots included) in a call, and of a method after a code (`65.chr`). */
const MAX_NAME = 32;

/** A character of a name (letters, digits, `_` and `$`). */
export function isIdentifierCode(code: number): boolean {
  return code === 0x24 || (code !== 0x2e && code !== 0x2d && gluesToNumber(code));
}

/** A letter, `_` or `$`: a name's first character. */
function isNameStart(code: number): boolean {
  return isIdentifierCode(code) && !(code >= 0x30 && code <= 0x39);
}

/** One character code a token: its end, its code and what every token of its run shares (the call's name, `0o`). */
interface CodeToken {
  end: number;
  value: number;
  kind: string;
}

/** A printable ASCII code (32-126) of 2-3 digits in `base` at `at`; glued to what follows or not (the caller asks). */
function codeDigitsAt(text: string, at: number, base: 8 | 10): { end: number; value: number } | undefined {
  let value = 0;
  let k = at;
  while (k - at < 3) {
    const digit = text.charCodeAt(k) - 0x30;
    if (!(digit >= 0 && digit < base)) break;
    value = value * base + digit;
    k += 1;
  }
  if (k - at < 2 || value < 32 || value > 126) return undefined;
  return { end: k, value };
}

/** A printable ASCII code of 2-3 digits in `base` at `at`, not glued to what follows. */
function printableAt(text: string, at: number, base: 8 | 10): { end: number; value: number } | undefined {
  const code = codeDigitsAt(text, at, base);
  return code && !gluesToNumber(text.charCodeAt(code.end)) ? code : undefined;
}

/** A printable code at `at` in decimal, as `0x` and two hex digits or `0o` and octal; glued to what follows or not. */
function anyCodeAt(text: string, at: number): { end: number; value: number } | undefined {
  if (text.charCodeAt(at) === 0x30 && (text.charCodeAt(at + 1) | 0x20) === 0x6f) return codeDigitsAt(text, at + 2, 8);
  if (text.charCodeAt(at) !== 0x30 || (text.charCodeAt(at + 1) | 0x20) !== 0x78) return codeDigitsAt(text, at, 10);
  const n = numberAt(text, at + 2, 3, 16);
  return n.length === 2 && n.value >= 0x20 && n.value <= 0x7e ? { end: at + 4, value: n.value } : undefined;
}

/** Where the name (identifier characters and dots, no dot last) from `at` ends: `at` when there is none. */
function nameEnd(text: string, at: number): number {
  if (!isNameStart(text.charCodeAt(at))) return at;
  let end = at;
  while (end - at < MAX_NAME && (isIdentifierCode(text.charCodeAt(end)) || text.charCodeAt(end) === 0x2e)) end += 1;
  while (end > at && text.charCodeAt(end - 1) === 0x2e) end -= 1;
  return end;
}

/**
 * The token at `at`: a call of one code (`chr(65)`, `CHAR( 65 )`, `String.fromCharCode(0x41)`; calls one in another,
 * MAX_CALL_DEPTH at most: `string(rune(65))`), a cast (`[char]65`, `(char) 65`), an octal literal (`0o101`) or a code
 * with a method or a cast after it (`65.chr`, `65.toChar()`, `65u8 as char`), not glued after a word; undefined when
 * there is none. Bounded: at most MAX_CALL_DEPTH * (MAX_NAME + 8) + 16 characters are looked at.
 */
function codeTokenAt(text: string, at: number): CodeToken | undefined {
  if (at > 0 && isIdentifierCode(text.charCodeAt(at - 1))) return undefined;
  const first = text.charCodeAt(at);
  if (first === 0x30 && (text.charCodeAt(at + 1) | 0x20) === 0x6f) {
    const code = printableAt(text, at + 2, 8);
    return code && { ...code, kind: '0o' };
  }
  if (first >= 0x30 && first <= 0x39) return postfixTokenAt(text, at);
  if (first === 0x5b || first === 0x28) {
    let close = at + 1;
    while (close - at <= 8 && (text.charCodeAt(close) | 0x20) >= 0x61 && (text.charCodeAt(close) | 0x20) <= 0x7a)
      close += 1;
    if (close === at + 1 || text.charCodeAt(close) !== (first === 0x5b ? 0x5d : 0x29)) {
      return first === 0x28 ? parenthesisedTokenAt(text, at) : undefined;
    }
    const kind = text.slice(at, close + 1).toLowerCase();
    const from = blanksAfter(text, close + 1, 1);
    if (text.charCodeAt(from) !== 0x28) {
      const code = printableAt(text, from, 10);
      return code && { ...code, kind };
    }
    // A cast of a code in parentheses: `(char)(65)`.
    const code = anyCodeAt(text, blanksAfter(text, from + 1, MAX_OPERATOR_BLANKS));
    if (code === undefined) return undefined;
    const end = blanksAfter(text, code.end, MAX_OPERATOR_BLANKS);
    return text.charCodeAt(end) === 0x29 ? { end: end + 1, value: code.value, kind } : undefined;
  }
  let inner = at;
  let depth = 0;
  let kind = '';
  while (depth < MAX_CALL_DEPTH) {
    const open = nameEnd(text, inner);
    if (open === inner || text.charCodeAt(open) !== 0x28) return undefined;
    kind += text.slice(inner, open + 1).toLowerCase();
    depth += 1;
    inner = blanksAfter(text, open + 1, MAX_OPERATOR_BLANKS);
    if (!isNameStart(text.charCodeAt(inner))) break;
  }
  const code = anyCodeAt(text, inner);
  if (code === undefined || gluesToNumber(text.charCodeAt(code.end))) return undefined;
  let end = code.end;
  for (let level = 0; level < depth; level += 1) {
    end = blanksAfter(text, end, MAX_OPERATOR_BLANKS);
    if (text.charCodeAt(end) !== 0x29) return undefined;
    end += 1;
  }
  return { end, value: code.value, kind };
}

/** A token in parentheses at `at`, `(chr(65))`: the token inside, its end past the `)`; one level. */
function parenthesisedTokenAt(text: string, at: number): CodeToken | undefined {
  const from = blanksAfter(text, at + 1, MAX_OPERATOR_BLANKS);
  if (text.charCodeAt(from) === 0x28) return undefined;
  const inner = codeTokenAt(text, from);
  if (inner === undefined) return undefined;
  const end = blanksAfter(text, inner.end, MAX_OPERATOR_BLANKS);
  return text.charCodeAt(end) === 0x29 ? { value: inner.value, end: end + 1, kind: `(${inner.kind})` } : undefined;
}

/** A code with a method (`65.chr`, `65.toChar()`) or a cast (`65 as char`, `65u8 as char`) after it, at `at`. */
function postfixTokenAt(text: string, at: number): CodeToken | undefined {
  const code = anyCodeAt(text, at);
  if (code === undefined) return undefined;
  let k = code.end;
  if (text.charCodeAt(k) === 0x75 && text.charCodeAt(k + 1) === 0x38) k += 2; // Rust's `u8`
  let nameAt: number;
  if (text.charCodeAt(k) === 0x2e) nameAt = k + 1;
  else if (text.startsWith(' as ', k)) nameAt = k + 4;
  else return undefined;
  let end = nameAt;
  if (isNameStart(text.charCodeAt(end)))
    while (end - nameAt < MAX_NAME && isIdentifierCode(text.charCodeAt(end))) end += 1;
  if (end === nameAt) return undefined;
  const kind = `#${text.slice(k, end).toLowerCase()}`;
  if (text.charCodeAt(end) === 0x28 && text.charCodeAt(end + 1) === 0x29) end += 2;
  return isIdentifierCode(text.charCodeAt(end)) ? undefined : { end, value: code.value, kind };
}

/** A run of tokens: its units' starts and ends interleaved (a call, or one character of a literal), their codes. */
interface TokenRun {
  tokens: number[];
  values: number[];
  /** How many of the units are calls (or octal literals): a run needs MIN_CALL_CODES. */
  calls: number;
}

/**
 * The run of tokens from the token at `at` (`first`): calls of one kind joined by one operator (string literals of a
 * few characters between two, joined by it too, read as themselves), or octal literals apart as a list's codes are
 * (separatesCodes).
 */
function codeTokenRun(text: string, at: number, first: CodeToken): TokenRun {
  const run: TokenRun = { tokens: [at, first.end], values: [first.value], calls: 1 };
  let joint: string | undefined;
  for (let end = first.end; ; ) {
    let next: number;
    let literal: { from: number; to: number; next: number } | undefined;
    if (first.kind === '0o') {
      next = end;
      while (next < text.length && next - end <= MAX_CODE_SEPARATOR && isCodeSeparator(text.charCodeAt(next)))
        next += 1;
      if (!(next > end && next - end <= MAX_CODE_SEPARATOR && separatesCodes(text, end, next))) break;
    } else {
      const operator = operatorAt(text, end);
      if (operator === undefined || (joint !== undefined && operator.operator !== joint)) break;
      joint = operator.operator;
      next = operator.next;
      literal = literalAt(text, next, joint);
      if (literal !== undefined) next = literal.next;
    }
    const token = codeTokenAt(text, next);
    if (token === undefined || !sameKind(token.kind, first.kind)) break;
    if (literal !== undefined) {
      for (let k = literal.from; k < literal.to; k += 1) {
        run.tokens.push(k, k + 1);
        run.values.push(text.charCodeAt(k));
      }
    }
    run.tokens.push(next, token.end);
    run.values.push(token.value);
    run.calls += 1;
    end = token.end;
  }
  return run;
}

/**
 * Whether two tokens' kinds make one run: the same, or one name a word longer before the other's (`unichr(` and
 * `chr(`, T-SQL's `nchar(` and `char(`, `fromcharcode(` and `string.fromcharcode(`).
 */
function sameKind(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  if (!long.endsWith(short) || short.startsWith('#') || short === '0o') return false;
  const rest = long.charCodeAt(long.length - short.length - 1);
  return short.length >= 3 && (isIdentifierCode(rest) || rest === 0x2e);
}

/**
 * Runs of at least MIN_CALL_CODES character codes written one call a character and joined by one operator (Python's
 * `chr(65) + chr(75)`, Perl's `chr(65).chr(75)`, PowerShell's `[char]65 + [char]75`, SQL's `CHAR(65) || CHAR(75)`,
 * VB's `Chr(65) & Chr(75)`, a spreadsheet's `=CHAR(65)&CHAR(75)`, Ruby's `65.chr + 75.chr`, Go's
 * `string(rune(65)) + …`, Lua's `string.char(65)..string.char(75)`) or as octal literals apart as a list's codes
 * (`0o101, 0o113, …`), each decoded to its character mapped to its own call. One level of codes: a call of anything but
 * a number (`chr(x)`) ends a run. Linear: a run is read once and the search goes on after it.
 */
export function codeCallRuns(text: string, add: (from: number, end: number, decoded: MappedText) => void): void {
  for (const { start, tokens, values, calls } of codeTokenRuns(text, 0)) {
    if (calls < MIN_CALL_CODES) continue;
    const starts = new Int32Array(values.length);
    const ends = new Int32Array(values.length);
    let decoded = '';
    for (let k = 0; k < values.length; k += 1) {
      decoded += String.fromCharCode(values[k] as number);
      starts[k] = (tokens[2 * k] as number) - start;
      ends[k] = (tokens[2 * k + 1] as number) - start;
    }
    add(start, tokens[tokens.length - 1] as number, { text: decoded, starts, ends });
  }
}

/** Every run of code tokens (of any length) at or after `from`, in order, apart: the search goes on after each. */
function* codeTokenRuns(text: string, from: number): Generator<TokenRun & { start: number; kind: string }> {
  const search = new RegExp(CALL_CORE.source, 'g');
  search.lastIndex = from;
  for (let m = search.exec(text); m !== null; m = search.exec(text)) {
    let start = -1;
    let first: CodeToken | undefined;
    // The outermost call first (`string(rune(65))`), then the ones inside it (`print(chr(65) + …`: `chr(65)`).
    for (const candidate of tokenStarts(text, m.index, from)) {
      first = codeTokenAt(text, candidate);
      if (first !== undefined) {
        start = candidate;
        break;
      }
    }
    if (first === undefined) {
      search.lastIndex = m.index + 1;
      continue;
    }
    const run = codeTokenRun(text, start, first);
    search.lastIndex = run.tokens[run.tokens.length - 1] as number;
    yield { start, kind: first.kind, ...run };
  }
}

/**
 * Where a token whose core (CALL_CORE) is at `at` may start, not before `floor`, outermost first: back over a call's
 * name (MAX_NAME identifier characters and dots at most, no dot first) to each call around it (MAX_CALL_DEPTH at most:
 * `string(rune(`), or over a cast's type (8 letters) to its `[` or `(`; a code with `0o` or a method after it starts
 * at its core.
 */
function tokenStarts(text: string, at: number, floor: number): number[] {
  const core = text.charCodeAt(at);
  if (core >= 0x30 && core <= 0x39) return [at];
  if (core !== 0x28 || text.charCodeAt(at - 1) === 0x29 || text.charCodeAt(at - 1) === 0x5d) {
    // A cast (`[char]65`, `(char) 65`, `(char)(65)`): back over its type to its `[` or `(`.
    const close = core === 0x28 ? at - 1 : at;
    let start = close;
    while (start > floor && close - start <= 8 && isIdentifierCode(text.charCodeAt(start - 1))) start -= 1;
    return start > floor ? [start - 1] : [];
  }
  const starts: number[] = [];
  for (let open = at; starts.length < MAX_CALL_DEPTH; ) {
    let start = open;
    while (
      start > floor &&
      open - start < MAX_NAME &&
      (isIdentifierCode(text.charCodeAt(start - 1)) || text.charCodeAt(start - 1) === 0x2e)
    )
      start -= 1;
    while (text.charCodeAt(start) === 0x2e) start += 1;
    if (start === open) {
      if (open < at) starts.unshift(open); // a token in parentheses: `(chr(65))`
      break;
    }
    starts.unshift(start);
    open = start;
    while (open > floor && start - open < MAX_OPERATOR_BLANKS && text.charCodeAt(open - 1) === 0x20) open -= 1;
    if (open <= floor || text.charCodeAt(open - 1) !== 0x28) break;
    open -= 1;
  }
  return starts;
}

/**
 * Most characters after a run's last token that may still be its operator, a literal and its operator, and the start of
 * a next token (a name and its `(`: calls in calls are short, `string(rune(`).
 */
const MAX_CALL_TAIL = 4 * MAX_GAP + 4 + MAX_LITERAL + 2 + MAX_NAME;

/** The marks a run of calls or octal literals is written with besides names and digits (operators, separators). */
const CALL_RUN_MARKS = new Set([...'()[]{}$+.&|,;<~#/*-"\'\\ \t\n\v\f\r'].map((c) => c.charCodeAt(0)));

/** The characters an operator after a call opens with (operatorAt), a `\`, a line break and a comment (may lead). */
const OPERATOR_STARTS = new Set([...'+.&|,<~}\\\r\n#/-'].map((c) => c.charCodeAt(0)));

/** Whether what follows a run's last token at `end` may still be its operator (or a list's separator): its first mark. */
function mayContinue(text: string, end: number, kind: string): boolean {
  const k = kind === '0o' ? blanksAfter(text, end, MAX_OPERATOR_BLANKS) : gapEnd(text, end);
  if (k === text.length) return true;
  const code = text.charCodeAt(k);
  return kind === '0o' ? isCodeSeparator(code) : OPERATOR_STARTS.has(code);
}

/**
 * Where a run of calls or octal literals (codeCallRuns) that more text could still make longer starts, at or after
 * `floor`: the first token of a run whose end is followed only by up to MAX_CALL_TAIL characters a run is written
 * with (an operator, a literal, a next call's start). A stream holds it from there, as it holds a list of decimal
 * codes still growing; the text's length when there is none. Linear in text.length - floor.
 */
export function trailingCallRunStart(text: string, floor: number): number {
  let from = text.length;
  while (
    from > floor &&
    (isIdentifierCode(text.charCodeAt(from - 1)) || CALL_RUN_MARKS.has(text.charCodeAt(from - 1)))
  ) {
    from -= 1;
  }
  for (const { start, tokens, kind } of codeTokenRuns(text, from)) {
    const end = tokens[tokens.length - 1] as number;
    if (text.length - end <= MAX_CALL_TAIL && mayContinue(text, end, kind)) return start;
  }
  return text.length;
}
