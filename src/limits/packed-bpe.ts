// gpt-tokenizer's counts from a packed copy of its ranks: every token's bytes in one array, an offset a rank and an
// open-addressing table of ranks (≈ 4.3 MiB for o200k_base, off the V8 heap), instead of the package's Map of 200,000
// strings, rank array and byte arrays (≈ 14 MiB of heap that every full collection walks; docs/performance.md,
// "Memory"). Invariant: every count is the package's countTokens with special-token strings read as text, lookup quirks
// included (a valid UTF-8 range that opens with a byte-order mark is looked up without it, as the package's decoder
// drops it); test/unit/limits/packed-bpe.test.ts holds them equal. Pieces of the split pattern are merged by the
// package's rule (the pair of lowest rank first, the leftmost of equals): a short one in place, a long one on a heap.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CL100K_TOKEN_SPLIT_REGEX, O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import type { BpeEncodingName } from './bpe-ranks.ts';
import { type LinearCount, mergedCount, NONE, PACKAGE_PIECE_CHARS, type Ranks } from './linear-bpe.ts';

/** One encoding's tokens: `bytes[offsets[r], offsets[r + 1])` is token r's; `text[r]` is 1 when the package keeps it
 * as a string (valid UTF-8 not opening with a byte-order mark), which is what a valid range may match. */
export interface PackedRanks {
  readonly bytes: Uint8Array;
  readonly offsets: Uint32Array;
  readonly text: Uint8Array;
  readonly slots: Int32Array;
  readonly longest: number;
}

const EMPTY = -1;
// With the u flag a surrogate pair is one code point, so \p{Cs} matches only lone surrogates.
const LONE_SURROGATE = /\p{Cs}/u;

/** The ranks of one of the package's tiktoken files (`<base64 of the token's bytes> <rank>` a line, ranks 0, 1, 2, ...
 * in order), packed. Throws on any other line. */
export function packRanks(file: Uint8Array, label = 'tiktoken file'): PackedRanks {
  const bytes = new Uint8Array(Math.ceil((file.length * 3) / 4));
  const offsets: number[] = [0];
  let written = 0;
  let longest = 0;
  for (let at = 0; at < file.length; ) {
    let end = file.indexOf(0x0a, at);
    if (end === -1) end = file.length;
    const space = file.indexOf(0x20, at);
    const rank = space === -1 || space > end ? Number.NaN : digitsOf(file, space + 1, end);
    const length = rank === offsets.length - 1 ? decodeBase64(file, at, space, bytes, written) : -1;
    if (length <= 0) throw new Error(`${label}: line at byte ${at} is not '<base64> ${offsets.length - 1}'`);
    written += length;
    longest = Math.max(longest, length);
    offsets.push(written);
    at = end + 1;
  }
  const count = offsets.length - 1;
  const packed = bytes.slice(0, written);
  const offsetArray = Uint32Array.from(offsets);
  const text = new Uint8Array(count);
  let size = 1;
  while (size < 2 * count) size *= 2;
  const slots = new Int32Array(size).fill(EMPTY);
  for (let rank = 0; rank < count; rank++) {
    const start = offsetArray[rank] as number;
    const stop = offsetArray[rank + 1] as number;
    text[rank] = validUtf8(packed, start, stop) && !opensWithBom(packed, start, stop) ? 1 : 0;
    let slot = hashOf(packed, start, stop) & (size - 1);
    while (slots[slot] !== EMPTY) slot = (slot + 1) & (size - 1);
    slots[slot] = rank;
  }
  return { bytes: packed, offsets: offsetArray, text, slots, longest };
}

/** The packed ranks of one of the package's own tiktoken files. */
export function loadPackedRanks(encoding: BpeEncodingName): PackedRanks {
  const path = createRequire(import.meta.url).resolve(`gpt-tokenizer/data/${encoding}.tiktoken`);
  return packRanks(readFileSync(path), path);
}

const SPLIT: Record<BpeEncodingName, RegExp> = {
  o200k_base: O200K_TOKEN_SPLIT_REGEX,
  cl100k_base: CL100K_TOKEN_SPLIT_REGEX,
};

/** The token whose bytes are exactly `source[start, end)`, any token (NONE if none). */
function exactRank(ranks: PackedRanks, source: Uint8Array, start: number, end: number): number {
  const { bytes, offsets, slots } = ranks;
  const length = end - start;
  if (length <= 0 || length > ranks.longest) return NONE;
  const mask = slots.length - 1;
  for (let slot = hashOf(source, start, end) & mask; ; slot = (slot + 1) & mask) {
    const rank = slots[slot] as number;
    if (rank === EMPTY) return NONE;
    const at = offsets[rank] as number;
    if ((offsets[rank + 1] as number) - at !== length) continue;
    let i = 0;
    while (i < length && bytes[at + i] === source[start + i]) i++;
    if (i === length) return rank;
  }
}

/** The rank the package reads for the bytes `source[start, end)` (its getBpeRankFromBytes): a valid UTF-8 range is
 * decoded, dropping a leading byte-order mark, and looked up among its string tokens; any other among its byte ones. */
export function rankOfRange(ranks: PackedRanks, source: Uint8Array, start: number, end: number): number {
  if (!validUtf8(source, start, end)) return exactRank(ranks, source, start, end);
  const from = opensWithBom(source, start, end) ? start + 3 : start;
  const rank = exactRank(ranks, source, from, end);
  return rank !== NONE && ranks.text[rank] === 1 ? rank : NONE;
}

