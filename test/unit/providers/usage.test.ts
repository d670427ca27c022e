// Usage as each adapter reads it from a non-streaming answer, including the prompt-cache reads the limits stage bills
// at the cached-input price and the writes it bills at the cache-write price (never more than the prompt).
import { describe, expect, it } from 'vitest';
import { adapterFor } from '../../../src/providers/index.ts';
import { costMicroUsd, maxCostMicroUsd } from '../../../src/limits/index.ts';

describe('usage with prompt-cache reads and writes', () => {
  it('OpenAI chat: prompt_tokens_details.cached_tokens, capped at the prompt', () => {
    const read = adapterFor('openai.chat_completions').readUsage;
    expect(
      read({
        usage: {
          prompt_tokens: 1000,
          completion_tokens: 10,
          total_tokens: 1010,
          prompt_tokens_details: { cached_tokens: 768 },
        },
      }),
    ).toEqual({ prompt_tokens: 1000, completion_tokens: 10, total_tokens: 1010, cached_input_tokens: 768 });
    expect(
      read({ usage: { prompt_tokens: 10, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 50 } } })
        ?.cached_input_tokens,
    ).toBe(10);
    expect(
      read({ usage: { prompt_tokens: 10, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 0 } } }),
    ).not.toHaveProperty('cached_input_tokens');
    expect(
      read({ usage: { prompt_tokens: 10, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 1.5 } } }),
    ).not.toHaveProperty('cached_input_tokens');
  });

  it('Responses: input_tokens_details.cached_tokens', () => {
    const read = adapterFor('openai.responses').readUsage;
    expect(
      read({
        usage: {
          input_tokens: 2000,
          output_tokens: 5,
          total_tokens: 2005,
          input_tokens_details: { cached_tokens: 1024 },
        },
      }),
    ).toEqual({ prompt_tokens: 2000, completion_tokens: 5, total_tokens: 2005, cached_input_tokens: 1024 });
  });

  it('Anthropic: cache reads and writes are parts of the prompt, reported apart (1-hour writes too)', () => {
    const read = adapterFor('anthropic.messages').readUsage;
    expect(
      read({
        usage: { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 900, cache_creation_input_tokens: 50 },
      }),
    ).toEqual({
      prompt_tokens: 1050,
      completion_tokens: 20,
      total_tokens: 1070,
      cached_input_tokens: 900,
      cache_write_tokens: 50,
    });
    // the breakdown Anthropic sends beside the total: 1-hour writes, never more than the writes
    expect(
      read({
        usage: {
          input_tokens: 10,
          output_tokens: 1,
          cache_creation_input_tokens: 300,
          cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 },
        },
      }),
    ).toEqual({
      prompt_tokens: 310,
      completion_tokens: 1,
      total_tokens: 311,
      cache_write_tokens: 300,
      cache_write_1h_tokens: 200,
    });
    expect(
      read({
        usage: {
          input_tokens: 10,
          output_tokens: 1,
          cache_creation_input_tokens: 30,
          cache_creation: { ephemeral_1h_input_tokens: 999 },
        },
      })?.cache_write_1h_tokens,
    ).toBe(30);
    // no cache, or counts that are zero, negative or not integers: no cache fields
    expect(
      read({
        usage: { input_tokens: 10, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: -5 },
      }),
    ).toEqual({ prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 });
    expect(read({ usage: { input_tokens: 10, output_tokens: 1, cache_creation_input_tokens: 2.5 } })).toEqual({
      prompt_tokens: 10,
      completion_tokens: 1,
      total_tokens: 11,
    });
  });

  it('cached reads lower the cost at the cached-input price', () => {
    const price = { input: 2_500_000, output: 10_000_000, cached_input: 1_250_000 };
    const full = costMicroUsd(price, { prompt_tokens: 1000, completion_tokens: 0, cached_input_tokens: 0 });
    const cached = costMicroUsd(price, { prompt_tokens: 1000, completion_tokens: 0, cached_input_tokens: 800 });
    expect(full).toBe(2500);
    expect(cached).toBe(200 * 2.5 + 800 * 1.25);
  });

  it('cache writes cost the cache-write price, 1-hour writes the 1-hour price; absent prices fall back to input', () => {
    // Anthropic-style: $3/M input, $3.75/M 5-minute writes, $6/M 1-hour writes, $0.30/M reads, $15/M output
    const price = {
      input: 3_000_000,
      output: 15_000_000,
      cached_input: 300_000,
      cache_write: 3_750_000,
      cache_write_1h: 6_000_000,
    };
    // 2,000 prompt = 100 input + 900 read + 1,000 written (400 of them to the 1-hour cache), 10 output
    const tokens = {
      prompt_tokens: 2000,
      completion_tokens: 10,
      cached_input_tokens: 900,
      cache_write_tokens: 1000,
      cache_write_1h_tokens: 400,
    };
    expect(costMicroUsd(price, tokens)).toBe(100 * 3 + 900 * 0.3 + 600 * 3.75 + 400 * 6 + 10 * 15); // 5,370
    // without a cache_write_1h price, 1-hour writes cost cache_write; without cache_write, writes cost input
    expect(costMicroUsd({ ...price, cache_write_1h: undefined }, tokens)).toBe(
      100 * 3 + 900 * 0.3 + 1000 * 3.75 + 10 * 15,
    );
    expect(costMicroUsd({ input: 3_000_000, output: 15_000_000, cached_input: 300_000 }, tokens)).toBe(
      1100 * 3 + 900 * 0.3 + 10 * 15,
    );
    // counts beyond what they are part of are clamped: reads to the prompt, writes to the rest, 1-hour to the writes
    expect(
      costMicroUsd(price, {
        prompt_tokens: 1000,
        completion_tokens: 0,
        cached_input_tokens: 900,
        cache_write_tokens: 500,
        cache_write_1h_tokens: 800,
      }),
    ).toBe(900 * 0.3 + 100 * 6);
    expect(() => costMicroUsd(price, { ...tokens, cache_write_tokens: -1 })).toThrow(
      /cache_write_tokens must be a non-negative safe integer/,
    );
  });

  it('the most a request can cost prices its prompt at the dearest input rate of the entry', () => {
    const anthropic = {
      input: 3_000_000,
      output: 15_000_000,
      cached_input: 300_000,
      cache_write: 3_750_000,
      cache_write_1h: 6_000_000,
    };
    expect(maxCostMicroUsd(anthropic, 1000, 100)).toBe(1000 * 6 + 100 * 15);
    expect(maxCostMicroUsd({ ...anthropic, cache_write_1h: undefined }, 1000, 100)).toBe(1000 * 3.75 + 100 * 15);
    // no write surcharge (OpenAI), or a write price below input: the prompt at input
    expect(maxCostMicroUsd({ input: 3_000_000, output: 15_000_000, cached_input: 300_000 }, 1000, 100)).toBe(
      1000 * 3 + 100 * 15,
    );
    expect(maxCostMicroUsd({ ...anthropic, cache_write: 1_000_000, cache_write_1h: 2_000_000 }, 1000, 100)).toBe(
      1000 * 3 + 100 * 15,
    );
  });
});

