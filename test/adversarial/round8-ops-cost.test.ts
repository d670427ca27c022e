// Round 8 ops, bounded cost on the event loop: the limits stage counts a request's prompt tokens on the main thread
// (src/limits/prompt-tokens.ts, gpt-tokenizer's BPE) for every text up to MAX_TOKENIZED_BYTES (512 KiB). Through the
// real stack (startAdversarialStack, in this process), the event loop's longest block while one request is answered
// is read from a perf_hooks histogram, and only compared with another request's in the same run. And the walk of a
// request's names in pairs (src/classification/name-pairs.ts), called as a classification thread calls it, its CPU
// time compared between two sizes of one input in the same run.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { cpuUsage } from 'node:process';
import { describe, expect, it } from 'vitest';
import { nameSetWindows } from '../../src/classification/name-pairs.ts';
import type { TextSegment } from '../../src/classification/types.ts';
import type { MergeWork } from '../../src/limits/linear-bpe.ts';
import { packedCounter } from '../../src/limits/packed-bpe.ts';
import { promptBody } from './request-bodies.ts';
import { codeOf, useStack } from './round8-ops-stack.ts';
import type { Exchange } from './stack.ts';

const stackOf = useStack('r8-ops-cost');

/** The event loop's longest block (ms) while `text` is sent as a chat prompt and answered, by a subject of its own
 * (a fresh group: each request has the default 20,000 tokens a minute to itself). */
async function longestBlock(text: string, group: string): Promise<{ x: Exchange; ms: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  try {
    const x = await stackOf().send('chat', promptBody('chat', text), { groups: [group] });
    return { x, ms: histogram.max / 1e6 };
  } finally {
    histogram.disable();
  }
}

/** Characters of a prompt text: its conservative estimate (one token a 3 bytes, 13,334) fits the default 20,000
 * tokens a minute, so the request is answered 200 and tokenized whole. */
const CHARS = 40_000;
/** Ordinary prose: many short pre-tokenizer pieces. */
const prose = (chars: number) =>
  'The quarterly review covers staffing, travel and the new office lease. '.repeat(chars / 70 + 1).slice(0, chars);

describe('prompt tokens counted on the event loop', () => {
  // Was a hole: gpt-tokenizer's bytePairMerge is quadratic in a pre-tokenizer piece's length, and o200k's split
  // pattern makes a run of letters (or punctuation, or white space) one piece of any length: a prompt of 40,000 letters
  // 'a' held the event loop ~2 s (5 s at 60,000). Closed in src/limits/linear-bpe.ts: a piece past 64 characters is
  // merged on a heap by the package's rule (the same count), so the work is linear in the piece. Proved here by the
  // merge's own count of pair reads (not by time).
  it('a prompt of one 40,000-letter run is answered as prose is, its count merged in work linear in its length', async () => {
    const words = await longestBlock(prose(CHARS), 'r8-cost-prose');
    const piece = await longestBlock('a'.repeat(CHARS), 'r8-cost-piece');
    expect([words.x.status, piece.x.status]).toEqual([200, 200]);
    const count = packedCounter('o200k_base'); // the counter prompt-tokens.ts uses
    const work = (text: string): MergeWork => {
      const done: MergeWork = { heapRankReads: 0, longestPackagePiece: 0 };
      count(text, done);
      return done;
    };
    const [one, four] = [work('a'.repeat(CHARS)), work('a'.repeat(4 * CHARS))];
    // No long piece reaches the package's quadratic merge; 4x the letters, 4x the pair reads (3 a byte at most; the
    // package's merge read ~16x).
    expect([one.longestPackagePiece, four.longestPackagePiece]).toEqual([0, 0]);
    expect(four.heapRankReads / one.heapRankReads).toBeLessThan(4.1);
    expect(four.heapRankReads).toBeLessThanOrEqual(3 * 4 * CHARS);
  }, 300_000);

  it('control: a one-piece text past 512 KiB is bounded by its bytes, not tokenized: refused 429, recorded', async () => {
    // Bounded by its bytes: 600,000 tokens (one a byte) reserved, past the default 20,000 a minute. (No wall-clock
    // comparison with prose: the loop's longest block is noise on a shared machine; the count's work is proved above.)
    const huge = await longestBlock('a'.repeat(600_000), 'r8-cost-huge');
    expect({ status: huge.x.status, code: codeOf(huge.x.body) }).toEqual({ status: 429, code: 'ERR_LIMIT_EXCEEDED' });
    expect(await stackOf().records()).toContain(huge.x.requestId);
  }, 300_000);

  it('control: the chain verifies afterwards', async () => {
    expect(await stackOf().verify()).toEqual({ code: 0, ok: true });
  });
});

describe("a request's names read in pairs (name-pairs.ts nameSetWindows), as a classification thread runs it", () => {
  /** The k-th name of four lower-case letters: a name that can be no value's piece (canBePiece false). */
  const nameOf = (k: number) => {
    let s = '';
    for (let n = k; s.length < 4; n = Math.floor(n / 26)) s += String.fromCharCode(97 + (n % 26));
    return s;
  };
  /** The segments the chat adapter gives for `n` schema names (`.name` strings in a tool's parameters: tool-kind
   * names), the model `gpt` (no piece) and one message name: `participant`, `x1` can be a piece. */
  const segments = (n: number, participant: string): TextSegment[] => [
    { path: 'model', text: 'gpt' },
    { path: 'messages[0].name', text: participant },
    ...Array.from({ length: n }, (_, k) => ({
      path: `tools[0].function.parameters.examples[${k}].name`,
      text: nameOf(k),
    })),
  ];
  /** CPU time (ms, this thread) of one nameSetWindows call. */
  const cpuOf = (input: TextSegment[]) => {
    const before = cpuUsage();
    nameSetWindows(input);
    const spent = cpuUsage(before);
    return (spent.user + spent.system) / 1000;
  };
  const N = 8000;

  // Was a hole: every tool-kind name was walked against every name after it, a pair of two names that can be no piece
  // skipped only inside that double loop, so the budget (MAX_NAME_PAIR_CHARS) counted the pairs read, not walked: n
  // schema names beside one participant name `x1` walked n²/2 pairs (4.7 s CPU at 56,000 names, 0.2 s at 8,000).
  // Closed in name-pairs.ts: only the pairs read are walked (a piece-like name with every name, any other with the
  // piece-like names), so the budget bounds the walk; the walk's own count is the proof beside the CPU ratio.
  it('7x the names beside one piece-like name cost less than 14x the CPU, and walk 7x the pairs', () => {
    cpuOf(segments(N, 'x1')); // warm
    const small = cpuOf(segments(N, 'x1'));
    const large = cpuOf(segments(7 * N, 'x1'));
    expect(large).toBeLessThan(14 * small);
    const walked = (n: number) => {
      const work = { pairsWalked: 0 };
      nameSetWindows(segments(n, 'x1'), work);
      return work.pairsWalked;
    };
    // Each schema name with `x1`, and the model `gpt` with it: n + 1 pairs, not n²/2.
    expect([walked(N), walked(7 * N)]).toEqual([N + 1, 7 * N + 1]);
  }, 120_000);

  it('control: names that can all be pieces are read as they are walked, and the budget refuses them (413)', () => {
    const pieces = segments(4000, 'x1').map((s, k) => (k < 2 ? s : { ...s, text: `${s.text}${k % 10}` }));
    expect(() => nameSetWindows(pieces)).toThrow(expect.objectContaining({ code: 'ERR_NAME_PAIRS_EXCEEDED' }));
  });
});
