import { describe, expect, it } from 'vitest';
import { adapterFor, RequestError } from '../../../src/providers/index.ts';

const adapter = adapterFor('openai.chat_completions');
const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

function parseError(value: unknown): RequestError {
  try {
    adapter.parse(bytes(value));
  } catch (error) {
    if (error instanceof RequestError) return error;
    throw error;
  }
  throw new Error('expected a RequestError');
}

describe('openai chat completions adapter', () => {
  it('collects every text the model will see, with its path', () => {
    const request = adapter.parse(
      bytes({
        model: 'gpt-4o-mini',
        max_tokens: 50,
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: [{ type: 'text', text: 'part one' }, { type: 'text', text: 'part two' }] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: 'tool result' },
        ],
        tools: [{ type: 'function', function: { name: 'lookup', description: 'looks things up', parameters: { type: 'object' } } }],
      }),
    );
    expect(request).toMatchObject({ api: 'openai.chat_completions', model: 'gpt-4o-mini', maxTokens: 50, messageCount: 4, stream: false });
    expect(request.segments).toEqual([
      { path: 'messages[0].content', text: 'be brief' },
      { path: 'messages[1].content[0].text', text: 'part one' },
      { path: 'messages[1].content[1].text', text: 'part two' },
      { path: 'messages[2].tool_calls[0].function.arguments', text: '{"q":"x"}' },
      { path: 'messages[3].content', text: 'tool result' },
      { path: 'tools[0].function.description', text: 'looks things up' },
    ]);
    expect(request.bodySha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['not JSON', '{"model":', 'ERR_REQUEST_NOT_JSON', null],
    ['an array body', [], 'ERR_REQUEST_INVALID', null],
    ['a self-asserted user', { model: 'm', messages: [{ role: 'user', content: 'x' }], user: 'bob' }, 'ERR_REQUEST_UNKNOWN_FIELD', 'user'],
    ['an unknown field', { model: 'm', messages: [{ role: 'user', content: 'x' }], surprise: 1 }, 'ERR_REQUEST_UNKNOWN_FIELD', 'surprise'],
    ['no model', { messages: [{ role: 'user', content: 'x' }] }, 'ERR_REQUEST_INVALID', 'model'],
    ['a model that tries to escape the path', { model: '../../admin', messages: [{ role: 'user', content: 'x' }] }, 'ERR_REQUEST_INVALID', 'model'],
    ['no messages', { model: 'm', messages: [] }, 'ERR_REQUEST_INVALID', 'messages'],
    ['a bad role', { model: 'm', messages: [{ role: 'root', content: 'x' }] }, 'ERR_REQUEST_INVALID', 'messages[0].role'],
    ['an image part', { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://x' } }] }] }, 'ERR_REQUEST_UNSUPPORTED', 'messages[0].content[0]'],
    ['streaming', { model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] }, 'ERR_REQUEST_UNSUPPORTED', 'stream'],
    ['a negative max_tokens', { model: 'm', max_tokens: -1, messages: [{ role: 'user', content: 'x' }] }, 'ERR_REQUEST_INVALID', 'max_tokens'],
    ['an unknown message field', { model: 'm', messages: [{ role: 'user', content: 'x', extra: 1 }] }, 'ERR_REQUEST_UNKNOWN_FIELD', 'messages[0].extra'],
  ])('rejects %s with a code and the field', (_what, body, code, param) => {
    const error = parseError(body);
    expect(error.code).toBe(code);
    expect(error.param).toBe(param);
  });

  it('rejects a body that is not valid UTF-8', () => {
    expect(() => adapter.parse(new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(expect.objectContaining({ code: 'ERR_REQUEST_NOT_JSON' }));
  });

  it('applies the decision cap to the field the client used, and never raises it', () => {
    const request = adapter.parse(bytes({ model: 'm', max_completion_tokens: 500, messages: [{ role: 'user', content: 'x' }] }));
    expect(adapter.upstreamBody(request, 100)).toMatchObject({ max_completion_tokens: 100 });
    expect(adapter.upstreamBody(request, 1000)).toMatchObject({ max_completion_tokens: 500 });
    const plain = adapter.parse(bytes({ model: 'm', messages: [{ role: 'user', content: 'x' }] }));
    expect(adapter.upstreamBody(plain, 256)).toMatchObject({ max_tokens: 256 });
    expect(adapter.upstreamBody(plain, null)).not.toHaveProperty('max_tokens');
  });

  it('reads usage only when it is well-formed', () => {
    expect(adapter.readUsage({ usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } })).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    expect(adapter.readUsage({ usage: { prompt_tokens: 1.5, completion_tokens: 4 } })).toBeNull();
    expect(adapter.readUsage({})).toBeNull();
  });
});
