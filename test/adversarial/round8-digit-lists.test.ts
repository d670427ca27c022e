// Round 8 of the attacker's review (session 10), a value written as a list of its single digits split by commas. The
// digits view reads spaced single digits as one number (`4 1 1 1 …`, digit-runs.ts MIN_SPACED_DIGITS), and a
// parsed JSON value's lists are read as a card's groups (number-lists.ts: an Anthropic tool input `{"n":[4,1,1,…]}`
// is refused), but the same list written as text, in a message or in a JSON text (chat or Responses tool-call
// arguments, an answer's), is no number for any view: one digit a group is no card layout, and `,` joins no
// single digits. Controls: the spaced digits and the parsed list are refused.
import { describe, expect, it } from 'vitest';
import { anthropicToolRequest, chatAnswer, chatToolRequest, prompt } from './fixtures.ts';
import { CHAT, forwarded, screened } from './round7-helpers.ts';

const CARD = [...'4111111111111111'].map(Number);
const SSN = [2, 1, 9, 0, 9, 9, 9, 9, 9];

describe('a card or SSN as a list of its digits', () => {
  // Closed (session 10): a run of single digits split by list item separators (`4,1,1`, `[4, 1, …]`, `["4","1",…]`,
  // `[[4,1,1,1],[1,1,1,1],…]`) is read as one number when it is a whole list of 9-19 digits (digit-runs.ts
  // spacedRun), and a parsed value's list of short items is read whole with its member name (item-lists.ts).
  it.each([
    ['a message, comma-split', prompt(`card ${CARD.join(',')}`)],
    ['a message, as a JSON array', prompt(`card ${JSON.stringify(CARD)}`)],
    ['chat tool-call arguments', chatToolRequest(JSON.stringify({ card: CARD }))],
    ['a message, an SSN comma-split', prompt(`ssn ${SSN.join(', ')}`)],
  ])('in %s it is refused', async (_name, body) => {
    expect(await forwarded(CHAT, body)).toBe('');
  });
  it('an SSN in an Anthropic tool input as a list of its digits is refused', async () => {
    expect(await forwarded('anthropic.messages', anthropicToolRequest({ ssn: SSN }))).toBe('');
  });
  it('a card in a chat answer’s tool-call arguments as a list of its digits is not relayed', async () => {
    const args = JSON.stringify({ card: CARD });
    const answer = chatAnswer(
      {},
      { content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: args } }] },
      'tool_calls',
    );
    const relayed = await screened(CHAT, answer, { redact: ['CREDIT_CARD'], block: [] });
    expect(relayed).not.toContain(CARD.join(','));
  });
  it('control: the digits spaced, and the card’s digits as a parsed Anthropic tool input, are refused', async () => {
    expect(await forwarded(CHAT, prompt(`card ${CARD.join(' ')}`))).toBe('');
    expect(await forwarded(CHAT, prompt(`ssn ${SSN.join(' ')}`))).toBe('');
    expect(await forwarded('anthropic.messages', anthropicToolRequest({ card: CARD }))).toBe('');
  });
});
