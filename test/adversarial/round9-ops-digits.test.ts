// Round 9 ops, the event loop's cost of a small prompt of numbers: a text under the 64 Ki characters the pipeline
// classifies on the event loop (worker-pool.ts DEFAULT_OFFLOAD_THRESHOLD_CHARS) is sent there by its length alone,
// whatever it costs to read. A JSON text of float pairs (the digits view reads every digit group and separator) costs
// the classifier tens of times what prose of its length does. Through the real stack in this process: the event loop's
// longest block while one request is answered, printed beside prose requests of the same run (timing is never
// asserted: a shared CI core makes it noise); the assertion is the offload decision itself, deterministic.
// Holes not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks that held are controls.
import { describe, expect, it } from 'vitest';
import { costChars, DEFAULT_OFFLOAD_THRESHOLD_CHARS } from '../../src/classification/worker-pool.ts';
import { useStack } from './round8-ops-stack.ts';
import { measured, median, prose } from './round9-ops-loop.ts';

const stackOf = useStack('r9-ops-digits');

/** Characters of each prompt: under the offload threshold, and few enough tokens (at most one a 2 characters, 18,000)
 * for the default policy's 20,000 a minute, so the request is answered 200. */
const CHARS = 36_000;
/** Float pairs of six decimals as a JSON text writes them (a model's coordinates, a chart's points); no finding. */
const floatPairs = (chars: number) =>
  JSON.stringify(
    Array.from({ length: chars / 16 }, (_, i) => [+(2.4 + i / 1e6).toFixed(6), +(4.2 - i / 1e6).toFixed(6)]),
  ).slice(0, chars);

const longestBlock = (text: string, group: string) => measured(stackOf(), text, group);

describe('a prompt of numbers classified on the event loop', () => {
  // Closed (src/classification/worker-pool.ts costChars): the offload decision counts each digit 32 characters more
  // (any text of more than ~2,000 digits goes to a thread). It was by characters alone: 36,000 characters of JSON
  // float pairs cost the classifier 25-60 times prose of that length (one classify call: 100-250 ms CPU against 2-11
  // ms; through the stack the event loop's longest block 309-1,301 ms against 9-91 ms for prose, load 10-12).
  it('36,000 characters of float pairs are classified on a thread, prose of that length on the event loop', async () => {
    const offloaded = (text: string) =>
      costChars([{ path: 'messages[0].content', text }], DEFAULT_OFFLOAD_THRESHOLD_CHARS) >
      DEFAULT_OFFLOAD_THRESHOLD_CHARS;
    expect({ floats: offloaded(floatPairs(CHARS)), prose: offloaded(prose(CHARS)) }).toEqual({
      floats: true,
      prose: false,
    });
    const words = [];
    for (let k = 0; k < 3; k++) words.push(await longestBlock(prose(CHARS), `r9-digits-prose-${k}`));
    const numbers = [];
    for (let k = 0; k < 3; k++) numbers.push(await longestBlock(floatPairs(CHARS), `r9-digits-floats-${k}`));
    for (const { x } of [...words, ...numbers]) expect(x.status).toBe(200);
    const baseline = median(words.map((w) => w.ms));
    const hostile = median(numbers.map((n) => n.ms));
    console.info(
      `prose ${words.map((w) => w.ms.toFixed(0)).join('/')} ms, floats ${numbers.map((n) => n.ms.toFixed(0))}`,
    );
    console.info(`median longest block: prose ${baseline.toFixed(0)} ms, floats ${hostile.toFixed(0)} ms`);
  }, 180_000);

  it('control: the chain verifies afterwards', async () => {
    expect(await stackOf().verify()).toEqual({ code: 0, ok: true });
  }, 120_000);
});
