// What each adapter says about the outputs its API generates and bills under one output cap (NormalizedRequest.outputs,
// which the limits stage multiplies the cap by). Chat's one-cap rule is in openai-chat.test.ts.
import { describe, expect, it } from 'vitest';
import { adapterFor, RequestError, type Api } from '../../../src/providers/index.ts';

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const outputsOf = (api: Api, body: Record<string, unknown>) => adapterFor(api).parse(bytes(body)).outputs;
const chat = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };

describe('outputs per output cap', () => {
  it('chat: n (1 when absent)', () => {
    expect(outputsOf('openai.chat_completions', chat)).toBe(1);
    expect(outputsOf('openai.chat_completions', { ...chat, n: 16 })).toBe(16);
  });

  it('completions: each prompt of a list, times best_of (the candidates generated) or n, whichever is larger', () => {
    const c = (extra: Record<string, unknown>) =>
      outputsOf('openai.completions', { model: 'm', prompt: 'hi', ...extra });
    expect(c({})).toBe(1);
    expect(c({ n: 3 })).toBe(3);
    expect(c({ best_of: 20 })).toBe(20);
    expect(c({ n: 2, best_of: 5 })).toBe(5);
    expect(c({ n: 5, best_of: 2 })).toBe(5);
    expect(c({ prompt: ['a', 'b', 'c'], best_of: 4 })).toBe(12);
  });

  it('responses, messages and embeddings: one (no candidate count in their shapes)', () => {
    expect(outputsOf('openai.responses', { model: 'm', input: 'hi' })).toBe(1);
    expect(outputsOf('anthropic.messages', { ...chat, max_tokens: 10 })).toBe(1);
    expect(outputsOf('openai.embeddings', { model: 'm', input: ['a', 'b'] })).toBe(1);
    // A candidate count is an unknown field there, refused with the rest.
    for (const [api, body] of [
      ['openai.responses', { model: 'm', input: 'hi', n: 2 }],
      ['anthropic.messages', { ...chat, max_tokens: 10, n: 2 }],
    ] as const) {
      expect(() => adapterFor(api).parse(bytes(body))).toThrow(RequestError);
    }
  });
});

describe('completions: one stream carries one choice', () => {
  const parse = (body: Record<string, unknown>) => adapterFor('openai.completions').parse(bytes(body));
  it('a prompt list with stream=true is refused before anything is reserved (one prompt in a list streams)', () => {
    const refused = (() => {
      try {
        parse({ model: 'm', prompt: ['a', 'b'], stream: true });
      } catch (e) {
        return e instanceof RequestError ? [e.code, e.param] : e;
      }
      return null;
    })();
    expect(refused).toEqual(['ERR_REQUEST_UNSUPPORTED', 'prompt']);
    expect(parse({ model: 'm', prompt: ['a'], stream: true }).outputs).toBe(1);
    expect(parse({ model: 'm', prompt: ['a', 'b'] }).outputs).toBe(2);
  });
});
