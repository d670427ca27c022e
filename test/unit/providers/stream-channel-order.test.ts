// The stream readers hold an upstream to one text channel at a time (stream-channel-order.ts): text for a channel after
// another channel's text, or after its own end, is a protocol error before it is relayed, in every stream API; a
// channel's text in any number of events, empty text between, and the next channel after a channel's end are not. The
// Responses session's kept text is capped (KEPT_TEXT_CHARS).
import { describe, expect, it } from 'vitest';
import { adapterFor, StreamProtocolError, type Api, type StreamSession } from '../../../src/providers/index.ts';
import { KEPT_TEXT_CHARS } from '../../../src/providers/openai-responses-stream.ts';

const REQUESTS: Partial<Record<Api, Record<string, unknown>>> = {
  'openai.chat_completions': { messages: [{ role: 'user', content: 'hi' }] },
  'anthropic.messages': { max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] },
  'openai.responses': { input: 'hi' },
};

/** Reads each event's data in a new session; the error the first refused one throws, or null. */
function read(api: Api, events: readonly Record<string, unknown>[]): unknown {
  const adapter = adapterFor(api);
  const parsed = adapter.parse(Buffer.from(JSON.stringify({ model: 'm', stream: true, ...REQUESTS[api] })));
  const session = (adapter.openStream as (r: typeof parsed) => StreamSession)(parsed);
  try {
    for (const data of events)
      session.read({ event: (data.type as string | undefined) ?? null, data: JSON.stringify(data) });
    return null;
  } catch (error) {
    return error;
  }
}

const call = (index: number, args: string) => ({
  id: 'c',
  object: 'chat.completion.chunk',
  created: 0,
  model: 'm',
  choices: [{ index: 0, delta: { tool_calls: [{ index, function: { arguments: args } }] }, finish_reason: null }],
});
const content = (text: string) => ({
  ...call(0, ''),
  choices: [{ index: 0, delta: { content: text }, finish_reason: null }],
});
const block = (index: number, text: string) => ({
  type: 'content_block_delta',
  index,
  delta: { type: 'text_delta', text },
});
const start = (index: number) => ({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
const stop = (index: number) => ({ type: 'content_block_stop', index });
const MESSAGE_START = {
  type: 'message_start',
  message: { id: 'm', type: 'message', role: 'assistant', model: 'x', content: [], usage: { input_tokens: 1 } },
};
const text = (o: number, delta: string, c = 0) => ({
  type: 'response.output_text.delta',
  item_id: `msg_${o}`,
  output_index: o,
  content_index: c,
  delta,
});
const textDone = (o: number, done: string) => ({
  type: 'response.output_text.done',
  item_id: `msg_${o}`,
  output_index: o,
  content_index: 0,
  text: done,
});

describe('one text channel at a time', () => {
  it('refuses a chat tool call, or the content, resumed after another channel’s text', () => {
    expect(read('openai.chat_completions', [call(0, '{"a'), call(1, '{}'), call(0, '"}')])).toBeInstanceOf(
      StreamProtocolError,
    );
    expect(read('openai.chat_completions', [content('a'), call(0, '{}'), content('b')])).toBeInstanceOf(
      StreamProtocolError,
    );
    expect(
      read('openai.chat_completions', [content(''), call(0, '{"a'), call(1, ''), call(0, '"}'), call(1, '{}')]),
    ).toBe(null);
  });

  it('refuses an Anthropic block given text after another block’s, or after its own stop', () => {
    const resumed = [MESSAGE_START, start(0), block(0, 'a'), start(1), block(1, 'b'), block(0, 'c')];
    expect(read('anthropic.messages', resumed)).toBeInstanceOf(StreamProtocolError);
    expect(read('anthropic.messages', [MESSAGE_START, start(0), block(0, 'a'), stop(0), block(0, 'c')])).toBeInstanceOf(
      StreamProtocolError,
    );
    const inOrder = [MESSAGE_START, start(0), block(0, 'a'), block(0, 'b'), stop(0), start(1), block(1, 'c'), stop(1)];
    expect(read('anthropic.messages', inOrder)).toBe(null);
  });

  it('refuses a Responses item given text after another item’s, or after its own .done', () => {
    expect(read('openai.responses', [text(0, 'a'), text(1, 'b'), text(0, 'c')])).toBeInstanceOf(StreamProtocolError);
    expect(read('openai.responses', [text(0, 'a'), text(0, 'b', 1), text(0, 'c')])).toBeInstanceOf(StreamProtocolError);
    expect(read('openai.responses', [text(0, 'a'), textDone(0, 'a'), text(0, 'c')])).toBeInstanceOf(
      StreamProtocolError,
    );
    expect(read('openai.responses', [text(0, 'a'), text(0, 'b'), textDone(0, 'ab'), text(1, 'c')])).toBe(null);
  });
});

describe('the Responses session’s kept text', () => {
  it('ends the stream once its text, all channels together, passes KEPT_TEXT_CHARS', () => {
    const half = 'x'.repeat(KEPT_TEXT_CHARS / 2);
    expect(read('openai.responses', [text(0, half), text(1, half)])).toBe(null);
    expect(read('openai.responses', [text(0, half), text(1, half), text(2, 'x')])).toBeInstanceOf(StreamProtocolError);
  });
});
