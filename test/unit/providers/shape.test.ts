// The closed-world shape walk (src/providers/shape-walk.ts, shapes from shape.ts) through the adapters that
// use it: what is refused, with which code and path, and that the value forwarded is the walk's rebuilt
// value, never the client's object.
import { describe, expect, it } from 'vitest';
import { adapterFor, RequestError, type Api } from '../../../src/providers/index.ts';

const bytes = (body: unknown) => new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
const chat = (extra: Record<string, unknown> = {}) => ({
  model: 'm',
  messages: [{ role: 'user', content: 'x' }],
  ...extra,
});

function refusal(api: Api, raw: Uint8Array): { code: string; param: string | null } | null {
  try {
    adapterFor(api).parse(raw);
    return null;
  } catch (error) {
    if (error instanceof RequestError) return { code: error.code, param: error.param };
    throw error;
  }
}

describe('closed-world request shapes', () => {
  it.each(['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__', 'prototype'])(
    'refuses a top-level %s key with a 400 code',
    (key) => {
      const raw = bytes(`{"model":"m","messages":[{"role":"user","content":"x"}],${JSON.stringify(key)}:{"a":1}}`);
      expect(refusal('openai.chat_completions', raw)?.code).toMatch(/^ERR_REQUEST_(INVALID|UNKNOWN_FIELD)$/);
    },
  );

  it.each(['__proto__', 'constructor', 'prototype'])('refuses %s inside free-form JSON (a tool schema)', (key) => {
    const raw = bytes(
      `{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":{${JSON.stringify(key)}:{"polluted":true}}}}]}`,
    );
    expect(refusal('openai.chat_completions', raw)).toEqual({
      code: 'ERR_REQUEST_INVALID',
      param: `tools[0].function.parameters.${key}`,
    });
  });

  it('refuses nesting past the one depth limit anywhere, quickly, before anything is classified', () => {
    const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const raw = bytes(
      `{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":${deep}}}}`,
    );
    expect(refusal('openai.chat_completions', raw)?.code).toBe('ERR_REQUEST_INVALID');
  });

  it.each([
    [
      'a message name',
      chat({ messages: [{ role: 'user', content: 'x', name: 'AKIAQ3EGTHV5RJ7YWU2P' }] }),
      'messages[0].name',
    ],
    ['a stop sequence', chat({ stop: ['AKIAQ3EGTHV5RJ7YWU2P'] }), 'stop[0]'],
    [
      'a json_schema description',
      chat({
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'n', description: 'AKIAQ3EGTHV5RJ7YWU2P', schema: {} },
        },
      }),
      'response_format.json_schema.description',
    ],
    [
      'a tool_choice name',
      chat({ tool_choice: { type: 'function', function: { name: 'AKIAQ3EGTHV5RJ7YWU2P' } } }),
      'tool_choice.function.name',
    ],
    [
      'a tool call id',
      chat({
        messages: [
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'AKIAQ3EGTHV5RJ7YWU2P', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
        ],
      }),
      'messages[0].tool_calls[0].id',
    ],
    [
      'a schema property name',
      chat({ tools: [{ type: 'function', function: { name: 'f', parameters: { AKIAQ3EGTHV5RJ7YWU2P: 1 } } }] }),
      'tools[0].function.parameters',
    ],
  ])('classifies %s as text', (_what, body, path) => {
    const request = adapterFor('openai.chat_completions').parse(bytes(body));
    expect(request.segments.filter((s) => s.text.includes('AKIAQ3EGTHV5RJ7YWU2P')).map((s) => s.path)).toEqual([path]);
  });

  it.each([
    [
      'an extra key inside a tool call',
      chat({
        messages: [
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' }, x: 'v' }],
          },
        ],
      }),
      'messages[0].tool_calls[0].x',
    ],
    [
      'an extra key inside a function',
      chat({ tools: [{ type: 'function', function: { name: 'f', x: 'v' } }] }),
      'tools[0].function.x',
    ],
    [
      'strict that is not a boolean',
      chat({ tools: [{ type: 'function', function: { name: 'f', strict: { x: 'v' } } }] }),
      'tools[0].function.strict',
    ],
    ['a free-text reasoning_effort', chat({ reasoning_effort: 'AKIAQ3EGTHV5RJ7YWU2P' }), 'reasoning_effort'],
  ])('refuses %s', (_what, body, param) => {
    expect(refusal('openai.chat_completions', bytes(body))?.param).toBe(param);
  });

  it('refuses logit_bias on completions as on chat: its keys and biases spell digits in any order', () => {
    const ok = { model: 'm', prompt: 'x' };
    expect(refusal('openai.completions', bytes(ok))).toBeNull();
    expect(refusal('openai.completions', bytes({ ...ok, logit_bias: { 50256: -100 } }))).toMatchObject({
      code: 'ERR_REQUEST_UNKNOWN_FIELD',
      param: 'logit_bias',
    });
  });

  it('forwards the rebuilt body: a redacted placeholder that breaks a pattern is refused, not sent', () => {
    const adapter = adapterFor('openai.chat_completions');
    const request = adapter.parse(bytes(chat({ tools: [{ type: 'function', function: { name: 'lookup' } }] })));
    expect(adapter.upstreamBody(request, null)).toEqual(request.body);
    const edited = adapter.replaceTexts(request.body, [{ path: 'tools[0].function.name', text: '[EMAIL_1]' }]);
    expect(() => adapter.upstreamBody({ ...request, body: edited }, null)).toThrow(RequestError);
  });
});
