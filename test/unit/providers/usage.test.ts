// Usage as each adapter reads it from a non-streaming answer, including the prompt-cache reads the limits stage bills
// at the cached-input price (never more than the prompt; cache writes stay billed as input).
import { describe, expect, it } from 'vitest';
import { adapterFor } from '../../../src/providers/index.ts';
import { costMicroUsd } from '../../../src/limits/index.ts';

describe('usage with prompt-cache reads', () => {
  it('OpenAI chat: prompt_tokens_details.cached_tokens, capped at the prompt', () => {
    const read = adapterFor('openai.chat_completions').readUsage;
    expect(read({ usage: { prompt_tokens: 1000, completion_tokens: 10, total_tokens: 1010, prompt_tokens_details: { cached_tokens: 768 } } }))
      .toEqual({ prompt_tokens: 1000, completion_tokens: 10, total_tokens: 1010, cached_input_tokens: 768 });
    expect(read({ usage: { prompt_tokens: 10, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 50 } } })?.cached_input_tokens).toBe(10);
    expect(read({ usage: { prompt_tokens: 10, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 0 } } })).not.toHaveProperty('cached_input_tokens');
    expect(read({ usage: { prompt_tokens: 10, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 1.5 } } })).not.toHaveProperty('cached_input_tokens');
  });

  it('Responses: input_tokens_details.cached_tokens', () => {
    const read = adapterFor('openai.responses').readUsage;
    expect(read({ usage: { input_tokens: 2000, output_tokens: 5, total_tokens: 2005, input_tokens_details: { cached_tokens: 1024 } } }))
      .toEqual({ prompt_tokens: 2000, completion_tokens: 5, total_tokens: 2005, cached_input_tokens: 1024 });
  });

  it('Anthropic: cache reads are cached input; cache writes count as input', () => {
    const read = adapterFor('anthropic.messages').readUsage;
    expect(read({ usage: { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 900, cache_creation_input_tokens: 50 } }))
      .toEqual({ prompt_tokens: 1050, completion_tokens: 20, total_tokens: 1070, cached_input_tokens: 900 });
  });

  it('cached reads lower the cost at the cached-input price', () => {
    const price = { input: 2_500_000, output: 10_000_000, cached_input: 1_250_000 };
    const full = costMicroUsd(price, { prompt_tokens: 1000, completion_tokens: 0, cached_input_tokens: 0 });
    const cached = costMicroUsd(price, { prompt_tokens: 1000, completion_tokens: 0, cached_input_tokens: 800 });
    expect(full).toBe(2500);
    expect(cached).toBe(200 * 2.5 + 800 * 1.25);
  });
});

describe('usage read from a stream, with prompt-cache counts', () => {
  const event = (data: unknown, name?: string) => ({ event: name ?? null, data: JSON.stringify(data) });
  const open = (api: 'anthropic.messages' | 'openai.chat_completions') => {
    const adapter = adapterFor(api);
    const body = api === 'anthropic.messages'
      ? { model: 'echo-1', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hi' }] }
      : { model: 'echo-1', stream: true, messages: [{ role: 'user', content: 'hi' }] };
    return adapter.openStream!(adapter.parse(new TextEncoder().encode(JSON.stringify(body))));
  };

  it('Anthropic: message_start counts cache reads and writes into the prompt; message_delta keeps what it leaves out', () => {
    const session = open('anthropic.messages');
    session.read(event({ type: 'message_start', message: { id: 'm', type: 'message', role: 'assistant', model: 'echo-1', content: [], usage: { input_tokens: 100, output_tokens: 1, cache_read_input_tokens: 900, cache_creation_input_tokens: 50 } } }, 'message_start'));
    expect(session.usage()).toEqual({ prompt_tokens: 1050, completion_tokens: 1, cached_input_tokens: 900 });
    session.read(event({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 42, input_tokens: 100 } }, 'message_delta'));
    expect(session.usage()).toEqual({ prompt_tokens: 1050, completion_tokens: 42, cached_input_tokens: 900 });
  });

  it('OpenAI chat: the usage chunk\'s prompt_tokens_details.cached_tokens', () => {
    const session = open('openai.chat_completions');
    session.read(event({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'echo-1', choices: [], usage: { prompt_tokens: 2048, completion_tokens: 7, total_tokens: 2055, prompt_tokens_details: { cached_tokens: 1024 } } }));
    expect(session.usage()).toEqual({ prompt_tokens: 2048, completion_tokens: 7, cached_input_tokens: 1024 });
  });
});
