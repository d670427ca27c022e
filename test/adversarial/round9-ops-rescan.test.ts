// Round 9 ops, bounded cost of the classifier's re-searches after rejected matches (src/classification/matching.ts,
// d7af136): each rejected match may be searched inside again, 64 bytes re-scanned a byte of text, then 1,024 more
// re-searches per region of overlapping rejected matches, each re-scanning the rest of the region. Unterminated
// private key blocks make one region of the whole text, so the 1,024 re-searches re-scan it ~1,024 times. A prompt
// under the 64 Ki characters the pipeline classifies on the event loop (worker-pool.ts
// DEFAULT_OFFLOAD_THRESHOLD_CHARS) is classified there. Through the real stack in this process: the re-scanned bytes
// are matching.ts's own count (rejectedRestarts), deterministic; the event loop's longest block is printed only.
// Holes not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks that held are controls.
import { describe, expect, it } from 'vitest';
import { rejectedRestarts } from '../../src/classification/matching.ts';
import { useStack } from './round8-ops-stack.ts';
import { measured, prose } from './round9-ops-loop.ts';

const stackOf = useStack('r9-ops-rescan');

/** Characters of each prompt: under the offload threshold (64 Ki), and one token a 3 bytes (18,667) fits the
 * default policy's 20,000 tokens a minute, so the request is answered 200. */
const CHARS = 56_000;
/** Unterminated private key openings and one END at the end: every opening is a rejected match up to the END. */
const keyBlocks = (chars: number) => {
  const end = '-----END PRIVATE KEY-----';
  const open = '-----BEGIN PRIVATE KEY-----\n';
  return `${open.repeat(Math.floor((chars - end.length) / open.length))}${end}`;
};

/** One chat prompt: its answer, the bytes matching.ts re-scanned meanwhile, the event loop's longest block (ms). */
async function sendCounted(text: string, group: string) {
  const { x, ms, counted } = await measured(stackOf(), text, group, () => rejectedRestarts.rescanned);
  return { x, ms, rescanned: counted };
}

describe('re-searches after rejected matches, a prompt classified on the event loop', () => {
  it('control: a 56,000-character prose prompt re-scans nothing and is answered 200', async () => {
    const words = await sendCounted(prose(CHARS), 'r9-rescan-prose');
    expect(words.x.status).toBe(200);
    expect(words.rescanned).toBeLessThanOrEqual(64 * CHARS);
    console.info(`prose ${CHARS} chars: rescanned ${words.rescanned} bytes, event loop's longest block ${words.ms} ms`);
  }, 120_000);

  // Closed (matching.ts): a region of overlapping rejected matches may re-scan 64 bytes a byte of its own length, 16
  // by re-searches of more than 64 bytes each (it was 1,024 re-searches a region past a per-text budget: 85 M bytes
  // re-scanned, the event loop's longest block 0.99-1.29 s against 23-32 ms for prose of that length, load 5).
  it('a 56,000-character prompt of unterminated key blocks re-scans at most 64 bytes a byte', async () => {
    const text = keyBlocks(CHARS);
    const hostile = await sendCounted(text, 'r9-rescan-blocks');
    console.info(
      `key blocks ${text.length} chars: ${hostile.x.status}, rescanned ${hostile.rescanned} bytes, longest block ${hostile.ms} ms`,
    );
    expect(hostile.x.status).toBe(200);
    expect(hostile.rescanned).toBeLessThanOrEqual(64 * Buffer.byteLength(text));
  }, 120_000);

  it('control: the chain verifies afterwards', async () => {
    expect(await stackOf().verify()).toEqual({ code: 0, ok: true });
  }, 120_000);
});
