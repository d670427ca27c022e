// Round 8 ops, bounded cost on the event loop: the limits stage counts a request's prompt tokens on the main thread
// (src/limits/prompt-tokens.ts, gpt-tokenizer's BPE) for every text up to MAX_TOKENIZED_BYTES (512 KiB). Through the
// real stack (startAdversarialStack, in this process), the event loop's longest block while one request is answered
// is read from a perf_hooks histogram, and only compared with another request's in the same run.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promptBody } from './request-bodies.ts';
import { startAdversarialStack, type AdversarialStack, type Exchange } from './stack.ts';

let stack: AdversarialStack;
beforeAll(async () => {
  stack = await startAdversarialStack('r8-ops-cost');
  await stack.send('chat', promptBody('chat', 'hello'));
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

/** The event loop's longest block (ms) while `text` is sent as a chat prompt and answered, by a subject of its own
 * (a fresh group: each request has the default 20,000 tokens a minute to itself). */
async function longestBlock(text: string, group: string): Promise<{ x: Exchange; ms: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  try {
    const x = await stack.send('chat', promptBody('chat', text), { groups: [group] });
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
const codeOf = (body: string) => /"code":"([A-Z_]+)"/.exec(body)?.[1] ?? null;

describe('prompt tokens counted on the event loop', () => {
  // HOLE (open, src/limits/prompt-tokens.ts): gpt-tokenizer's bytePairMerge is quadratic in a pre-tokenizer piece's
  // length (each merge scans every pair's rank and splices two arrays), and o200k's split pattern makes a run of
  // letters (or of punctuation, or of white space) one piece of any length. countPromptTokens tokenizes every text
  // up to 512 KiB on the event loop (limits stage, before the reservation is checked), so one request whose prompt is
  // 40,000 letters 'a' blocks every other request for ~2 s (0.9 s counted alone, unloaded; 5 s at 60,000; a 512 KiB
  // one would hold the loop for minutes), while 40,000 characters of prose block it for ~10-60 ms. Fix: count a piece
  // past a few hundred bytes by its byte length (no token is shorter than a byte) or in bounded chunks, before BPE;
  // or count on the classification thread.
  it.fails('a prompt of one 40,000-letter run blocks the event loop no longer than 5x prose of its length', async () => {
    const words = await longestBlock(prose(CHARS), 'r8-cost-prose');
    const piece = await longestBlock('a'.repeat(CHARS), 'r8-cost-piece');
    expect([words.x.status, piece.x.status]).toEqual([200, 200]);
    expect(piece.ms).toBeLessThan(5 * words.ms);
  }, 300_000);

  it('control: a one-piece text past 512 KiB is bounded by its bytes, not tokenized: refused 429, recorded', async () => {
    const words = [
      await longestBlock(prose(CHARS), 'r8-cost-prose-1'),
      await longestBlock(prose(CHARS), 'r8-cost-prose-2'),
    ];
    const huge = await longestBlock('a'.repeat(600_000), 'r8-cost-huge');
    // 600,000 tokens (one a byte) reserved: past the default 20,000 a minute.
    expect({ status: huge.x.status, code: codeOf(huge.x.body) }).toEqual({ status: 429, code: 'ERR_LIMIT_EXCEEDED' });
    expect(await stack.records()).toContain(huge.x.requestId);
    expect(huge.ms).toBeLessThan(10 * Math.max(...words.map((w) => w.ms)));
  }, 300_000);

  it('control: the chain verifies afterwards', async () => {
    expect(await stack.verify()).toEqual({ code: 0, ok: true });
  });
});
