// A value split between two fields of one stream event, one of which the stream already carried (clean on its own):
// the relay screened each distinct field once per stream, so `{"x":"AKIAQ3EG"}` then `{"x":"AKIAQ3EG","y":"THV5…"}`
// classified only `THV5…` in the second event and relayed both halves side by side, where the plain answer's screen
// joins neighbouring strings and blocks. Each event's fields are now classified as that event has them (the result
// cached per sequence of fields, so a chat chunk repeating its id, object and model is not classified again).
import { describe, expect, it } from 'vitest';
import { receivedPayloads, relayScripted, type ScriptedEvent } from './relay-harness.ts';

const BLOCK = { redact: [] as string[], block: ['AWS_ACCESS_KEY'] };
const REQUEST = { model: 'm', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'hi' }] };
const KEY = ['AKIAQ3EG', 'THV5ZR7NCO4X'] as const;

/** Anthropic events: `first` and `second` as extra fields of two pings, with answer text between them. */
function pings(first: Record<string, unknown>, second: Record<string, unknown>): ScriptedEvent[] {
  const start = {
    type: 'message_start',
    message: { id: 'm1', type: 'message', role: 'assistant', model: 'x', content: [] },
  };
  const text = ' and the weather is fine today, thank you. ';
  return [
    { event: 'message_start', data: start },
    { event: 'ping', data: { type: 'ping', ...first } },
    {
      event: 'content_block_start',
      data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    },
    {
      event: 'content_block_delta',
      data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
    },
    { event: 'ping', data: { type: 'ping', ...second } },
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ];
}

describe('a field seen before, completing a value with a new neighbour in a later event', () => {
  it.each([
    ['values', { x: KEY[0] }, { x: KEY[0], y: KEY[1] }],
    ['the value seen before second', { y: KEY[1] }, { x: KEY[0], y: KEY[1] }],
    ['both seen before, apart', { x: KEY[0], z: 'one', y: KEY[1] }, { x: KEY[0], y: KEY[1] }],
  ])('%s: the stream is blocked', async (_name, first, second) => {
    const { result, out } = await relayScripted('anthropic.messages', REQUEST, pings(first, second), BLOCK);
    expect(result.error).toBe('ERR_RESPONSE_BLOCKED');
    // The event holding both halves is never relayed (either half alone may be).
    expect(receivedPayloads(out).filter((p) => p.x === KEY[0] && p.y === KEY[1] && p.z === undefined)).toEqual([]);
  });

  it('control: the same two events without the second half are relayed whole', async () => {
    const { result } = await relayScripted('anthropic.messages', REQUEST, pings({ x: KEY[0] }, { x: KEY[0] }), BLOCK);
    expect(result.error).toBeNull();
  });
});
