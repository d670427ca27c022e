// What a stream scanner must also hold back for string literals the language joins (decode-joined-literals.ts:
// `"AKIA" "Z3…"`, `+`, `..`, `||`, `&`, concat!'s `,`): the joined text is a value only once its last piece has come,
// so a literal that may still be continued (the text ends right after it, in the gap after it, or inside the next
// literal) is held from the first literal of its run; else its first piece (4+ characters of a key) was released
// before the piece that made it a key arrived. Cheap by construction (session 16 dropped a hold of ~35 µs a chunk):
// read from the end back, it stops at the first character that is neither a piece's, a gap's nor a quote; it goes back
// only over closed literals and their gaps, no further than `floor`. Invariant: only holds more; offsets are original.
import { isPieceChar, isQuote, MAX_PIECE } from './decode-joined-literals.ts';

/** Most characters of the gap between two literals read here: blanks, an operator, a line break and its indent. */
const MAX_JOIN_GAP = 32;

/** A gap's character: blanks, line breaks, a line continuation and the join operators' `+ . | & ,`. */
function isGapChar(code: number): boolean {
  return (
    code === 0x20 ||
    code === 0x09 ||
    code === 0x0a ||
    code === 0x0d ||
    code === 0x5c ||
    code === 0x2b ||
    code === 0x2e ||
    code === 0x7c ||
    code === 0x26 ||
    code === 0x2c
  );
}

/**
 * Where a run of joined literals that may still be continued starts (the opening quote of its first closed literal):
 * the text ends inside a literal, in the gap after one, or right after its closing quote. The text's length when the
 * text ends in no such run.
 */
export function trailingLiteralStart(text: string, floor: number): number {
  let k = text.length;
  let piece = k;
  while (piece > floor && k - piece < MAX_PIECE && isPieceChar(text.charCodeAt(piece - 1))) piece -= 1;
  // A quote before a piece still arriving opens a literal when a gap or another quote is before it.
  const before = text.charCodeAt(piece - 2);
  if (piece - 1 >= floor && isQuote(text.charCodeAt(piece - 1)) && (isGapChar(before) || isQuote(before))) {
    k = piece - 1;
  }
  let start = text.length;
  for (;;) {
    let gap = k;
    while (gap > floor && k - gap < MAX_JOIN_GAP && isGapChar(text.charCodeAt(gap - 1))) gap -= 1;
    const close = gap - 1;
    if (close <= floor || !isQuote(text.charCodeAt(close))) break;
    let open = close;
    while (open > floor && close - open < MAX_PIECE && isPieceChar(text.charCodeAt(open - 1))) open -= 1;
    if (open - 1 < floor || text.charCodeAt(open - 1) !== text.charCodeAt(close)) break;
    start = open - 1;
    k = start;
  }
  return start;
}