describe('usage read from a stream, with prompt-cache counts', () => {
  const event = (data: unknown, name?: string) => ({ event: name ?? null, data: JSON.stringify(data) });
  const open = (api: 'anthropic.messages' | 'openai.chat_completions') => {
    const adapter = adapterFor(api);
    const body =
      api === 'anthropic.messages'
        ? { model: 'echo-1', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hi' }] }
        : { model: 'echo-1', stream: true, messages: [{ role: 'user', content: 'hi' }] };
    return adapter.openStream!(adapter.parse(new TextEncoder().encode(JSON.stringify(body))));
  };

  it('Anthropic: message_start counts cache reads and writes into the prompt; message_delta keeps what it leaves out', () => {
    const session = open('anthropic.messages');
    session.read(
      event(
        {
          type: 'message_start',
          message: {
            id: 'm',
            type: 'message',
            role: 'assistant',
            model: 'echo-1',
            content: [],
            usage: {
              input_tokens: 100,
              output_tokens: 1,
              cache_read_input_tokens: 900,
              cache_creation_input_tokens: 50,
              cache_creation: { ephemeral_5m_input_tokens: 30, ephemeral_1h_input_tokens: 20 },
            },
          },
        },
        'message_start',
      ),
    );
    expect(session.usage()).toEqual({
      prompt_tokens: 1050,
      completion_tokens: 1,
      cached_input_tokens: 900,
      cache_write_tokens: 50,
      cache_write_1h_tokens: 20,
    });
    session.read(
      event(
        { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 42, input_tokens: 100 } },
        'message_delta',
      ),
    );
    expect(session.usage()).toEqual({
      prompt_tokens: 1050,
      completion_tokens: 42,
      cached_input_tokens: 900,
      cache_write_tokens: 50,
      cache_write_1h_tokens: 20,
    });
  });

  it("OpenAI chat: the usage chunk's prompt_tokens_details.cached_tokens", () => {
    const session = open('openai.chat_completions');
    session.read(
      event({
        id: 'c',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'echo-1',
        choices: [],
        usage: {
          prompt_tokens: 2048,
          completion_tokens: 7,
          total_tokens: 2055,
          prompt_tokens_details: { cached_tokens: 1024 },
        },
      }),
    );
    expect(session.usage()).toEqual({ prompt_tokens: 2048, completion_tokens: 7, cached_input_tokens: 1024 });
  });
});
