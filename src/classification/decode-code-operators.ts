// What joins two calls of a run of character codes (decode-code-calls.ts): an operator with a gap either side (blanks,
// up to MAX_GAP_LINES line breaks with their indentation, line and block comments: a blank line or a comment line
// before a leading `+`, a `/* … */` after a trailing one, a `\` after it), an interpolation's close and the next's
// open, and a short string literal between two operators. Invariant: each is read in a bounded number of characters
// (MAX_GAP either side, MAX_LITERAL).

/** Most characters of a string literal between two calls (`chr(65) + "" + chr(75)`, `chr(65) + "KIA" + chr(90)`). */
export const MAX_LITERAL = 32;

/** Most blanks indenting the next line when a run of calls goes on after a line break. */
export const MAX_LINE_INDENT = 16;

/** Most blanks on either side of the operator between two calls, and inside a call's parentheses. */
export const MAX_OPERATOR_BLANKS = 8;

/** Where the spaces and tabs from `at` end, `most` of them at most. */
export function blanksAfter(text: string, at: number, most: number): number {
  let k = at;
  while (k - at < most && (text.charCodeAt(k) === 0x20 || text.charCodeAt(k) === 0x09)) k += 1;
  return k;
}

/** Most characters of a comment beside an operator (`chr(65) +  # A`). */
export const MAX_COMMENT = 64;

/** Most line breaks on one side of an operator (a blank line or a comment line between two calls). */
const MAX_GAP_LINES = 2;

/** Most comments and line breaks on one side of an operator. */
const MAX_GAP_STEPS = 4;

/** Most characters of the gap on one side of an operator (gapEnd). */
export const MAX_GAP = MAX_OPERATOR_BLANKS + MAX_GAP_STEPS * (MAX_COMMENT + 2 + MAX_LINE_INDENT + MAX_OPERATOR_BLANKS);

/**
 * The operator joining two calls at `at` (`+`, `.`, `..`, `&`, `||`, `<<`, `~`, a list's `,`, or an interpolation's
 * close and the next's open, `}{` or `}${`, up to MAX_OPERATOR_BLANKS blanks either side): where the next call starts
 * and the operator, or undefined. A gap (gapEnd) may come before the operator (PEP 8's `\n    + chr(75)`, SQL's leading
 * `||`, a blank line or a comment line before them) and after it (a `\` first), but not after an interpolation's.
 */
export function operatorAt(text: string, at: number): { next: number; operator: string } | undefined {
  const k = gapEnd(text, at);
  const code = text.charCodeAt(k);
  const second = text.charCodeAt(k + 1);
  let operator: string;
  if ((code === 0x7c || code === 0x2e || code === 0x3c) && second === code)
    operator = text.slice(k, k + 2); // `||`, Lua's `..`, Ruby's `<<`
  else if (code === 0x7d && (second === 0x7b || (second === 0x24 && text.charCodeAt(k + 2) === 0x7b)))
    operator = second === 0x7b ? '}{' : '}${'; // f"{chr(65)}{chr(75)}", `${…}${…}`
  else if (code === 0x2b || code === 0x2e || code === 0x26 || code === 0x2c || code === 0x7e)
    operator = text[k] as string;
  else return undefined;
  let next = k + operator.length;
  if (operator.startsWith('}')) return { next: blanksAfter(text, next, MAX_OPERATOR_BLANKS), operator };
  next = blanksAfter(text, next, MAX_OPERATOR_BLANKS);
  if (text.charCodeAt(next) === 0x5c) next += 1; // a line's continuation
  return { next: gapEnd(text, next), operator };
}

/**
 * Where the gap from `at` ends: blanks, then up to MAX_GAP_STEPS comments (a line comment, `#`, `//`, `--`, up to
 * its line break; a block comment, from `/*` to its close, and the blanks after it) and line breaks (MAX_GAP_LINES at
 * most, each with its indentation). At most MAX_GAP characters.
 */
export function gapEnd(text: string, at: number): number {
  let k = blanksAfter(text, at, MAX_OPERATOR_BLANKS);
  let lines = 0;
  for (let step = 0; step < MAX_GAP_STEPS; step += 1) {
    const comment = commentEnd(text, k);
    if (comment > k) {
      k = blanksAfter(text, comment, MAX_OPERATOR_BLANKS);
      continue;
    }
    const lineBreak = lineBreakLength(text, k);
    if (lineBreak === 0 || lines === MAX_GAP_LINES) break;
    lines += 1;
    k = blanksAfter(text, k + lineBreak, MAX_LINE_INDENT);
  }
  return k;
}

/** The length of a line break (LF, CRLF) at `at`, or 0. */
function lineBreakLength(text: string, at: number): number {
  if (text.charCodeAt(at) === 0x0a) return 1;
  return text.charCodeAt(at) === 0x0d && text.charCodeAt(at + 1) === 0x0a ? 2 : 0;
}

/**
 * Where a comment at `at` ends (MAX_COMMENT characters at most): a line comment (`#`, `//`, `--`) at its line break, a
 * block comment (from `/*`) after its close; else `at`.
 */
export function commentEnd(text: string, at: number): number {
  const code = text.charCodeAt(at);
  const second = text.charCodeAt(at + 1);
  if (code === 0x2f && second === 0x2a) {
    for (let end = at + 2; end + 2 - at <= MAX_COMMENT && end + 1 < text.length; end += 1)
      if (text.charCodeAt(end) === 0x2a && text.charCodeAt(end + 1) === 0x2f) return end + 2;
    return at;
  }
  const opens = code === 0x23 || ((code === 0x2f || code === 0x2d) && second === code);
  if (!opens) return at;
  let end = at;
  while (end - at <= MAX_COMMENT && end < text.length && text.charCodeAt(end) !== 0x0a && text.charCodeAt(end) !== 0x0d)
    end += 1;
  return lineBreakLength(text, end) > 0 ? end : at;
}

/**
 * A string literal at `at` (`""`, `'KIA'`: MAX_LITERAL printable ASCII characters at most, no quote or backslash in
 * it) followed by `operator`: where its characters start and end, and where the token after the operator starts.
 */
export function literalAt(
  text: string,
  at: number,
  operator: string,
): { from: number; to: number; next: number } | undefined {
  const quote = text.charCodeAt(at);
  if (quote !== 0x22 && quote !== 0x27) return undefined;
  let to = at + 1;
  while (to - at <= MAX_LITERAL && text.charCodeAt(to) >= 0x20 && text.charCodeAt(to) < 0x7f) {
    const code = text.charCodeAt(to);
    if (code === quote || code === 0x5c) break;
    to += 1;
  }
  if (text.charCodeAt(to) !== quote) return undefined;
  const after = operatorAt(text, to + 1);
  return after?.operator === operator ? { from: at + 1, to, next: after.next } : undefined;
}
