// Round 13 of the attacker's review (session 15), two everyday ways code prints a secret's characters that the decoded
// runs (decode.ts, decode-code-lists.ts) miss beside forms they read: a hex literal with its `0x` prefix (MySQL's and
// SQL Server's `SELECT 0x414B…`, a C/Rust/Solidity constant, Ethereum calldata) and Python's repr of a string's
// characters (`list(key)` prints `['A', 'K', 'I', …]`, single-quoted). A model reads both as the text they spell.
// Controls: the bare hex, SQL's X'…' and a JSON array of the characters (double quotes) are refused.
import { describe, expect, it } from 'vitest';
import { upstreamHolds } from './round10-helpers.ts';
import { AWS, GH } from './round7-helpers.ts';
import { isForwarded } from './round9-helpers.ts';

const KEY = AWS.value;
const HEX = Buffer.from(KEY).toString('hex');
/** `value`'s characters as a list of one-character literals quoted by `quote`, as Python or JSON prints them. */
const chars = (value: string, quote: string) => `[${[...value].map((c) => `${quote}${c}${quote}`).join(', ')}]`;

describe('an AWS key id as a 0x hex literal', () => {
  it("control: the bare hex and SQL's X'…' literal are refused", async () => {
    expect(await isForwarded(`SELECT ${HEX.toUpperCase()};`)).toBe(false);
    expect(await isForwarded(`SELECT X'${HEX.toUpperCase()}';`)).toBe(false);
  });

  // Closed (decode-code-lists.ts hexLiteralRuns): `0x414b…` is one run of the base64 alphabet (`0`, `x` and hex digits
  // all are), read as hex only when every character is a hex digit; a hex literal of 8 bytes or more after `0x` or `\x`
  // is now read as its bytes, each stretch of 8 or more bytes of text in it.
  it.each([
    ["MySQL's SELECT 0x…", `SELECT 0x${HEX.toUpperCase()};`],
    ["a transaction's calldata", `"input": "0x${HEX}"`],
  ])('the key id as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });
});

describe("a value's characters as Python prints list(value)", () => {
  it('control: a JSON array of the characters (double quotes) is refused', async () => {
    expect(await isForwarded(chars(KEY, '"'))).toBe(false);
  });

  // Closed (decode-code-lists.ts charLiteralRuns): 8 or more one-character literals quoted alike (`'` or `"`) and apart
  // by one `,` with any whitespace are read as the characters they hold, each mapped to itself.
  it.each([
    ['an AWS key id', chars(KEY, "'"), chars(KEY, "'")],
    ['a GitHub token', chars(GH.value, "'"), "'x', 'b', 'a', 'b'"],
    ['an SSN', `ssn chars: ${chars('219-09-9999', "'")}`, "'9', '-', '9', '9'"],
  ])('%s as a list of characters is refused or redacted', async (_name, text, probe) => {
    expect(await upstreamHolds(text, probe)).toBe(false);
  });
});
