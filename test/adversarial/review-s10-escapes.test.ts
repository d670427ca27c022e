// Review s10 (R1, after 9094a49 / d7e8dbb): a character the main view drops, written as any escape the decoder knows
// (decode-escapes.ts) or as UTF-8 bytes escaped one by one, between the digit groups of an SSN in chat tool-call
// arguments, is a separator of the digits view; a run of them counts decoded characters, not escape characters.
// Through the real classifier and the recording pipeline (what is forwarded upstream).
import { describe, expect, it } from 'vitest';
import { chatToolRequest } from './fixtures.ts';
import { CHAT, forwarded } from './round7-helpers.ts';

const args = (note: string) => chatToolRequest(`{"note":"${note}"}`);
const refused = async (note: string) => (await forwarded(CHAT, args(note))) === '';
const ssn = (sep: string) => `ssn 219${sep}09${sep}9999`;

describe('digit-separators.ts: every escape of a dropped character between digit groups is a separator', () => {
  const spellings: [string, string][] = [
    ['\\U0000200b', String.raw`\U0000200b`],
    ['\\u{200b}', String.raw`\u{200b}`],
    ['&#8203;', '&#8203;'],
    ['&#x200b;', '&#x200b;'],
    ['%E2%80%8B', '%E2%80%8B'],
    ['\\xe2\\x80\\x8b', String.raw`\xe2\x80\x8b`],
    ['nine \\u200b in a row', String.raw`\u200b`.repeat(9)],
  ];
  for (const [name, sep] of spellings) {
    it(`an SSN split by ${name} after "ssn" in chat arguments is refused`, async () => {
      expect(await refused(ssn(sep))).toBe(true);
    });
  }
  it('control: escapes of a space (&#32;, %20) between the groups are read as spaces: refused', async () => {
    expect(await refused(ssn('&#32;'))).toBe(true);
    expect(await refused(ssn('%20'))).toBe(true);
    expect(await refused(ssn(' '))).toBe(true);
  });
  it('control: escapes of characters that are no separator (&amp;, %2C) keep the groups apart, as the characters do', async () => {
    expect(await refused(ssn('&amp;'))).toBe(await refused(ssn('&')));
    expect(await refused(ssn('%2C'))).toBe(await refused(ssn(',')));
    expect(await refused(ssn('&amp;'))).toBe(false);
  });
  it('control: nine visible separators escaped (nine &#32;) are past the run limit, as nine spaces are', async () => {
    expect(await refused(ssn('&#32;'.repeat(9)))).toBe(await refused(ssn(' '.repeat(9))));
  });
});
