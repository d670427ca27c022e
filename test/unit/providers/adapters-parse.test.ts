// What each adapter refuses, with the code and the field named, and what it classifies (besides the chat adapter,
// which has its own suite): content Proctor cannot classify, or state the model would read that Proctor never saw.
import { describe, expect, it } from 'vitest';
import { adapterFor, RequestError, type Api } from '../../../src/providers/index.ts';

function parse(api: Api, body: unknown) {
  return adapterFor(api).parse(Buffer.from(JSON.stringify(body)));
}

function refusal(api: Api, body: unknown): { code: string; param: string | null } {
  try {
    parse(api, body);
  } catch (error) {
    if (error instanceof RequestError) return { code: error.code, param: error.param };
    throw error;
  }
  throw new Error('accepted');
}

describe('adapters refuse, naming the field', () => {
  it.each([
    [
      'openai.completions',
      'a token-array prompt',
      { model: 'm', prompt: [[1, 2, 3]] },
      'ERR_REQUEST_UNSUPPORTED',
      'prompt[0]',
    ],
    ['openai.completions', 'echo', { model: 'm', prompt: 'x', echo: true }, 'ERR_REQUEST_UNSUPPORTED', 'echo'],
    ['openai.completions', 'logprobs', { model: 'm', prompt: 'x', logprobs: 2 }, 'ERR_REQUEST_UNSUPPORTED', 'logprobs'],
    [
      'openai.embeddings',
      'a token-array input',
      { model: 'm', input: [[1, 2]] },
      'ERR_REQUEST_UNSUPPORTED',
      'input[0]',
    ],
    ['openai.embeddings', 'streaming', { model: 'm', input: 'x', stream: true }, 'ERR_REQUEST_UNKNOWN_FIELD', 'stream'],
    [
      'openai.embeddings',
      'a user field',
      { model: 'm', input: 'x', user: 'mallory' },
      'ERR_REQUEST_UNKNOWN_FIELD',
      'user',
    ],
    [
      'openai.responses',
      'previous_response_id',
      { model: 'm', input: 'x', previous_response_id: 'resp_1' },
      'ERR_REQUEST_UNSUPPORTED',
      'previous_response_id',
    ],
    [
      'openai.responses',
      'an image part',
      { model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'http://x' }] }] },
      'ERR_REQUEST_UNSUPPORTED',
      'input[0].content[0]',
    ],
    [
      'openai.responses',
      'a web search tool',
      { model: 'm', input: 'x', tools: [{ type: 'web_search' }] },
      'ERR_REQUEST_UNSUPPORTED',
      'tools[0].type',
    ],
    [
      'openai.responses',
      'a reasoning item',
      { model: 'm', input: [{ type: 'reasoning', summary: [] }] },
      'ERR_REQUEST_UNSUPPORTED',
      'input[0].type',
    ],
    [
      'anthropic.messages',
      'metadata',
      { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], metadata: { user_id: 'u' } },
      'ERR_REQUEST_UNKNOWN_FIELD',
      'metadata',
    ],
    [
      'anthropic.messages',
      'a missing max_tokens',
      { model: 'm', messages: [{ role: 'user', content: 'x' }] },
      'ERR_REQUEST_INVALID',
      'max_tokens',
    ],
    [
      'anthropic.messages',
      'an image block',
      { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'image', source: {} }] }] },
      'ERR_REQUEST_UNSUPPORTED',
      'messages[0].content[0]',
    ],
    [
      'anthropic.messages',
      'a tool_use block from the user',
      {
        model: 'm',
        max_tokens: 5,
        messages: [{ role: 'user', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] }],
      },
      'ERR_REQUEST_UNSUPPORTED',
      'messages[0].content[0]',
    ],
    [
      'anthropic.messages',
      'a system role message',
      { model: 'm', max_tokens: 5, messages: [{ role: 'system', content: 'x' }] },
      'ERR_REQUEST_INVALID',
      'messages[0].role',
    ],
  ] as const)('%s: %s', (api, _what, body, code, param) => {
    expect(refusal(api, body)).toEqual({ code, param });
  });
});

describe('adapters classify every text the model reads', () => {
  it('responses: instructions, message parts, call arguments and outputs, tool descriptions and schemas', () => {
    const request = parse('openai.responses', {
      model: 'm',
      instructions: 'sys',
      stream: true,
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'u1' }] },
        { type: 'function_call', call_id: 'c', name: 'f', arguments: '{"a":"arg"}' },
        { type: 'function_call_output', call_id: 'c', output: 'out' },
      ],
      tools: [
        {
          type: 'function',
          name: 'f',
          description: 'desc',
          parameters: { type: 'object', properties: { a: { description: 'pdesc' } } },
        },
      ],
    });
    expect(request.stream).toBe(true);
    expect(request.segments.map((s) => [s.path, s.location])).toEqual(
      expect.arrayContaining([
        ['instructions', 'system'],
        ['input[0].content[0].text', 'user'],
        ['input[1].arguments', 'tool_arguments'],
        ['input[2].output', 'tool'],
        ['tools[0].description', 'tools'],
        ['tools[0].parameters.properties.a.description', 'tools'],
      ]),
    );
  });

  it('messages: system blocks, text, tool_use inputs (strings and keys), tool results, tool schemas', () => {
    const request = parse('anthropic.messages', {
      model: 'm',
      max_tokens: 10,
      system: [{ type: 'text', text: 'sys' }],
      messages: [
        { role: 'user', content: 'hello' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: { q: 'query text' } }] },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'result' }] }],
        },
      ],
      tools: [{ name: 'f', description: 'desc', input_schema: { type: 'object' } }],
    });
    expect(request.segments.map((s) => [s.path, s.text])).toEqual(
      expect.arrayContaining([
        ['system[0].text', 'sys'],
        ['messages[0].content', 'hello'],
        ['messages[1].content[0].input.q', 'query text'],
        ['messages[1].content[0].input', 'q'],
        ['messages[2].content[0].content[0].text', 'result'],
        ['tools[0].description', 'desc'],
      ]),
    );
    expect(request.maxTokens).toBe(10);
  });

  it("applies the decision's token cap in each API's own field, and asks OpenAI streams for usage", () => {
    const chat = parse('openai.chat_completions', {
      model: 'm',
      stream: true,
      max_tokens: 500,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(adapterFor('openai.chat_completions').upstreamBody(chat, 100)).toMatchObject({
      max_tokens: 100,
      stream_options: { include_usage: true },
    });
    const responses = parse('openai.responses', { model: 'm', input: 'x' });
    expect(adapterFor('openai.responses').upstreamBody(responses, 64)).toMatchObject({ max_output_tokens: 64 });
    const messages = parse('anthropic.messages', {
      model: 'm',
      max_tokens: 500,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(adapterFor('anthropic.messages').upstreamBody(messages, 100)).toMatchObject({ max_tokens: 100 });
  });
});
