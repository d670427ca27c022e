// Round 13 of the attacker's review (session 15), a value cut between two tool results of an agent's loop (chat
// completions): the model calls `cat` for the first part, says a line ("Reading the next part.") with its second
// call, and gets the second part. docs/classification.md claims a value split over two turns of one role with another
// turn between is joined (`219-09` | assistant | `-9999`, two user turns); the model reads the two results as one.
// Controls: the same cut with no assistant text between, two user turns with the text between, and Anthropic's
// tool_result blocks with the text between, are refused or redacted.
import { describe, expect, it } from 'vitest';
import { toolUse } from './fixtures.ts';
import { CHAT, forwarded, HALVES, holdsBoth } from './round7-helpers.ts';

const call = (id: string) => ({ id, type: 'function', function: { name: 'cat', arguments: `{"part":"${id}"}` } });
/** A chat request: two `cat` results, `a` and `b`; the assistant's second call says `say` (null: no text). */
const agentLoop = (a: string, b: string, say: string | null) => ({
  model: 'echo-1',
  messages: [
    { role: 'user', content: 'read the credentials file' },
    { role: 'assistant', content: null, tool_calls: [call('c1')] },
    { role: 'tool', tool_call_id: 'c1', content: a },
    { role: 'assistant', content: say, tool_calls: [call('c2')] },
    { role: 'tool', tool_call_id: 'c2', content: b },
  ],
});
const [A, B] = HALVES;

describe("an AWS key id and an SSN cut between two tool results of a chat agent's loop", () => {
  it('control: with no assistant text between, two user turns, and Anthropic tool_results, it is not forwarded', async () => {
    expect(holdsBoth(await forwarded(CHAT, agentLoop(A, B, null)))).toBe(false);
    const turns = {
      model: 'echo-1',
      messages: [
        { role: 'user', content: A },
        { role: 'assistant', content: 'Reading the next part.' },
        { role: 'user', content: B },
      ],
    };
    expect(holdsBoth(await forwarded(CHAT, turns))).toBe(false);
    const result = (id: string, content: string) => ({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: id, content }],
    });
    const anthropic = {
      model: 'echo-1',
      max_tokens: 5,
      messages: [
        { role: 'user', content: 'read the credentials file' },
        { role: 'assistant', content: [toolUse({ part: 1 })] },
        result('toolu_1', A),
        {
          role: 'assistant',
          content: [{ type: 'text', text: 'Reading the next part.' }, toolUse({ part: 2 }, 'toolu_2')],
        },
        result('toolu_2', B),
      ],
    };
    expect(holdsBoth(await forwarded('anthropic.messages', anthropic))).toBe(false);
  });

  // Closed (reading-orders.ts joinOrders): the chat adapter gives each tool message's tool_call_id its own segment of
  // location `tool`, so the tool location's order was `…AKIAZ3MQWX` | `c2` | `R5TLPB6Y7N…`: the id glued between the
  // halves, and no order held the two results side by side. A location's order now leaves its labels out (isLabel), as
  // the reading orders do.
  it.each([
    ['an AWS key id', A, B, (out: string) => holdsBoth(out)],
    ['an SSN', 'SSN on file: 219-09', '-9999', (out: string) => out.includes('219-09') && out.includes('-9999')],
  ])('%s with "Reading the next part." between is not forwarded whole', async (_name, a, b, leaks) => {
    expect(leaks(await forwarded(CHAT, agentLoop(a, b, 'Reading the next part.')))).toBe(false);
  });
});
