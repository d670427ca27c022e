// The cost of one hostile stream event on the event loop (issue 14, bounded cost): an upstream event carrying tens of
// thousands of short strings (fields, screened whole and read in order by the hold-back scanner). Measured before:
// 495 KB of 99,000 copies of one string held the loop 1.2-1.8 s, and 4,000 distinct strings (23 KB) 179 s (every
// field read as a run of its own, each push classifying every run still held). Now an event of more than
// SSE_MAX_EVENT_STRINGS strings is refused before it is parsed, a large batch of fields is classified on the pool's
// threads, and the in-order read goes to the scanner in slices with the event loop's turn between them. Asserted on
// where the work goes (never on time): the in-process classifier never gets the batch, splits are still found.
import { afterAll, describe, expect, it } from 'vitest';
import {
  createClassifierPool,
  createStreamScanner,
  DEFAULT_RECOGNIZERS,
  MAX_HELD_RUNS,
  type Classifier,
  type ClassifyOptions,
  type TextSegment,
} from '../../src/classification/index.ts';
import { READ_SLICE_RUNS } from '../../src/pipeline/stream-relay.ts';
import { SSE_MAX_EVENT_STRINGS } from '../../src/pipeline/stream-sse.ts';
import { classifier } from './recording-pipeline.ts';
import { receivedPayloads, relayScripted, type ScriptedEvent } from './relay-harness.ts';

const BLOCK = { redact: [] as string[], block: ['AWS_ACCESS_KEY'] };
const HALVES = ['AKIAQ3EG', 'THV5ZR7NCO4X'] as const; // AKIAQ3EGTHV5ZR7NCO4X, the recognizer's test key

/** The in-process classifier, recording the largest input it was given (segments). */
function recorded(inner: Classifier): Classifier & { largest: number } {
  const out = {
    largest: 0,
    recognizers: inner.recognizers,
    classify(segments: readonly TextSegment[], options?: ClassifyOptions) {
      out.largest = Math.max(out.largest, segments.length);
      return inner.classify(segments, options);
    },
  };
  return out as Classifier & { largest: number };
}

const pool = createClassifierPool({
  fingerprintKey: new Uint8Array(32).fill(3),
  recognizers: [],
  local: classifier,
  size: 1,
});
afterAll(() => pool.close());

/** Anthropic events: a text block holding `before`, a ping event with `strings` as an extra field, then `after`. */
function messages(before: string, strings: readonly string[], after: string): ScriptedEvent[] {
  const delta = (text: string) => ({
    event: 'content_block_delta',
    data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
  });
  return [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: { id: 'm1', type: 'message', role: 'assistant', model: 'x', content: [], usage: { input_tokens: 1 } },
      },
    },
    {
      event: 'content_block_start',
      data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    },
    delta(before),
    { event: 'ping', data: { type: 'ping', x: strings } },
    delta(after),
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ];
}

const REQUEST = { model: 'm', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'hi' }] };

/** Relays Anthropic events with `local` as the scanner's classifier and the pool for fields, noting where they went. */
async function relayMessages(events: readonly ScriptedEvent[], local: Classifier) {
  const offThread: boolean[] = [];
  const fieldClassifier = {
    classify(segments: readonly TextSegment[], options?: ClassifyOptions) {
      const answer = pool.classify(segments, options);
      offThread.push(answer instanceof Promise);
      return answer;
    },
  };
  const relayed = await relayScripted('anthropic.messages', REQUEST, events, BLOCK, {
    classifier: local,
    fieldClassifier,
  });
  return { ...relayed, offThread };
}

const distinct = (n: number) => Array.from({ length: n }, (_, i) => `v${i.toString(36)}`);

describe('one stream event of thousands of short strings', () => {
  it(`an event of more than ${SSE_MAX_EVENT_STRINGS} strings ends the stream as a bad answer, unread`, async () => {
    const strings = Array.from({ length: SSE_MAX_EVENT_STRINGS }, () => 'ab');
    const { result, out } = await relayScripted(
      'anthropic.messages',
      REQUEST,
      messages('hello ', strings, 'world'),
      BLOCK,
    );
    expect(result.error).toBe('ERR_UPSTREAM_BAD_RESPONSE');
    expect(receivedPayloads(out).some((p) => p.type === 'ping')).toBe(false);
  });

  it('a batch of 3,000 distinct fields is classified on a thread; the event loop classifies slices only', async () => {
    const local = recorded(classifier);
    const { result, offThread } = await relayMessages(messages('hello ', distinct(3_000), ' world'), local);
    expect(result.error).toBeNull();
    expect(offThread).toContain(true);
    // Each slice of the in-order read with what the scanner still holds; never the whole batch at once.
    expect(local.largest).toBeGreaterThan(0);
    expect(local.largest).toBeLessThanOrEqual(READ_SLICE_RUNS + MAX_HELD_RUNS + 8);
  });

  it.each([
    ['at the start of the batch', [HALVES[1], ...distinct(3_000)], ' and more'],
    ['at its end, completed by the text after it', [...distinct(3_000), HALVES[0]], `${HALVES[1]} and more`],
  ])('a key split between the text and a field %s is still found (blocked)', async (_where, strings, after) => {
    const before = strings[0] === HALVES[1] ? `the key is ${HALVES[0]}` : 'the key is ';
    const { result, out } = await relayMessages(messages(before, strings, after), classifier);
    expect(result.error).toBe('ERR_RESPONSE_BLOCKED');
    expect(out.includes(HALVES.join(''))).toBe(false);
  });
});

describe('the scanner holds a bounded number of runs', () => {
  it(`past ${MAX_HELD_RUNS} held runs it fails closed`, () => {
    // A recognizer without a partial makes the scanner hold its whole window: every one-character run stays held.
    const withoutPartial = {
      ...classifier,
      recognizers: [
        ...DEFAULT_RECOGNIZERS,
        { type: 'EMPLOYEE_ID', category: 'CUSTOM' as const, pattern: String.raw`\bEMP-\d{6}\b`, baseScore: 80 },
      ],
    };
    const scanner = createStreamScanner({ classifier: withoutPartial, path: 'answer', window: 8192 });
    const runs = Array.from({ length: MAX_HELD_RUNS + 2 }, (_, i) => ({ text: 'a', run: `field:x[${i}]` }));
    expect(() => scanner.pushRuns(runs)).toThrow(expect.objectContaining({ code: 'ERR_STREAM_BUFFER_EXCEEDED' }));
  });

  it('pushRuns releases what pushing each run releases', () => {
    const runs = [
      { text: 'Contact jane.doe@contoso', run: 'content[0].text' },
      { text: '-mail.com today', run: 'field:x' },
      { text: ' or call 219-09-9999 now. ', run: 'content[0].text' },
    ];
    const one = createStreamScanner({ classifier, path: 'answer' });
    const each = createStreamScanner({ classifier, path: 'answer' });
    const together = [one.pushRuns(runs), one.end()];
    const apart = [...runs.map((r) => each.push(r.text, r.run)), each.end()];
    const text = (chunks: { text: string }[]) => chunks.map((c) => c.text).join('');
    const types = (chunks: { findings: { type: string }[] }[]) => chunks.flatMap((c) => c.findings.map((f) => f.type));
    expect(text(together)).toBe(text(apart));
    expect(types(together).sort()).toEqual(types(apart).sort());
  });
});
