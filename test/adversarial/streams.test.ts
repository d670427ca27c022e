// Streamed answers, as a hostile or compromised upstream tries it, through the real pipeline: an AWS key (blocked by
// the default policy) in every field of the four streaming APIs' events (deltas cut across events, tool-call names,
// reasoning, citations, unknown fields and event types, error events, an error status instead of a stream). The rule
// under test: the client never receives the key, however the stream ends. Never a crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAM_PLANTS } from './stream-plants.ts';
import { ANSWER_KEY, leaksIn } from './leaks.ts';
import { promptBody } from './request-bodies.ts';
import { startAdversarialStack, type AdversarialStack } from './stack.ts';

let stack: AdversarialStack;

beforeAll(async () => {
  stack = await startAdversarialStack('streams');
});
afterAll(async () => {
  await stack?.close();
});

describe.concurrent('controls: a clean stream is relayed whole (the refusals below are not an artefact)', () => {
  for (const api of ['chat', 'completions', 'responses', 'messages'] as const) {
    it(api, async () => {
      const x = await stack.send(api, { ...promptBody(api, 'hello there'), stream: true });
      expect({
        status: x.status,
        streamed: x.received.includes('text/event-stream'),
        echoed: leaksIn(x.body, [{ label: 'echo', value: 'hello there' }]),
      }).toEqual({ status: 200, streamed: true, echoed: ['echo'] });
    });
  }
});

describe.concurrent('a key anywhere in a streamed answer never reaches the client', () => {
  STREAM_PLANTS.forEach((plant, i) => {
    it(`${plant.api} ${plant.where}`, async () => {
      const id = `str${i}`;
      stack.upstream.script(id, (_api, body) => plant.answer(ANSWER_KEY.value, body));
      const x = await stack.send(plant.api, { ...promptBody(plant.api, `case-${id} hello`), stream: true });
      expect(x.upstream.length).toBeGreaterThan(0); // retried answers (429, 5xx) reach it more than once
      expect({ status: x.status, crashed: x.status === 500, leaked: leaksIn(x.received, [ANSWER_KEY]) }).toMatchObject({
        crashed: false,
        leaked: [],
      });
    });
  });
});

describe('zero leaks', () => {
  it('the key, in any encoding, is in no byte any client received', () => {
    expect(leaksIn(stack.clientBytes(), [ANSWER_KEY])).toEqual([]);
  });
});
