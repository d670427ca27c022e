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
          {
            role: 'user',
            content: [
              { type: 'text', text: 'part one' },
              { type: 'text', text: 'part two' },
            ],
          },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'tool result' },
        ],
        tools: [
          {
            type: 'function',
            function: { name: 'lookup', description: 'looks things up', parameters: { type: 'object' } },
          },
        ],
      }),
    );
    expect(request).toMatchObject({
      api: 'openai.chat_completions',
      model: 'gpt-4o-mini',
      maxTokens: 50,
      messageCount: 4,
      stream: false,
    });
    // Closed world: names, ids and the model are text too (only enums such as role and type are not).
    expect(request.segments).toEqual([
      { path: 'model', text: 'gpt-4o-mini', location: 'system' },
      { path: 'messages[0].content', text: 'be brief', location: 'system' },
      { path: 'messages[1].content[0].text', text: 'part one', location: 'user' },
      { path: 'messages[1].content[1].text', text: 'part two', location: 'user' },
      { path: 'messages[2].tool_calls[0].id', text: 'c1', location: 'tool_arguments' },
      { path: 'messages[2].tool_calls[0].function.name', text: 'lookup', location: 'tool_arguments' },
      { path: 'messages[2].tool_calls[0].function.arguments', text: '{"q":"x"}', location: 'tool_arguments' },
      { path: 'messages[3].tool_call_id', text: 'c1', location: 'tool' },
      { path: 'messages[3].content', text: 'tool result', location: 'tool' },
      { path: 'tools[0].function.name', text: 'lookup', location: 'tools' },
      { path: 'tools[0].function.description', text: 'looks things up', location: 'tools' },
      { path: 'tools[0].function.parameters', text: 'type', location: 'tools' },
      {
        path: 'tools[0].function.parameters.type',
        text: 'object',
        location: 'tools',
        label: 'tools[0].function.parameters.{0}',
      },
    ]);
    expect(request.toolNames).toEqual(['lookup']);
    expect(request.bodySha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['not JSON', '{"model":', 'ERR_REQUEST_NOT_JSON', null],
    ['an array body', [], 'ERR_REQUEST_INVALID', null],
    [
      'a self-asserted user',
      { model: 'm', messages: [{ role: 'user', content: 'x' }], user: 'bob' },
      'ERR_REQUEST_UNKNOWN_FIELD',
      'user',
    ],
    [
      'an unknown field',
      { model: 'm', messages: [{ role: 'user', content: 'x' }], surprise: 1 },
      'ERR_REQUEST_UNKNOWN_FIELD',
      'surprise',
    ],
    ['no model', { messages: [{ role: 'user', content: 'x' }] }, 'ERR_REQUEST_INVALID', 'model'],
    [
      'a model that tries to escape the path',
      { model: '../../admin', messages: [{ role: 'user', content: 'x' }] },
      'ERR_REQUEST_INVALID',
      'model',
    ],
    ['no messages', { model: 'm', messages: [] }, 'ERR_REQUEST_INVALID', 'messages'],
    [
      'a bad role',
      { model: 'm', messages: [{ role: 'root', content: 'x' }] },
      'ERR_REQUEST_INVALID',
      'messages[0].role',
    ],
    [
      'an image part',
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://x' } }] }] },
      'ERR_REQUEST_UNSUPPORTED',
      'messages[0].content[0]',
    ],
    [
      'streaming with logprobs (text the stream screen cannot hold back)',
      { model: 'm', stream: true, logprobs: true, messages: [{ role: 'user', content: 'x' }] },
      'ERR_REQUEST_UNSUPPORTED',
      'logprobs',
    ],
    [
      'stream_options without streaming',
      { model: 'm', stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'x' }] },
      'ERR_REQUEST_INVALID',
      'stream_options',
    ],
    [
      'an unknown stream option',
      {
        model: 'm',
        stream: true,
        stream_options: { include_obfuscation: true },
        messages: [{ role: 'user', content: 'x' }],
      },
      'ERR_REQUEST_UNKNOWN_FIELD',
      'stream_options.include_obfuscation',
    ],
    [
      'a negative max_tokens',
      { model: 'm', max_tokens: -1, messages: [{ role: 'user', content: 'x' }] },
      'ERR_REQUEST_INVALID',
      'max_tokens',
    ],
    [
      'an unknown message field',
      { model: 'm', messages: [{ role: 'user', content: 'x', extra: 1 }] },
      'ERR_REQUEST_UNKNOWN_FIELD',
      'messages[0].extra',
    ],
    [
      'a tool that is not a function',
      { model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'custom', custom: { name: 'c' } }] },
      'ERR_REQUEST_UNSUPPORTED',
      'tools[0].type',
    ],
    [
      'a tool without a name',
      {
        model: 'm',
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ type: 'function', function: { description: 'd' } }],
      },
      'ERR_REQUEST_INVALID',
      'tools[0].function.name',
    ],
    [
      'a tool name with spaces',
      {
        model: 'm',
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ type: 'function', function: { name: 'rm -rf' } }],
      },
      'ERR_REQUEST_INVALID',
      'tools[0].function.name',
    ],
    [
      'a tool description that is not a string',
      {
        model: 'm',
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ type: 'function', function: { name: 'f', description: ['hidden'] } }],
      },
      'ERR_REQUEST_INVALID',
      'tools[0].function.description',
    ],
  ])('rejects %s with a code and the field', (_what, body, code, param) => {
    const error = parseError(body);
    expect(error.code).toBe(code);
    expect(error.param).toBe(param);
  });

  it('scans every string of a tool parameter schema, its property names, and assistant refusals', () => {
    const request = adapter.parse(
      bytes({
        model: 'm',
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: null, refusal: 'I will not email bob@corp.test' },
        ],
        tools: [
          {
            type: 'function',
            function: {
              name: 'send',
              parameters: {
                type: 'object',
                properties: { to: { type: 'string', description: 'e.g. alice@corp.test', enum: ['x'] } },
              },
            },
          },
        ],
      }),
    );
    const texts = request.segments.map((s) => `${s.path}=${s.text}`);
    expect(texts).toContain('messages[1].refusal=I will not email bob@corp.test');
    expect(texts).toContain('tools[0].function.parameters.properties.to.description=e.g. alice@corp.test');
    expect(texts).toContain('tools[0].function.parameters.properties.to.enum[0]=x');
    expect(texts).toContain('tools[0].function.parameters.properties=to');
  });

  it.each([
    [
      'a property name that would make a segment path ambiguous',
      { 'a.b': { type: 'string' } },
      'ERR_REQUEST_UNSUPPORTED',
    ],
    ['a schema nested beyond the limit', JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40)), 'ERR_REQUEST_INVALID'],
  ])('refuses %s in a tool schema', (_what, properties, code) => {
    const body = {
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties } } }],
    };
    expect(parseError(body).code).toBe(code);
  });

  it('refuses unknown fields in a tool definition, whose text would otherwise go unscanned', () => {
    const body = {
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      tools: [{ type: 'function', function: { name: 'f', examples: ['secret'] } }],
    };
    expect(parseError(body)).toMatchObject({ code: 'ERR_REQUEST_UNKNOWN_FIELD', param: 'tools[0].function.examples' });
  });

  it('counts a developer message as system', () => {
    const request = adapter.parse(
      bytes({
        model: 'm',
        messages: [
          { role: 'developer', content: 'rules' },
          { role: 'user', content: 'q' },
        ],
      }),
    );
    expect(request.segments.filter((s) => s.path.startsWith('messages')).map((s) => s.location)).toEqual([
      'system',
      'user',
    ]);
    expect(request.toolNames).toEqual([]);
  });

  it('estimates prompt tokens high: ceil(UTF-8 bytes / 3) plus framing per message, per tool call and for the reply', () => {
    const one = adapter.parse(bytes({ model: 'm', messages: [{ role: 'user', content: 'abcdefg' }] }));
    expect(one.estimatedPromptTokens).toBe(Math.ceil(7 / 3) + 4 + 3);
    // Multi-byte text counts by bytes: 4 CJK characters are 12 bytes.
    const cjk = adapter.parse(bytes({ model: 'm', messages: [{ role: 'user', content: '日本語だ' }] }));
    expect(cjk.estimatedPromptTokens).toBe(4 + 4 + 3);
    const tool = {
      type: 'function',
      function: { name: 'lookup', description: 'looks', parameters: { type: 'object' } },
    };
    const withTools = adapter.parse(
      bytes({
        model: 'm',
        messages: [
          { role: 'user', content: 'abc' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{}' } }],
          },
        ],
        tools: [tool],
      }),
    );
    const textBytes = 3 + 'lookup'.length + 2 + JSON.stringify(tool).length;
    expect(withTools.estimatedPromptTokens).toBe(Math.ceil(textBytes / 3) + 2 * 4 + 4 + 3);
  });

  it('estimates at least the real count for English prose (about 4 bytes per token)', () => {
    const prose = 'The quarterly report for the north region shows steady growth in every segment we track. '.repeat(
      20,
    );
    const request = adapter.parse(bytes({ model: 'm', messages: [{ role: 'user', content: prose }] }));
    // 15 common words and a full stop: BPE tokenizers make about one token of each. Even at 20 tokens per sentence
    // (a generous margin) the estimate must not be below the real count.
    expect(request.estimatedPromptTokens).toBeGreaterThanOrEqual(20 * 20 + 4 + 3);
  });

  it('rejects a body that is not valid UTF-8', () => {
    expect(() => adapter.parse(new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(
      expect.objectContaining({ code: 'ERR_REQUEST_NOT_JSON' }),
    );
  });

  it('applies the decision cap to the field the client used, and never raises it', () => {
    const request = adapter.parse(
      bytes({ model: 'm', max_completion_tokens: 500, messages: [{ role: 'user', content: 'x' }] }),
    );
    expect(adapter.upstreamBody(request, 100)).toMatchObject({ max_completion_tokens: 100 });
    expect(adapter.upstreamBody(request, 1000)).toMatchObject({ max_completion_tokens: 500 });
    const plain = adapter.parse(bytes({ model: 'm', messages: [{ role: 'user', content: 'x' }] }));
    expect(adapter.upstreamBody(plain, 256)).toMatchObject({ max_tokens: 256 });
    expect(adapter.upstreamBody(plain, null)).not.toHaveProperty('max_tokens');
  });

  it('refuses max_tokens beside max_completion_tokens, as OpenAI does (400, param max_tokens): one cap, the one capped', () => {
    const error = parseError({
      model: 'm',
      max_completion_tokens: 10,
      max_tokens: 100_000,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect([error.code, error.param]).toEqual(['ERR_REQUEST_INVALID', 'max_tokens']);
    expect(error.message).toBe("Setting 'max_tokens' and 'max_completion_tokens' at the same time is not supported.");
    const legacy = adapter.parse(
      bytes({ model: 'm', max_tokens: 100_000, messages: [{ role: 'user', content: 'x' }] }),
    );
    expect(adapter.upstreamBody(legacy, 1024)).toMatchObject({ max_tokens: 1024 });
    expect(adapter.upstreamBody(legacy, 1024)).not.toHaveProperty('max_completion_tokens');
  });

  it('reads usage only when it is well-formed', () => {
    expect(adapter.readUsage({ usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } })).toEqual({
      prompt_tokens: 3,
      completion_tokens: 4,
      total_tokens: 7,
    });
    expect(adapter.readUsage({ usage: { prompt_tokens: 1.5, completion_tokens: 4 } })).toBeNull();
    expect(adapter.readUsage({})).toBeNull();
  });
});
