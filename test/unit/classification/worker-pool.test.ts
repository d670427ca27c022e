// The classification pool: large inputs run on a thread and give exactly the in-process findings and counts; small
// ones stay in-process; a full queue fails at once with ERR_CLASSIFIER_BUSY; a failed thread fails only its input
// and is replaced; a closed pool refuses large inputs; threads start on demand and stop when idle.
import { afterEach, describe, expect, it } from 'vitest';
import {
  ClassificationError,
  createClassifier,
  createClassifierPool,
  recognizersWith,
} from '../../../src/classification/index.ts';
import type { ClassifierPool, RecognizerSettings, TextSegment } from '../../../src/classification/index.ts';
import { costChars, DIGIT_WEIGHT_CHARS, SEGMENT_WEIGHT_CHARS } from '../../../src/classification/worker-pool.ts';
import { codeOf } from './classification-error-code.ts';

const KEY = new Uint8Array(32).fill(0x5c);
const CUSTOM: RecognizerSettings[] = [
  {
    type: 'TICKET',
    category: 'CUSTOM',
    pattern: '\\bTKT-[0-9]{6}\\b',
    contextWords: [],
    requireContext: false,
    baseScore: 70,
  },
];
const local = createClassifier({ fingerprintKey: KEY, recognizers: recognizersWith(CUSTOM) });
const pools: ClassifierPool[] = [];
const pool = (o: Partial<Parameters<typeof createClassifierPool>[0]> = {}) => {
  const p = createClassifierPool({
    fingerprintKey: KEY,
    recognizers: CUSTOM,
    local,
    thresholdChars: 2048,
    size: 1,
    ...o,
  });
  pools.push(p);
  return p;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

const LINE =
  'ssn 123-45-6789, mail alice@acme-corp.io, card 4111 1111 1111 1111, key AKIA2E0A8F3B244C9986, TKT-004211. ';
const large: TextSegment[] = [
  { path: 'messages[0].content', text: LINE.repeat(400) },
  { path: 'messages[1].content', text: `Ünïcödé 😀 ${LINE}`.repeat(100) },
];

describe('the classifier pool', () => {
  it('classifies a large input on a thread with the in-process findings, counts and cap', async () => {
    const p = pool();
    const pending = p.classify(large, { maxFindings: 256 });
    expect(pending).toBeInstanceOf(Promise);
    expect(p.stats()).toMatchObject({ running: 1 });
    const expected = local.classify(large, { maxFindings: 256 });
    expect(expected.truncated).toBe(true);
    expect(await pending).toEqual(expected);
    expect(await p.classify(large)).toEqual(local.classify(large));
  });

  it('classifies a small input in-process, synchronously', () => {
    const small = [{ path: 'p', text: LINE }];
    const result = pool().classify(small);
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toEqual(local.classify(small));
  });

  it('sends a short text of many digits to a thread: its cost is estimated by its digits, not its length alone', async () => {
    // JSON float pairs cost the classifier ~20 µs a digit against ~0.1 µs a character of prose.
    const pairs = JSON.stringify(Array.from({ length: 60 }, (_, i) => [2.4 + i / 1e6, 4.2 - i / 1e6])).slice(0, 1500);
    const words = [{ path: 'p', text: 'The quarterly review covers staffing and travel. '.repeat(30).slice(0, 1500) }];
    const p = pool();
    expect(p.classify(words)).not.toBeInstanceOf(Promise);
    const numbers = [{ path: 'p', text: pairs }];
    const pending = p.classify(numbers);
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toEqual(local.classify(numbers));
  });

  it('counts digits of every script and form, and stops counting past the limit', () => {
    const one = (text: string) => costChars([{ path: 'p', text }], Number.MAX_SAFE_INTEGER);
    expect(one('abc')).toBe(3 + SEGMENT_WEIGHT_CHARS);
    for (const digits of ['1234', '１２３４', '١٢٣٤', '①②③④', '¹²³⁴', '𝟏𝟐𝟑𝟒']) {
      expect(one(digits)).toBe(digits.length + SEGMENT_WEIGHT_CHARS + 4 * DIGIT_WEIGHT_CHARS);
    }
    const nines = costChars([{ path: 'p', text: '9'.repeat(100_000) }], 200_000);
    expect(nines).toBeGreaterThan(200_000);
    expect(nines).toBeLessThanOrEqual(200_000 + DIGIT_WEIGHT_CHARS);
  });

  it('fails at once with ERR_CLASSIFIER_BUSY when every thread is busy and the queue is full', async () => {
    const p = pool({ size: 1, queueLimit: 1 });
    const first = p.classify(large);
    const second = p.classify(large);
    expect(p.stats()).toMatchObject({ running: 1, queued: 1 });
    expect(await codeOf(p.classify(large))).toBe('ERR_CLASSIFIER_BUSY');
    expect(await first).toEqual(local.classify(large));
    expect(await second).toEqual(local.classify(large));
  });

  it('fails an input that passes a classification bound on a thread with the in-process code', async () => {
    // 128 tool names of 64 characters that can each be a value's piece: more pairs than name-pairs.ts reads.
    const names = Array.from({ length: 128 }, (_, i) => ({
      path: `tools[${i}].function.name`,
      text: `NAME${i}X`.padEnd(64, 'Q'),
    }));
    expect(await codeOf((async () => local.classify(names))())).toBe('ERR_NAME_PAIRS_EXCEEDED');
    const onThread = pool().classify(names);
    expect(onThread).toBeInstanceOf(Promise);
    expect(await codeOf(onThread)).toBe('ERR_NAME_PAIRS_EXCEEDED');
  });

  it('fails only the input of a thread that does not answer in time, and replaces the thread', async () => {
    const p = pool({ timeoutMs: 1 });
    expect(await codeOf(p.classify(large))).toBe('ERR_CLASSIFIER_WORKER_FAILED');
    expect(p.stats().threads).toBeLessThanOrEqual(1);
  });

  it('fails only the input of a thread that runs out of its heap, and the process lives on', async () => {
    const p = pool({ maxHeapMb: 16 });
    const huge = [{ path: 'p', text: LINE.repeat(30_000) }]; // 3 MB of dense values: far more than 16 MiB to classify
    expect(await codeOf(p.classify(huge))).toBe('ERR_CLASSIFIER_WORKER_FAILED');
    const healthy = pool();
    expect(await healthy.classify(large)).toEqual(local.classify(large));
  });

  it('refuses large inputs once closed, and fails those still waiting', async () => {
    const p = pool({ size: 1, queueLimit: 4 });
    void Promise.resolve(p.classify(large)).catch(() => undefined);
    const waiting = codeOf(p.classify(large));
    await p.close();
    expect(await waiting).toBe('ERR_CLASSIFIER_CLOSED');
    expect(await codeOf(p.classify(large))).toBe('ERR_CLASSIFIER_CLOSED');
    expect(p.classify([{ path: 'p', text: LINE }])).toEqual(local.classify([{ path: 'p', text: LINE }]));
  });

  it('starts a thread only when a large input needs one, and stops it after idleMs without work', async () => {
    const pending: { stop: () => void; ms: number }[] = [];
    const schedule = (stop: () => void, ms: number) => {
      const entry = { stop, ms };
      pending.push(entry);
      return () => void pending.splice(pending.indexOf(entry), 1);
    };
    const p = pool({ idleMs: 5000, schedule });
    expect(p.stats().threads).toBe(0);
    p.classify([{ path: 'p', text: LINE }]);
    expect(p.stats().threads).toBe(0);
    expect(await p.classify(large)).toEqual(local.classify(large));
    expect(p.stats()).toMatchObject({ threads: 1, running: 0 });
    expect(pending.map((e) => e.ms)).toEqual([5000]);
    const again = p.classify(large); // the idle thread takes it: its stop is cancelled
    expect(pending).toEqual([]);
    expect(await again).toEqual(local.classify(large));
    (pending[0] as { stop: () => void }).stop();
    expect(p.stats().threads).toBe(0);
    expect(await p.classify(large)).toEqual(local.classify(large)); // on a new thread
    expect(p.stats().threads).toBe(1);
  });

  it('rejects a pool size below one', () => {
    expect(() => pool({ size: 0 })).toThrow(ClassificationError);
  });
});
