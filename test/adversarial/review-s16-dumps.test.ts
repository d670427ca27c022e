// Review s16 (R4, attacker's review of session 16's changes), xxd rows across lines of marks, behind a line number, in
// backticks (e3d167b, decode-der-rows.ts: up to 4 lines of marks between rows; a line number `1: ` or `1| ` before
// the offset column; a backtick among the quote marks). Each text is one of round 11's .env files (an AWS key, a
// GitHub token, an SSN) as xxd rows, one step further aside: an editor's gutter, a glued colon, zero-padded numbers,
// rows in quotes.
import { describe, expect, it } from 'vitest';
import { isForwarded } from './round9-helpers.ts';
import { xxdCharRow } from './round10-helpers.ts';
import { ENV_FILES, rowsOf } from './round11-helpers.ts';

const lines = (file: Buffer) => rowsOf(file, xxdCharRow).split('\n');
/** Whether each of the three files, its rows written by `row`, one a line, is forwarded. */
async function eachForwarded(row: (line: string, i: number) => string): Promise<boolean[]> {
  const out = [];
  for (const file of ENV_FILES) out.push(await isForwarded(lines(file).map(row).join('\n')));
  return out;
}
const NONE = [false, false, false];

describe('xxd rows one step aside from the layouts e3d167b reads', () => {
  it.each([
    ["cat -n's numbers (right-aligned, a tab)", (l: string, i: number) => `${String(i + 1).padStart(6)}\t${l}`],
    ['a line number and a bar (12| )', (l: string, i: number) => `${i + 1}| ${l}`],
    ['a markdown list item', (l: string) => `- ${l}`],
    ['a numbered markdown list', (l: string, i: number) => `${i + 1}. ${l}`],
    ['in backticks with a comma', (l: string) => `\`${l}\`,`],
    ['a line of dashes after each', (l: string) => `${l}\n# ----------------------------------------`],
  ])('control: each of the three files as rows behind %s is refused', async (_name, row) => {
    expect(await eachForwarded(row)).toEqual(NONE);
  });

  // HOLE (open, src/classification/decode-der-rows.ts pastLineNumber): the line number must be 1-6 digits not starting
  // with 0, then `:` or `|` and blanks: an editor's gutter (` 12 | `, a blank before the bar, as vim's and bat's
  // plain gutters write it), a number glued to the offset (`12:00000000: …`) and `nl -n rz`'s zero-padded numbers
  // (`001: `) are no line number, so no row reads. Fix (~6 lines): allow blanks before the mark and none after it,
  // and leading zeros when the number is followed by a mark and the offset column (an offset has no `:` after digits
  // and a blank).
  it.fails.each([
    ["an editor's gutter ( 12 | )", (l: string, i: number) => `${String(i + 1).padStart(3)} | ${l}`],
    ['a line number glued (12:)', (l: string, i: number) => `${i + 1}:${l}`],
    ['a zero-padded line number (001: )', (l: string, i: number) => `${String(i + 1).padStart(3, '0')}: ${l}`],
  ])('each of the three files as rows behind %s is refused', async (_name, row) => {
    expect(await eachForwarded(row)).toEqual(NONE);
  });

  // HOLE (open, src/classification/decode-der-rows.ts row marks): a backtick around each row is read now, double and
  // single quotes are not (rows pasted as a list of strings: `"00000000: 2320 …",`), nor a line number before a
  // backticked row. Fix (~4 lines): read `"` and `'` as a backtick (ROW_MARKS_PATTERN, dumpsOf's first-character
  // test), and try the marks after a line number.
  it.fails.each([
    ['in double quotes', (l: string) => `"${l}"`],
    ['in single quotes', (l: string) => `'${l}'`],
    ['in double quotes with a comma', (l: string) => `"${l}",`],
    ['behind a line number, in backticks', (l: string, i: number) => `${i + 1}: \`${l}\``],
  ])('each of the three files as rows %s is refused', async (_name, row) => {
    expect(await eachForwarded(row)).toEqual(NONE);
  });

  it('control: a plain file as rows in an editor gutter is forwarded', async () => {
    const plain = Buffer.from('# notes for the team\nMEETING_ROOM=fourth floor, east wing\n');
    const rows = rowsOf(plain, xxdCharRow).split('\n');
    expect(await isForwarded(rows.map((l, i) => `${String(i + 1).padStart(3)} | ${l}`).join('\n'))).toBe(true);
  });
});