/** The encoding's count of `text` (special-token strings counted as text), read from packed ranks. */
export function packedCounter(encoding: BpeEncodingName, ranks: PackedRanks = loadPackedRanks(encoding)): LinearCount {
  const split = SPLIT[encoding];
  const byteRanks = Int32Array.from({ length: 256 }, (_, b) => rankOfRange(ranks, Uint8Array.of(b), 0, 1));
  if (byteRanks.includes(NONE)) throw new Error(`${encoding}: an encoding without a token for every byte`);
  const heapRanks: Ranks = {
    ofByte: (byte) => byteRanks[byte] as number,
    ofPair: (_left, _right, bytes, start, end) => rankOfRange(ranks, bytes, start, end),
  };
  const encoder = new TextEncoder();
  let scratch = new Uint8Array(1024);
  const starts = new Int32Array(4 * PACKAGE_PIECE_CHARS + 2);
  const pairs = new Int32Array(4 * PACKAGE_PIECE_CHARS + 2);
  return (text, work) => {
    let tokens = 0;
    for (const [piece] of text.matchAll(split)) {
      if (scratch.length < 3 * piece.length) scratch = new Uint8Array(3 * piece.length);
      const { written } = encoder.encodeInto(piece, scratch);
      // The package looks a piece up as its string first: one with a lone surrogate or opening with a byte-order
      // mark is no string token (its UTF-8 above holds U+FFFD or the mark), so it is merged.
      if (!piece.startsWith('\uFEFF') && !LONE_SURROGATE.test(piece) && exactRank(ranks, scratch, 0, written) !== NONE)
        tokens += 1;
      else if (piece.length <= PACKAGE_PIECE_CHARS) {
        tokens += mergedInPlace(ranks, scratch, written, starts, pairs);
        if (work && piece.length > work.longestPackagePiece) work.longestPackagePiece = piece.length;
      } else tokens += mergedCount(scratch.subarray(0, written), heapRanks, work);
    }
    return tokens;
  };
}

/** The package's own merge (bytePairMerge) of a short piece, `source[0, n)`, counting the parts left: `starts` holds
 * the parts' starts (and n), `pairs` the rank of each part joined with the next. Quadratic, for n ≤ 4 × 64 bytes. */
function mergedInPlace(
  ranks: PackedRanks,
  source: Uint8Array,
  n: number,
  starts: Int32Array,
  pairs: Int32Array,
): number {
  if (n <= 1) return n;
  for (let i = 0; i <= n; i++) starts[i] = i;
  for (let i = 0; i + 1 < n; i++) pairs[i] = rankOfRange(ranks, source, i, i + 2);
  pairs[n - 1] = NONE;
  let parts = n;
  for (;;) {
    let lowest = NONE;
    let at = -1;
    for (let i = 0; i < parts; i++) {
      if ((pairs[i] as number) < lowest) {
        lowest = pairs[i] as number;
        at = i;
      }
    }
    if (at === -1) return parts;
    // Part at+1 joins part at: both arrays close the gap.
    starts.copyWithin(at + 1, at + 2, parts + 1);
    pairs.copyWithin(at, at + 1, parts);
    parts -= 1;
    pairs[at] = at + 1 < parts ? rankOfRange(ranks, source, starts[at] as number, starts[at + 2] as number) : NONE;
    if (at > 0) pairs[at - 1] = rankOfRange(ranks, source, starts[at - 1] as number, starts[at + 1] as number);
  }
}

/** FNV-1a over the bytes. */
function hashOf(source: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (source[i] as number), 0x01000193);
  return hash >>> 0;
}

function opensWithBom(source: Uint8Array, start: number, end: number): boolean {
  return end - start >= 3 && source[start] === 0xef && source[start + 1] === 0xbb && source[start + 2] === 0xbf;
}

/** Well-formed UTF-8 (shortest forms, no surrogates, at most U+10FFFF): the package's isValidUTF8. */
function validUtf8(source: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; ) {
    const lead = source[i] as number;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    const size =
      lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (size === 0 || i + size > end) return false;
    let point = lead & (0xff >> (size + 1));
    for (let k = 1; k < size; k++) {
      const next = source[i + k] as number;
      if ((next & 0xc0) !== 0x80) return false;
      point = (point << 6) | (next & 0x3f);
    }
    if ((size === 3 && point < 0x800) || (size === 4 && point < 0x10000)) return false;
    if ((point >= 0xd800 && point <= 0xdfff) || point > 0x10ffff) return false;
    i += size;
  }
  return true;
}

/** A non-negative decimal integer written in `file[start, end)`, or NaN. */
function digitsOf(file: Uint8Array, start: number, end: number): number {
  if (end <= start || end - start > 9) return Number.NaN;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = (file[i] as number) - 0x30;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

const BASE64 = new Int8Array(256).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries())
  BASE64[c.charCodeAt(0)] = i;

/** Decodes padded base64 `file[start, end)` into `out` at `at`; the bytes written, or -1 when it is not base64. */
function decodeBase64(file: Uint8Array, start: number, end: number, out: Uint8Array, at: number): number {
  if (end <= start || (end - start) % 4 !== 0) return -1;
  let written = 0;
  for (let i = start; i < end; i += 4) {
    const last = i + 4 === end;
    const pad = last ? (file[i + 3] === 0x3d ? (file[i + 2] === 0x3d ? 2 : 1) : 0) : 0;
    let quad = 0;
    for (let k = 0; k < 4 - pad; k++) {
      const v = BASE64[file[i + k] as number] as number;
      if (v < 0) return -1;
      quad = (quad << 6) | v;
    }
    quad <<= 6 * pad;
    out[at + written++] = quad >> 16;
    if (pad < 2) out[at + written++] = (quad >> 8) & 0xff;
    if (pad < 1) out[at + written++] = quad & 0xff;
  }
  return written;
}
