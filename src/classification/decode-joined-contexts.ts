// Where the language joins string literals beyond an operator between them (decode-joined-literals.ts reads the
// literals): a list passed to a join call (`"".join([…])`, `[…].join('')`, Go's `strings.Join([]string{…}, "")`, PHP's
// `implode('', […])`, Kotlin's `joinToString`), a builder's or a writer's calls one after the other
// (`.append("…").append("…")`, `sb.append("…");` a line), a variable grown a statement at a time (`k += "…"`, PHP's
// `.=`, C++'s `<<`) and an interpolation holding only a literal (`` `${'…'}${'…'}` ``, `f"{'…'}{'…'}"`). A join's
// separator is not read: a value joined by `-` carries its pieces as well as one joined by nothing.
// Invariant: each look is bounded (MAX_CONTEXT characters before a list, MAX_GAP and MAX_NAME after a literal).
import { isIdentifierCode } from './decode-code-calls.ts';
import { blanksAfter, gapEnd, MAX_OPERATOR_BLANKS, operatorAt } from './decode-code-operators.ts';

/** Most characters looked at before a list's opening for a join call (`strings.Join([]string{`, `implode('', [`). */
const MAX_CONTEXT = 48;
/** Most characters of a name (a receiver and its method: `this.parts.append`, `$k`). */
const MAX_NAME = 32;
/** Most whitespace (line breaks too) between a list's opening bracket and its first literal. */
const MAX_OPENING_GAP = 32;
/** Most closing brackets between a list's last literal and a join call after it (`]).join(`, `}).joinToString(`). */
const MAX_CLOSERS = 3;
/** A join call's name, lower case, ends so: `join`, `Join`, `joinToString`, `concat`, `strcat`, `implode`, `paste0`. */
const JOIN_NAME = /(?:join|jointostring|joined|cat|concatenate|implode|paste|paste0|mkstring|reduce)$/;
/** A method that adds a literal to a value being built or written: `append`, `Append`, `write`, `push`, `concat`. */
const APPEND_NAME = /(?:^|\.)(?:append|appendline|appendliteral|concat|write|writeline|print|push|add|plus|insert)$/;

