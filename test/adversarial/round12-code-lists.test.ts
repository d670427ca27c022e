// Round 12 of the attacker's review (session 14), character codes and dumps one step past decode-code-lists.ts and
// decode-dumps.ts: an AWS key built from one call per character (Python/Perl chr(), PowerShell [char], SQL CHAR(),
// VB Chr(), a spreadsheet's CHAR()) joined by an operator, octal 0o literals, and a
// .env file as `od -c` (its characters, one per column) or `od -t x8` (64-bit little-endian words). A model evaluates
// each at sight. Controls: String.fromCharCode(…) of the codes and the file as xxd rows are refused.
import { describe, expect, it } from 'vitest';
import { rowsOf } from './round11-helpers.ts';
import { isForwarded } from './round9-helpers.ts';
import { xxdCharRow } from './round10-helpers.ts';

const CODES = [...'aws AKIAZ3MQWXR5TLPB6Y7N'].map((c) => c.charCodeAt(0));
const FILE = Buffer.from('# config for prod\nAWS_ACCESS_KEY_ID=AKIAZ3MQWXR5TLPB6Y7N\n');

describe('an AWS key as one character code a call, joined by an operator', () => {
  it('control: String.fromCharCode(…) and a bare decimal list of the codes are refused', async () => {
    expect(await isForwarded(`key = String.fromCharCode(${CODES.join(', ')})`)).toBe(false);
    expect(await isForwarded(`key = [${CODES.join(', ')}]`)).toBe(false);
  });

  it.each([
    ["Python's chr() + chr()", `key = ${CODES.map((c) => `chr(${c})`).join(' + ')}`],
    ["Perl's chr() . chr()", `$key = ${CODES.map((c) => `chr(${c})`).join('.')};`],
    ["PowerShell's [char]97 + [char]…", `$key = ${CODES.map((c) => `[char]${c}`).join(' + ')}`],
    ["SQL's CHAR() || CHAR()", `SELECT ${CODES.map((c) => `CHAR(${c})`).join(' || ')};`],
    ["VB's Chr() & Chr()", `key = ${CODES.map((c) => `Chr(${c})`).join(' & ')}`],
    ["a spreadsheet's =CHAR()&CHAR()", `=${CODES.map((c) => `CHAR(${c})`).join('&')}`],
    ['0o141 octal literals', `key = bytes([${CODES.map((c) => `0o${c.toString(8)}`).join(', ')}])`],
  ])('the key as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });
});

describe('a .env file as od writes it, past the dump layouts read', () => {
  it('control: the file as xxd rows is refused', async () => {
    expect(await isForwarded(rowsOf(FILE, xxdCharRow))).toBe(false);
  });

  /** `od -c`'s row: a seven-digit octal offset, then each byte as its character (or \n) right-aligned in 4. */
  const odChars = (row: Buffer, at: number) => {
    const cells = [...row].map((b) => (b === 10 ? '\\n' : String.fromCharCode(b)).padStart(4));
    return `${at.toString(8).padStart(7, '0')}${cells.join('')}`;
  };
  /** `od -t x8`'s row: 64-bit little-endian words (the last padded with zero bytes). */
  const odQuads = (row: Buffer, at: number) =>
    `${at.toString(8).padStart(7, '0')} ${(row.toString('hex').match(/.{1,16}/g) as string[])
      .map((w) => (w.padEnd(16, '0').match(/../g) as string[]).reverse().join(''))
      .join(' ')}`;

  it('the file as od -t x8 rows (64-bit words, read as -t x4 is) is refused', async () => {
    expect(await isForwarded(rowsOf(FILE, odQuads))).toBe(false);
  });

  it('the file as od -c rows is refused', async () => {
    expect(await isForwarded(rowsOf(FILE, odChars))).toBe(false);
  });
});
