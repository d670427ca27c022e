// String literals the language joins, read as the text they join: C's and Python's adjacent literals (`"AKIA" "Z3…"`),
// an operator between them (Go's and Java's `+`, PHP's and Perl's `.`, Lua's `..`, SQL's `||`, a spreadsheet's `&`), a
// list's `,` (Rust's `concat!("…", "…")`, Java's `String.join("", …)`, printf's `"%s%s", "…", "…"`), and a shell word
// of quotes glued to each other and to bare characters (`AKIA'Z3MQ'"WX…"`). decode-groups.ts joins such literals only
// as an encoding's groups; this reads what they join as itself, so any recognizer (a key id, a token, a card) sees it.
// Each character of the joined text maps to its own character in the source (a finding covers its literals' span).
// A stream holds no run for its next piece: its last piece is held as any run of letters and digits is (trailingRunStart's
// encoded run) until its closing quote, when the reading holds the value whole.
// Invariants: linear (a quote is tried as a literal's opening at most twice, a literal's closing quote not again, a
// literal is MAX_PIECE characters at most, a gap operatorAt's MAX_GAP; the search goes on after a run, or from its
// middle when it is cut at MAX_PIECES pieces).
import { blanksAfter, gapEnd, MAX_OPERATOR_BLANKS, operatorAt } from './decode-code-operators.ts';
import {
  isInterpolated,
  joinsList,
  parenthesisedJoint,
  statementJoint,
  whitespaceBefore,
} from './decode-joined-contexts.ts';
import type { MappedText } from './decode-escapes.ts';

/** Most characters of one piece (a literal's contents or a bare word glued to a quote). */
export const MAX_PIECE = 64;
/** Most pieces of one run; a longer run is read as runs of MAX_PIECES, each from the middle of the one before. */
export const MAX_PIECES = 64;
/** Fewest characters of a joined text read (decode.ts's MIN_PERCENT_RUN: shorter holds no value a recognizer reads). */
const MIN_JOINED = 8;

export function isQuote(code: number): boolean {
  return code === 0x22 || code === 0x27 || code === 0x60;
}

/** A character of a piece: printable ASCII but blanks, quotes and `\` (a literal with a space or escape is no piece). */
export function isPieceChar(code: number): boolean {
  return code > 0x20 && code < 0x7f && code !== 0x5c && !isQuote(code);
}

/** A character of a bare word glued to a quote (a shell word's unquoted part): letters, digits, `_`, `+`, `/`, `-`. */
function isBareChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f ||
    code === 0x2b ||
    code === 0x2f ||
    code === 0x2d
  );
}

/** A piece of a run: its characters' span [from, to) in the text, and where it ends (after its closing quote). */
interface Piece {
  from: number;
  to: number;
  end: number;
  quoted: boolean;
}

/**
 * The quoted literal at `at` (a quote there): its piece, or undefined when it is none (no closing quote within
 * MAX_PIECE characters on its line, a blank or `\` inside).
 */
function literalAt(text: string, at: number): Piece | undefined {
  const quote = text.charCodeAt(at);
  let to = at + 1;
  while (to - at - 1 < MAX_PIECE && to < text.length && isPieceChar(text.charCodeAt(to))) to += 1;
  return text.charCodeAt(to) === quote ? { from: at + 1, to, end: to + 1, quoted: true } : undefined;
}

/** The bare word glued after a closing quote at `at` (a shell word's tail), or undefined. */
function bareAt(text: string, at: number): Piece | undefined {
  let to = at;
  while (to - at < MAX_PIECE && to < text.length && isBareChar(text.charCodeAt(to))) to += 1;
  return to > at && !isQuote(text.charCodeAt(to)) ? { from: at, to, end: to, quoted: false } : undefined;
}

/**
 * Whether the literal at `at` opens a call's arguments (`concat!(`, `String.join(`, `printf(`): a `(` before it, or a
 * `(`, one literal (the format or separator, escapes and all) and a `,`. Only there does a `,` join literals: a list's
 * or an object's strings (`["name","ssn"]`) are apart.
 */
