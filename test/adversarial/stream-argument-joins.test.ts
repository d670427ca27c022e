// A key split inside a streamed chat tool call's `arguments` (a JSON text sent in pieces): its halves as a property
// name and its value, or as a value and the next name, in one delta or cut across two at the `":"` or `,` between
// them. The plain answer's twins are in round5.test.ts; this is the stream's side, read by the hold-back scanner.
import { describe, expect, it } from 'vitest';
import { allFragmentsIn } from './leaks.ts';
import { relayScripted } from './relay-harness.ts';
import { chatChunk } from './fixtures.ts';

const BLOCK = { redact: ['EMAIL'], block: ['AWS_ACCESS_KEY'] };
const HALVES = ['AKIAZ3MQWX', 'R5TLPB6Y7N'];
const request = { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] };
/** The first piece opens the call (id, type, name); the rest carry only more of its arguments. */
const piece = (args: string, first: boolean) => ({
  tool_calls: [
    first
      ? { index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: args } }
      : { index: 0, function: { arguments: args } },
  ],
});
const stream = (pieces: readonly string[]) => [
  chatChunk({ role: 'assistant', content: null }),
  ...pieces.map((p, i) => chatChunk(piece(p, i === 0))),
  chatChunk({}, 'tool_calls'),
  { data: '[DONE]' },
];

describe('streamed chat tool arguments: a key split between a property name and a value', () => {
  it.each([
    ['a name then its value, one delta', ['{"AKIAZ3MQWX":"R5TLPB6Y7N"}']],
    ['a name then its value, cut at the colon', ['{"AKIAZ3MQWX', '":"R5TLPB6Y7N"}']],
    ['a value then the next name, one delta', ['{"a":"AKIAZ3MQWX","R5TLPB6Y7N":1}']],
    ['a value then the next name, cut at the comma', ['{"a":"AKIAZ3MQWX",', '"R5TLPB6Y7N":1}']],
  ])('%s: never both halves to the client', async (_, pieces) => {
    const { out } = await relayScripted('openai.chat_completions', request, stream(pieces), BLOCK);
    expect(allFragmentsIn(out, HALVES)).toBe(false);
  });
  it('control: ordinary arguments in two deltas are relayed as written', async () => {
    const { out } = await relayScripted('openai.chat_completions', request, stream(['{"city":"Par', 'is"}']), BLOCK);
    expect(out).toContain('{\\"city\\":\\"Par');
    expect(out).toContain('is\\"}');
  });
});
