// The shape of a join window, shared by every reading that builds one (segment-join, document-pairs, window batches,
// the stream's join holds) and by the piece mapping (join-pieces): a window is text glued from slices of segments,
// each slice's place kept, so a finding in the window maps back to the segments it touches.

/** One segment's slice inside a window: window offset `at`, segment offset `from`, `length` characters. */
export interface WindowPart {
  segment: number;
  at: number;
  from: number;
  length: number;
}

/** A span of one segment's original text. */
export interface Piece {
  segment: number;
  start: number;
  end: number;
}

export interface JoinWindow {
  text: string;
  /** The slices the window is made of, in order (empty segments left out). */
  parts: readonly WindowPart[];
}

/**
 * Between two pairs of one valuePairs window: no recognizer matches across a line break, a `!` and a line break (not
 * a bar: the digits view reads `|` between digit groups as a separator, digit-view.ts).
 */
export const PAIR_GAP = '\n!\n';