function opensArguments(text: string, at: number): boolean {
  const k = whitespaceBefore(text, at);
  if (text.charCodeAt(k - 1) === 0x28) return true;
  if (text.charCodeAt(k - 1) !== 0x2c) return false;
  const close = k - 2;
  const quote = text.charCodeAt(close);
  if (!isQuote(quote)) return false;
  let open = close - 1;
  while (open >= 0 && close - open <= MAX_PIECE && text.charCodeAt(open) !== quote && text.charCodeAt(open) !== 0x0a)
    open -= 1;
  return open >= 1 && text.charCodeAt(open) === quote && text.charCodeAt(open - 1) === 0x28;
}

/**
 * What a joint may open with after a literal's blanks: a quote, a gap's line break, `\` or comment, an operator
 * (operatorAt's), a `)` or `;` before a statement (statementJoint's, or a name: isBareChar).
 */
const JOINT_STARTS = new Set([...'"\'`\\\r\n#/-+.&|,~}<);$'].map((c) => c.charCodeAt(0)));

/** What a gap (gapEnd's) opens with: a line break, a comment's `#`, `/` or `-`. */
const GAP_STARTS = new Set([...'\r\n#/-'].map((c) => c.charCodeAt(0)));

/** How the piece after a piece joins it: where its quote is, and whether a list's `,` joins them. */
interface Joint {
  next: number;
  comma: boolean;
}

/**
 * The joint after a piece ending at `end`, or undefined when no piece may follow. `glued`: after a bare word (only a
 * quote glued to it goes on); `braced`: the piece is an interpolation's whole inside (`${'AKIA'}`), so `}${` or `}{`
 * joins it to the next. Adjacent literals may be a line apart (gapEnd: line breaks with their indentation, comments,
 * a `\` before them: C's and Python's literals one a line, a macro's continuation).
 */
function jointAt(text: string, end: number, glued: boolean, braced: boolean): Joint | undefined {
  if (isQuote(text.charCodeAt(end))) return { next: end, comma: false }; // glued quotes: a shell word
  if (glued) return undefined; // after a bare word only a glued quote goes on
  let blanks = blanksAfter(text, end, MAX_OPERATOR_BLANKS);
  if (!JOINT_STARTS.has(text.charCodeAt(blanks)) && !isBareChar(text.charCodeAt(blanks))) return undefined; // `:`, `]`
  const first = text.charCodeAt(blanks);
  if (first === 0x5c) blanks += 1; // a line's continuation
  if (first === 0x5c || GAP_STARTS.has(first)) blanks = gapEnd(text, blanks);
  if (blanks > end && isQuote(text.charCodeAt(blanks))) return { next: blanks, comma: false }; // adjacent literals
  const operator = operatorAt(text, end);
  if (
    operator !== undefined &&
    (braced || !operator.operator.startsWith('}')) &&
    isQuote(text.charCodeAt(operator.next))
  )
    return { next: operator.next, comma: operator.operator === ',' };
  if (first === 0x29 || text.charCodeAt(operator?.next ?? -1) === 0x28) {
    const parenthesised = parenthesisedJoint(text, end);
    if (parenthesised >= 0) return { next: parenthesised, comma: false };
  }
  const statement = statementJoint(text, end);
  return statement >= 0 ? { next: statement, comma: false } : undefined;
}

/** A list's opening bracket: `[`, `{` or `(`. */
function isBracket(code: number): boolean {
  return code === 0x5b || code === 0x7b || code === 0x28;
}

/** A run of joined pieces: where it starts and ends in the text, and its pieces. */
interface LiteralRun {
  start: number;
  end: number;
  pieces: Piece[];
}

