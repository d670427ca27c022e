// The merge of a long piece in time linear in its length (n log n), for the prompt counter (packed-bpe.ts). The
// package's bytePairMerge rescans every pair at each merge, quadratic in a pre-tokenizer piece's length, and o200k's
// pattern makes a run of letters (or of punctuation, or of white space) one piece of any length: 40,000 letters held
// the event loop for ~1-2 s. A piece of at most PACKAGE_PIECE_CHARS is merged in place; a longer one is merged here by
// the same rule (the pair of lowest rank first, the leftmost of equals) on a heap. Invariant: every count is the
// package's (test/unit/limits/packed-bpe.test.ts holds them equal).

/** Pieces up to this many UTF-16 units (≤ 192 bytes) are merged in place (packed-bpe.ts): at most ~18,000 rank reads
 * each. */
export const PACKAGE_PIECE_CHARS = 64;

/** The work a count did, for tests: rank reads of the heap merge and the longest piece merged in place. */
export interface MergeWork {
  heapRankReads: number;
  longestPackagePiece: number;
}

/** A counter of a text's tokens (packed-bpe.ts packedCounter); `work`, when given, is added to. */
export type LinearCount = (text: string, work?: MergeWork) => number;

/** An encoding's ranks as the merge reads them: a byte's token, and the token two tokens join into (NONE if none). */
export interface Ranks {
  ofByte(byte: number): number;
  /** `bytes[start, end)` are the two tokens' bytes, left then right. */
  ofPair(left: number, right: number, bytes: Uint8Array, start: number, end: number): number;
}

/** No pair: a part's last rank. Ranks are below 2^18 (o200k has 200,019 tokens). */
export const NONE = 2 ** 31 - 1;
/** A heap key: rank × START_SPAN + start, so the lowest rank comes first and, among equals, the leftmost pair. */
const START_SPAN = 2 ** 24;

/**
 * How many tokens byte-pair merging leaves of `bytes`, by the package's rule: while some two neighbouring parts join
 * into a token, join the pair of lowest rank, the leftmost of equals. Parts (each a token) are a linked list by start
 * offset; each part's pair (itself and the next part) is on a 4-ary min-heap keyed by rank then start, entries made
 * stale by a merge skipped when popped (a part's pair only grows, so an entry whose rank is the part's current one is
 * current). At most 3n heap entries and pair reads.
 */
export function mergedCount(bytes: Uint8Array, ranks: Ranks, work?: MergeWork): number {
  const n = bytes.length;
  if (n > START_SPAN) throw new RangeError(`a piece of ${n} bytes is past the merge's ${START_SPAN}`);
  if (n <= 1) return n;
  const next = new Int32Array(n); // the next part's start (n after the last)
  const prev = new Int32Array(n); // the previous part's start (-1 before the first)
  const token = new Int32Array(n); // the part's token
  const rank = new Int32Array(n); // the rank of the pair at this start, NONE if none; -1 once merged into the left
  const heap = new Float64Array(3 * n);
  let size = 0;
  let reads = 0;
  const push = (key: number) => {
    let at = size++;
    while (at > 0) {
      const up = (at - 1) >> 2;
      if ((heap[up] as number) < key) break;
      heap[at] = heap[up] as number;
      at = up;
    }
    heap[at] = key;
  };
  for (let i = 0; i < n; i += 1) {
    next[i] = i + 1;
    prev[i] = i - 1;
    token[i] = ranks.ofByte(bytes[i] as number);
  }
  rank[n - 1] = NONE;
  // Every first pair, in start order (ascending starts of one rank need no sifting).
  for (let i = 0; i + 1 < n; i += 1) {
    const r = ranks.ofPair(token[i] as number, token[i + 1] as number, bytes, i, i + 2);
    reads += 1;
    rank[i] = r;
    if (r !== NONE) push(r * START_SPAN + i);
  }
  let parts = n;
  while (size > 0) {
    const top = heap[0] as number;
    // Pop: the last entry sifts down from the top.
    size -= 1;
    const last = heap[size] as number;
    let at = 0;
    for (;;) {
      const first = 4 * at + 1;
      if (first >= size) break;
      let child = first;
      let least = heap[first] as number;
      const end = Math.min(first + 4, size);
      for (let c = first + 1; c < end; c += 1) {
        if ((heap[c] as number) < least) {
          least = heap[c] as number;
          child = c;
        }
      }
      if (least >= last) break;
      heap[at] = least;
      at = child;
    }
    heap[at] = last;
    const joined = Math.floor(top / START_SPAN);
    const start = top - joined * START_SPAN;
    if (rank[start] !== joined) continue; // stale: merged away, or its pair has grown
    const gone = next[start] as number;
    const after = next[gone] as number;
    next[start] = after;
    if (after < n) prev[after] = start;
    token[start] = joined;
    rank[gone] = -1;
    parts -= 1;
    // The pairs that changed: this part's with the next, and the previous part's with this one.
    for (let side = 0; side < 2; side += 1) {
      const s = side === 0 ? start : (prev[start] as number);
      if (s < 0) break;
      const end = next[s] as number;
      let r = NONE;
      if (end < n) {
        r = ranks.ofPair(token[s] as number, token[end] as number, bytes, s, next[end] as number);
        reads += 1;
      }
      rank[s] = r;
      if (r !== NONE) push(r * START_SPAN + s);
    }
  }
  if (work) work.heapRankReads += reads;
  return parts;
}