function isQuoteCode(code: number): boolean {
  return code === 0x22 || code === 0x27 || code === 0x60;
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/** Where the whitespace (line breaks too) before `at` starts, MAX_OPENING_GAP characters back at most. */
export function whitespaceBefore(text: string, at: number): number {
  let k = at;
  while (k > 0 && at - k < MAX_OPENING_GAP && isWhitespace(text.charCodeAt(k - 1))) k -= 1;
  return k;
}

/** The name (identifier characters and dots) ending at `end`, lower case, MAX_NAME characters at most. */
function nameBefore(text: string, end: number): string {
  let k = end;
  while (k > 0 && end - k < MAX_NAME && (isIdentifierCode(text.charCodeAt(k - 1)) || text.charCodeAt(k - 1) === 0x2e))
    k -= 1;
  return text.slice(k, end).toLowerCase();
}

/** Characters a join call's opening may hold before its list: names, brackets, types, a separator literal, `,`. */
const CONTEXT_MARKS = new Set([...'.[]{}()<>!:,@"\'`'].map((c) => c.charCodeAt(0)));

/**
 * Whether the list whose first literal opens at `at` is a join call's: a `[`, `{` or `(` before it (whitespace
 * between), and a join call's `name(` within MAX_CONTEXT characters of names, brackets, blanks, `,` and quotes before
 * that (`"".join([`, `strings.Join([]string{`, `implode('', [`, `String.join("", new String[] {`), or a join call on
 * the list after its last literal ends at `end` (`[…].join('')`, `listOf(…).joinToString("")`).
 */
export function joinsList(text: string, at: number, end: number): boolean {
  const open = whitespaceBefore(text, at) - 1;
  const bracket = text.charCodeAt(open);
  if (bracket !== 0x5b && bracket !== 0x7b && bracket !== 0x28) return false;
  const from = Math.max(0, open - MAX_CONTEXT + 1);
  const call = from + text.slice(from, open + 1).lastIndexOf('('); // a join call's last `(`, found natively
  for (let k = open; call >= from && k >= call; k -= 1) {
    const code = text.charCodeAt(k);
    if (code === 0x28 && JOIN_NAME.test(nameBefore(text, blanksBefore(text, k)))) return true;
    if (!isIdentifierCode(code) && !isWhitespace(code) && !CONTEXT_MARKS.has(code)) break;
  }
  return joinCallAfter(text, end);
}

/** Where the spaces and tabs before `at` start, MAX_OPERATOR_BLANKS at most. */
function blanksBefore(text: string, at: number): number {
  let k = at;
  while (k > 0 && at - k < MAX_OPERATOR_BLANKS && (text.charCodeAt(k - 1) === 0x20 || text.charCodeAt(k - 1) === 0x09))
    k -= 1;
  return k;
}

function isCloser(code: number): boolean {
  return code === 0x5d || code === 0x7d || code === 0x29;
}

/** Whether a join call follows a list's last literal ending at `end`: a `,` maybe, its closing brackets, `.name`. */
function joinCallAfter(text: string, end: number): boolean {
  let k = gapEnd(text, end);
  if (text.charCodeAt(k) === 0x2c) k = gapEnd(text, k + 1); // a trailing comma
  let closers = 0;
  while (closers < MAX_CLOSERS && isCloser(text.charCodeAt(k))) {
    closers += 1;
    k = gapEnd(text, k + 1);
  }
  if (closers === 0 || text.charCodeAt(k) !== 0x2e) return false;
  let name = k + 1;
  while (name - k <= MAX_NAME && isIdentifierCode(text.charCodeAt(name))) name += 1;
  return JOIN_NAME.test(text.slice(k + 1, name).toLowerCase()); // `(` after it or none (Ruby's `.join`)
}

/** What a statement joint may open with: a `)`, a `;`, a gap (a line break, a comment), a method's `.`. */
const STATEMENT_STARTS = new Set([...');\r\n#/-.'].map((c) => c.charCodeAt(0)));

/**
 * Where the next literal starts when a statement or a call after the literal ending at `end` adds it to the same value
 * (after a `)` and a `;` maybe, and a gap, gapEnd's: line breaks and comments): a name grown by `+=`, `.=`, `<<` or
 * `&=` (`k += "…"`, `$k .= '…'`), or an append method's call after a call (`).append("…")`, `);\n sb.Append("…")`);
 * -1 when none. Bounded: MAX_GAP and MAX_NAME characters and a few marks.
 */
export function statementJoint(text: string, end: number): number {
  let k = blanksAfter(text, end, MAX_OPERATOR_BLANKS);
  if (!STATEMENT_STARTS.has(text.charCodeAt(k)) && !isIdentifierCode(text.charCodeAt(k))) return -1; // `,`, `:`, `]`
  const closed = text.charCodeAt(k) === 0x29;
  if (closed) k = blanksAfter(text, k + 1, MAX_OPERATOR_BLANKS);
  if (text.charCodeAt(k) === 0x3b) k += 1;
  k = gapEnd(text, k);
  let name = k;
  while (name - k < MAX_NAME && (isIdentifierCode(text.charCodeAt(name)) || text.charCodeAt(name) === 0x2e)) name += 1;
  if (name - k === MAX_NAME) return -1;
  let at = blanksAfter(text, name, MAX_OPERATOR_BLANKS);
  const code = text.charCodeAt(at);
  const second = text.charCodeAt(at + 1);
  if (closed && code === 0x28 && APPEND_NAME.test(text.slice(k, name).toLowerCase())) at += 1;
  else if (name > k && code === 0x3d && second !== 0x3d) return reassignedAt(text, at + 1);
  else if (name > k && (code === 0x2b || code === 0x2e || code === 0x26) && second === 0x3d) at += 2;
  else if (name > k && code === 0x3c && second === 0x3c) at += text.charCodeAt(at + 2) === 0x3d ? 3 : 2;
  else return -1;
  at = blanksAfter(text, at, MAX_OPERATOR_BLANKS);
  return isQuoteCode(text.charCodeAt(at)) ? at : -1;
}

/** After `name =` (`k = k + "…"`, `$k = $k . '…'`): where the literal after a name and a joining operator starts. */
function reassignedAt(text: string, at: number): number {
  const from = blanksAfter(text, at, MAX_OPERATOR_BLANKS);
  let name = from;
  while (name - from < MAX_NAME && (isIdentifierCode(text.charCodeAt(name)) || text.charCodeAt(name) === 0x2e))
    name += 1;
  const operator = name > from && name - from < MAX_NAME ? operatorAt(text, name) : undefined;
  if (operator === undefined || operator.operator === ',' || operator.operator.startsWith('}')) return -1;
  return isQuoteCode(text.charCodeAt(operator.next)) ? operator.next : -1;
}

/** Most parentheses between a literal and its operator, and between the operator and the next literal. */
const MAX_PARENS = 2;

/**
 * Where the next literal starts when parentheses stand between two literals and their operator (`("AKIA") + ("Z3…")`,
 * `std::string("AKIA") + "Z3…"`): up to MAX_PARENS `)` before the operator and `(` after it; -1 when none.
 */
export function parenthesisedJoint(text: string, end: number): number {
  let k = blanksAfter(text, end, MAX_OPERATOR_BLANKS);
  for (let n = 0; n < MAX_PARENS && text.charCodeAt(k) === 0x29; n += 1)
    k = blanksAfter(text, k + 1, MAX_OPERATOR_BLANKS);
  const operator = operatorAt(text, k);
  if (operator === undefined || operator.operator === ',' || operator.operator.startsWith('}')) return -1;
  let next = operator.next;
  for (let n = 0; n < MAX_PARENS && text.charCodeAt(next) === 0x28; n += 1)
    next = blanksAfter(text, next + 1, MAX_OPERATOR_BLANKS);
  return isQuoteCode(text.charCodeAt(next)) ? next : -1;
}

/** Whether the literal whose opening quote is at `quote` is an interpolation's whole inside: `{` (blanks) before it. */
export function isInterpolated(text: string, quote: number): boolean {
  return text.charCodeAt(blanksBefore(text, quote) - 1) === 0x7b;
}
