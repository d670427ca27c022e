// Round 9 of the attacker's review (session 11), the digits view's edges (digit-separators.ts, session 10): a run of
// escapes of dropped characters between digit groups is a separator when it is at most 64 characters written out; a
// whole list of 9-19 single digits is one number only when no other item stands before or after it; a run of 1-3-digit
// groups is a card regrouped only when one kind of separator splits it. Each edge is one step away from a value a
// model reads at once: eleven `\u200b` (66 characters, invisible once decoded) between an SSN's groups, a `null` or
// `0` item beside the digits, a card in pairs split by spaces and dashes. Controls: one step back is refused.
import { describe, expect, it } from 'vitest';
import { chatAnswer } from './fixtures.ts';
import { CHAT, screened } from './round7-helpers.ts';
import { fates, isForwarded, OPEN, RULES } from './round9-helpers.ts';

/** An SSN whose groups are split by `n` escapes `written` of a dropped character. */
const escapedSsn = (written: string, n: number) => `219${written.repeat(n)}09${written.repeat(n)}9999`;
/** Tool-call arguments holding `text` (JSON escapes as they stand) in a note, as a JSON text. */
const argsOf = (text: string) => `{"note":"${text}"}`;
/** Whether a chat answer calling `f` with `args` reaches the client with its `probe`. */
async function relayedArgs(args: string, probe: string) {
  const call = { id: 'call_1', type: 'function', function: { name: 'f', arguments: args } };
  const answer = chatAnswer({}, { role: 'assistant', content: null, tool_calls: [call] }, 'tool_calls');
  return (await screened(CHAT, answer, RULES)).includes(probe);
}

describe('escapes of a dropped character between digit groups past 64 characters written out', () => {
  // Closed: a run counts the characters its escapes name, and escapes of dropped characters are not bounded by their
  // length written out (digit-separators.ts MAX_SEPARATOR_RAW).
  it('an SSN split by eleven \\u200b escapes in tool-call arguments is neither forwarded nor relayed', async () => {
    const args = argsOf(`ssn ${escapedSsn(String.raw`\u200b`, 11)}`);
    expect({ forwarded: await isForwarded(args, true), relayed: await relayedArgs(args, '9999') }).toEqual({
      forwarded: false,
      relayed: false,
    });
  });
  it('an SSN split by eleven &#8203; in a message or an answer is neither forwarded nor relayed', async () => {
    expect(await fates(`ssn ${escapedSsn('&#8203;', 11)}`, '9999')).toEqual({
      forwarded: false,
      relayed: false,
      streamed: false,
    });
  });
  it('control: ten \\u200b escapes (60 characters) are refused and not relayed', async () => {
    const args = argsOf(`ssn ${escapedSsn(String.raw`\u200b`, 10)}`);
    expect({ forwarded: await isForwarded(args, true), relayed: await relayedArgs(args, '9999') }).toEqual({
      forwarded: false,
      relayed: false,
    });
  });
});

describe('a whole list of single digits with one more item', () => {
  // Closed (digit-separators.ts spacedRun, listed-windows.ts): a list of single digits that is no number whole is read
  // in windows next to a word of the value's type, each window a validator accepts.
  it.each([
    ['an SSN with a trailing null in a JSON text', JSON.stringify({ ssn: [2, 1, 9, 0, 9, 9, 9, 9, 9, null] }), '9,9'],
    ['a card with a trailing 0.5', 'card [4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.5]', '1, 1'],
    ['an SSN after a 0 item', 'ssn [0, 2, 1, 9, 0, 9, 9, 9, 9, 9]', '9, 9'],
  ])('%s is neither forwarded nor relayed', async (_name, text, probe) => {
    expect({ forwarded: await isForwarded(text), relayed: (await fates(text, probe)).relayed }).toEqual({
      forwarded: false,
      relayed: false,
    });
  });
  it('control: the same lists without the extra item are refused', async () => {
    for (const text of [
      JSON.stringify({ ssn: [2, 1, 9, 0, 9, 9, 9, 9, 9] }),
      'card [4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]',
    ]) {
      expect(await isForwarded(text)).toBe(false);
    }
  });
});

describe('a card in groups of 1-3 digits split by spaces and dashes', () => {
  // Closed (mixed-separators.ts mixedShortGroupCards): whitespace and dashes mixed between groups of 1-3 digits are
  // read as a card when a window of the groups is one (13-19 digits, an issuer range and Luhn).
  it.each([
    ['pairs', 'card 41 11-11 11 11-11 11 11'],
    ['threes and a one', 'card 411 111-111 111-111 1'],
  ])('%s: neither forwarded, relayed nor streamed', async (_name, text) => {
    expect(await fates(text, text.slice(-5))).toEqual({ forwarded: false, relayed: false, streamed: false });
  });
  it('control: pairs split by spaces alone, or by dashes alone, are refused and redacted', async () => {
    for (const text of ['card 41 11 11 11 11 11 11 11', 'card 41-11-11-11-11-11-11-11']) {
      expect(await fates(text, text.slice(-5))).toEqual({ forwarded: false, relayed: false, streamed: false });
    }
  });
  it('control: the same groups that are no card (Luhn fails) are forwarded, relayed and streamed whole', async () => {
    expect(await fates('card 41 11-11 11 11-11 11 12', '11 12')).toEqual(OPEN);
  });
});
