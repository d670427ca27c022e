// The answer side, as a hostile or compromised upstream tries it, through the real pipeline: an AWS key (the default
// policy blocks answers carrying secrets) in every answer field of all five APIs that issue 14 found relayed
// unscreened, in the fields always screened, in unknown fields and keys, and in upstream error messages. The rule
// under test: whatever the status, the client never receives the key, in any encoding. Never a crash.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { answerJson } from '../../src/dev/echo-answers.ts';
import { ANSWER_PLANTS } from './answer-plants.ts';
import { ANSWER_EVASIONS, ANSWER_KEY, EMAIL, leaksIn } from './leaks.ts';
import { promptBody } from './request-bodies.ts';
import { RETAINING, startAdversarialStack, type AdversarialStack } from './stack.ts';

// Each case waits mostly on I/O (the ledger's group commit, the upstream): more of them in flight keeps the file fast.
vi.setConfig({ maxConcurrency: 16 });

let stack: AdversarialStack;

beforeAll(async () => {
  stack = await startAdversarialStack('answers');
});
afterAll(async () => {
  await stack?.close();
});

describe('controls', () => {
  it('relays a clean scripted answer (the refusals below are not an artefact)', async () => {
    stack.upstream.script('clean', () => ({
      status: 200,
      json: {
        id: 'c',
        object: 'chat.completion',
        created: 0,
        model: 'echo-1',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'all clear', refusal: null },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
      },
    }));
    const x = await stack.send('chat', promptBody('chat', 'case-clean hello'));
    expect({ status: x.status, relayed: x.body.includes('all clear') }).toEqual({ status: 200, relayed: true });
  });
});

describe.concurrent('a key in any answer field or upstream error never reaches the client', () => {
  ANSWER_PLANTS.forEach((plant, i) => {
    it(`${plant.api} ${plant.where}`, async () => {
      const id = `ans${i}`;
      stack.upstream.script(id, (_api, body) => plant.answer(ANSWER_KEY.value, body));
      const x = await stack.send(plant.api, promptBody(plant.api, `case-${id} hello`));
      expect(x.upstream.length).toBeGreaterThan(0); // retried answers (429, 5xx) reach it more than once
      expect({ status: x.status, crashed: x.status === 500, leaked: leaksIn(x.received, [ANSWER_KEY]) }).toMatchObject({
        crashed: false,
        leaked: [],
      });
    });
  });
});

describe.concurrent('redaction: an e-mail address in any answer field or error, from an upstream without retention', () => {
  ANSWER_PLANTS.forEach((plant, i) => {
    it(`${plant.api} ${plant.where}`, async () => {
      const id = `mail${i}`;
      stack.upstream.script(id, (_api, body) => plant.answer(EMAIL.value, body));
      const request = { ...promptBody(plant.api, `case-${id} hello`), model: RETAINING.model };
      const x = await stack.send(plant.api, request, { groups: RETAINING.groups });
      expect({ status: x.status, crashed: x.status === 500, leaked: leaksIn(x.received, [EMAIL]) }).toMatchObject({
        crashed: false,
        leaked: [],
      });
    });
  });
});

describe.concurrent('evasions: the key written to slip past the answer screen', () => {
  for (const api of ['chat', 'completions', 'responses', 'messages'] as const) {
    for (const [name, text] of ANSWER_EVASIONS) {
      it(`${api}: ${name}`, async () => {
        const id = `ev-${api}-${name.replace(/[^a-z0-9]+/g, '-')}`;
        stack.upstream.script(id, (echoApi, body) => ({
          status: 200,
          json: answerJson(echoApi, body, 'adv', `sure: ${text}`),
        }));
        const x = await stack.send(api, promptBody(api, `case-${id} hello`));
        expect({ crashed: x.status === 500, leaked: leaksIn(x.received, [ANSWER_KEY]) }).toEqual({
          crashed: false,
          leaked: [],
        });
      });
    }
  }
  it('messages: split across two text blocks', async () => {
    stack.upstream.script('ev-split-blocks', (echoApi, body) => {
      const answer = answerJson(echoApi, body, 'adv', 'x');
      const halves = [ANSWER_KEY.value.slice(0, 10), ANSWER_KEY.value.slice(10)];
      return { status: 200, json: { ...answer, content: halves.map((text) => ({ type: 'text', text })) } };
    });
    const x = await stack.send('messages', promptBody('messages', 'case-ev-split-blocks hello'));
    const halves = [ANSWER_KEY.value.slice(0, 10), ANSWER_KEY.value.slice(10)];
    expect({ crashed: x.status === 500, whole: halves.every((h) => x.body.includes(h)) }).toEqual({
      crashed: false,
      whole: false,
    });
  });
});

describe.concurrent('other channels: upstream headers, an answer nested deep enough to cost', () => {
  for (const api of ['chat', 'completions', 'embeddings', 'responses', 'messages'] as const) {
    it(`${api}: the key in the upstream's response headers`, async () => {
      const id = `hdr-${api}`;
      const headers = {
        'x-debug': ANSWER_KEY.value,
        'openai-organization': ANSWER_KEY.value,
        'set-cookie': `s=${ANSWER_KEY.value}`,
      };
      stack.upstream.script(id, (echoApi, body) => ({
        status: 200,
        json: answerJson(echoApi, body, 'adv', 'fine'),
        headers,
      }));
      const x = await stack.send(api, promptBody(api, `case-${id} hello`));
      expect({ status: x.status, leaked: leaksIn(x.received, [ANSWER_KEY]) }).toEqual({ status: 200, leaked: [] });
    });
    it(`${api}: the key at the bottom of a 10,000-level unknown field`, async () => {
      const id = `deep-${api}`;
      stack.upstream.script(id, (echoApi, body) => {
        const text = JSON.stringify(answerJson(echoApi, body, 'adv', 'fine'));
        const deep = `${'{"a":'.repeat(10_000)}"${ANSWER_KEY.value}"${'}'.repeat(10_000)}`;
        return { status: 200, raw: `${text.slice(0, -1)},"x_debug":${deep}}`, contentType: 'application/json' };
      });
      const x = await stack.send(api, promptBody(api, `case-${id} hello`));
      expect({ crashed: x.status === 500, leaked: leaksIn(x.received, [ANSWER_KEY]) }).toEqual({
        crashed: false,
        leaked: [],
      });
    });
  }
});

describe('zero leaks', () => {
  it('the key, in any encoding, is in no byte any client received', () => {
    expect(leaksIn(stack.clientBytes(), [ANSWER_KEY, EMAIL])).toEqual([]);
  });
  it('no planted value is in any ledger record or log line, and the ledger verifies with the public key alone', async () => {
    expect({
      records: leaksIn(await stack.records(), [ANSWER_KEY, EMAIL]),
      logs: leaksIn(stack.logText(), [ANSWER_KEY, EMAIL]),
    }).toEqual({
      records: [],
      logs: [],
    });
    expect(await stack.verify()).toEqual({ code: 0, ok: true });
  });
});
