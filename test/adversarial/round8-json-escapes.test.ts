// Round 8 of the attacker's review (session 10), JSON string escapes inside a JSON text: tool-call arguments are a
// string holding JSON (chat `function.arguments`, a Responses `function_call`'s `arguments`, in requests and answers),
// read as text. `\uXXXX` escapes there are decoded (decode-escapes.ts), but the short escapes `\n`, `\t`, `\r` are
// read as the letters `n`, `t`, `r`, so a value whose groups the tool (and the model) read split by a line break or
// a tab has a letter between its groups in every view, and no recognizer takes a letter as a group separator.
// Controls: the same values with a real line break or tab in a message, and written with `\u002d`, are refused.
import { describe, expect, it } from 'vitest';
import { chatAnswer, chatToolRequest, prompt } from './fixtures.ts';
import { recordingPipeline } from './recording-pipeline.ts';
import { CHAT, forwarded, screened } from './round7-helpers.ts';

/** A value with its groups split by a JSON escape (the tool reads a control character), and its context word. */
const ESCAPED: readonly (readonly [string, string, string])[] = [
  ['an SSN split by \\n', 'ssn', String.raw`219\n09\n9999`],
  ['a card split by \\t', 'card', String.raw`4111\t1111\t1111\t1111`],
  ['a card split by \\r\\n', 'card', String.raw`4111\r\n1111\r\n1111\r\n1111`],
];
/** Tool-call arguments holding `value` after its context word, as a JSON text. */
const argsOf = (word: string, value: string) => `{"note":"${word} ${value}"}`;

/** A Responses request whose input holds a function call with `args` and its output. */
const responsesCall = (args: string) => ({
  model: 'echo-1',
  input: [
    { role: 'user', content: 'hi' },
    { type: 'function_call', call_id: 'c1', name: 'f', arguments: args },
    { type: 'function_call_output', call_id: 'c1', output: 'ok' },
  ],
});

async function sentResponses(body: unknown): Promise<string> {
  const { handler, sent } = await recordingPipeline();
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  await handler.handle({ requestId: 'r8', api: 'openai.responses', headers: {}, body: bytes });
  return sent.join('\n');
}

/** The escaped value as it stands inside a JSON-encoded body (backslashes doubled). */
const inBody = (value: string) => JSON.stringify(value).slice(1, -1);
const RULES = { redact: ['US_SSN', 'CREDIT_CARD'], block: [] };

describe('a value split by a JSON escape inside tool-call arguments', () => {
  // Closed (session 10): the digits view reads a backslash escape naming whitespace (`\n` `\t` `\r` `\f` `\v`)
  // between digits as that whitespace (digit-separators.ts separatorWidth), in every text: a JSON text's strings, a
  // stream's held text, an answer's arguments.
  it.each(ESCAPED)('%s in chat arguments is refused', async (_name, word, value) => {
    expect(await forwarded(CHAT, chatToolRequest(argsOf(word, value)))).toBe('');
  });
  it.each(ESCAPED)('%s in a Responses function call is refused', async (_name, word, value) => {
    expect(await sentResponses(responsesCall(argsOf(word, value)))).toBe('');
  });
  it.each(ESCAPED)('%s in a chat answer’s tool call is not relayed', async (_name, word, value) => {
    const args = argsOf(word, value);
    const answer = chatAnswer(
      {},
      { content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: args } }] },
      'tool_calls',
    );
    expect(await screened(CHAT, answer, RULES)).not.toContain(inBody(value));
  });
  it.each(ESCAPED)('%s in a Responses answer’s function call is not relayed', async (_name, word, value) => {
    const args = argsOf(word, value);
    const answer = {
      id: 'resp_1',
      object: 'response',
      created_at: 0,
      status: 'completed',
      model: 'm',
      output: [{ type: 'function_call', id: 'fc_1', call_id: 'c1', name: 'f', arguments: args, status: 'completed' }],
    };
    expect(await screened('openai.responses', answer, RULES)).not.toContain(inBody(value));
  });
  it('control: a real line break or tab in a message, `\\u002d` or dashes in arguments, are refused', async () => {
    expect(await forwarded(CHAT, prompt('ssn 219\n09\n9999'))).toBe('');
    expect(await forwarded(CHAT, prompt('card 4111\t1111\t1111\t1111'))).toBe('');
    expect(await forwarded(CHAT, chatToolRequest(String.raw`{"note":"ssn 219\u002d09\u002d9999"}`))).toBe('');
    expect(await sentResponses(responsesCall('{"note":"card 4111-1111-1111-1111"}'))).toBe('');
  });
});