/** The run of pieces from the quote at `at` (a bare word glued before it included), or undefined when none opens there. */
function runAt(text: string, at: number): LiteralRun | undefined {
  const first = literalAt(text, at);
  if (first === undefined) return undefined;
  const pieces: Piece[] = [];
  let bare = at;
  while (bare > 0 && at - bare < MAX_PIECE && isBareChar(text.charCodeAt(bare - 1))) bare -= 1;
  // A bare word after a quote is a literal's inside read from its closing quote (`'utf8').split('`): not a piece.
  if (bare < at && !isQuote(text.charCodeAt(bare - 1))) pieces.push({ from: bare, to: at, end: at, quoted: false });
  pieces.push(first);
  let last = first;
  // A `,` joins a call's arguments, and the literals of a list a join call joins (joinsList, read once the list's end
  // is known: a list's first literal reads it whole, kept or cut at its first `,`; a later one's stops at a `,`).
  const args = opensArguments(text, at);
  const listed = !args && isBracket(text.charCodeAt(whitespaceBefore(text, at) - 1));
  let firstComma = -1;
  while (pieces.length < MAX_PIECES && last.end < text.length) {
    const joint = jointAt(text, last.end, !last.quoted, last.quoted && isInterpolated(text, last.from - 1));
    if (joint?.comma && !args && !listed) break;
    let piece: Piece | undefined;
    if (joint !== undefined) piece = literalAt(text, joint.next);
    else if (last.quoted) piece = bareAt(text, last.end);
    if (piece === undefined) break;
    if (joint?.comma && firstComma < 0) firstComma = pieces.length;
    pieces.push(piece);
    last = piece;
  }
  if (listed && firstComma > 0 && !joinsList(text, at, last.end)) {
    pieces.length = firstComma;
    last = pieces[firstComma - 1] as Piece;
  }
  const head = pieces[0] as Piece;
  return { start: head.quoted ? head.from - 1 : head.from, end: last.end, pieces };
}

/** The joined text of a run's pieces, each character mapped to its own in the text (run-local offsets). */
function joined(text: string, run: LiteralRun): MappedText {
  let length = 0;
  for (const piece of run.pieces) length += piece.to - piece.from;
  const starts = new Int32Array(length);
  const ends = new Int32Array(length);
  let out = '';
  let k = 0;
  for (const piece of run.pieces) {
    out += text.slice(piece.from, piece.to);
    for (let at = piece.from; at < piece.to; at += 1, k += 1) {
      starts[k] = at - run.start;
      ends[k] = at + 1 - run.start;
    }
  }
  return { text: out, starts, ends };
}

/** A quote (a literal's opening), found natively. */
const QUOTE = /["'`]/g;

/** Every run of two pieces or more in `text`, in order, apart: the search goes on after each. */
function* literalRuns(text: string): Generator<LiteralRun> {
  const search = new RegExp(QUOTE.source, 'g');
  for (let m = search.exec(text); m !== null; m = search.exec(text)) {
    const run = runAt(text, m.index);
    if (run === undefined) continue;
    // A literal alone: the search goes on after its closing quote, which opens nothing.
    if (run.pieces.length < 2) {
      search.lastIndex = run.end;
      continue;
    }
    yield run;
    // A run cut at MAX_PIECES goes on from its middle piece: a value of MAX_PIECES / 2 pieces or fewer is in one run.
    const middle = run.pieces[MAX_PIECES / 2];
    search.lastIndex = run.pieces.length < MAX_PIECES || middle === undefined ? run.end : middle.from - 1;
  }
}

/**
 * What each run of joined literals in `text` joins to, given to `add` with the run's span, when it is MIN_JOINED
 * characters or more and holds two pieces or more.
 */
export function joinedLiteralRuns(text: string, add: (from: number, end: number, decoded: MappedText) => void): void {
  if (text.length < MIN_JOINED) return;
  for (const run of literalRuns(text)) {
    const value = joined(text, run);
    if (value.text.length >= MIN_JOINED) add(run.start, run.end, value);
  }
}
