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

  // HOLE closed in src/classification/decode-der-rows.ts pastLineNumber: the line number had to be 1-6 digits not
  // starting with 0, then `:` or `|` and blanks: an editor's gutter (` 12 | `), a number glued to the offset
  // (`12:00000000: …`) and `nl -n rz`'s zero-padded numbers (`001: `) read no row. Now up to 2 blanks before the mark
  // (`:`, `|`, `│`), none needed after it, leading zeros before a mark (rowAt reads the row without a number first).
  it.each([
    ["an editor's gutter ( 12 | )", (l: string, i: number) => `${String(i + 1).padStart(3)} | ${l}`],
    ['a line number glued (12:)', (l: string, i: number) => `${i + 1}:${l}`],
    ['a zero-padded line number (001: )', (l: string, i: number) => `${String(i + 1).padStart(3, '0')}: ${l}`],
    ['a box-drawing gutter (  12│ )', (l: string, i: number) => `${String(i + 1).padStart(4)}│ ${l}`],
    ["vim's number column (  12 )", (l: string, i: number) => `${String(i + 1).padStart(3)} ${l}`],
    ['a six-digit gutter (100012 | )', (l: string, i: number) => `${100012 + i} | ${l}`],
    ['a zero-padded number and a bar (0012|)', (l: string, i: number) => `${String(i + 12).padStart(4, '0')}|${l}`],
  ])('each of the three files as rows behind %s is refused', async (_name, row) => {
    expect(await eachForwarded(row)).toEqual(NONE);
  });

  // HOLE closed in src/classification/decode-der-rows.ts pastMarks/rowAt, decode-dumps.ts dumpsOf: a backtick around
  // each row was read, double and single quotes were not (rows as a list of strings: `"00000000: 2320 …",`), nor a
  // line number before a backticked row. Now `"` and `'` are read as a backtick, and the marks after a line number.
  it.each([
    ['in double quotes', (l: string) => `"${l}"`],
    ['in single quotes', (l: string) => `'${l}'`],
    ['in double quotes with a comma', (l: string) => `"${l}",`],
    ['behind a line number, in backticks', (l: string, i: number) => `${i + 1}: \`${l}\``],
    ['indented in a Python list of strings', (l: string) => `    '${l}',`],
    [
      'behind a gutter, in double quotes with a comma',
      (l: string, i: number) => `${String(i + 1).padStart(3)} | "${l}",`,
    ],
  ])('each of the three files as rows %s is refused', async (_name, row) => {
    expect(await eachForwarded(row)).toEqual(NONE);
  });

  it('control: a plain file as rows in an editor gutter is forwarded', async () => {
    const plain = Buffer.from('# notes for the team\nMEETING_ROOM=fourth floor, east wing\n');
    const rows = rowsOf(plain, xxdCharRow).split('\n');
    expect(await isForwarded(rows.map((l, i) => `${String(i + 1).padStart(3)} | ${l}`).join('\n'))).toBe(true);
  });

  const plainRows = rowsOf(Buffer.from('# notes for the team\nMEETING_ROOM=fourth floor, east wing\n'), xxdCharRow);
  it.each([
    ['in double quotes with a comma', (l: string) => `"${l}",`],
    ["behind nl's zero-padded numbers", (l: string, i: number) => `${String(i + 1).padStart(6, '0')}: ${l}`],
  ])('control: a plain file as rows %s is forwarded', async (_name, row) => {
    expect(await isForwarded(plainRows.split('\n').map(row).join('\n'))).toBe(true);
  });

  it('control: a table behind an editor gutter, hex ids in its first column, is forwarded', async () => {
    const rows = ['0a1f | apples  | 12', '0b2e | pears   | 7', '0c3d | plums   | 31', '0d4c | cherries | 4'];
    expect(await isForwarded(rows.map((r, i) => `${String(i + 1).padStart(3)} | ${r}`).join('\n'))).toBe(true);
  });

  it('control: a numbered list of words and a Python list of quoted words are forwarded', async () => {
    expect(await isForwarded(['1: apples and pears', '2: plums', '3: cherries'].join('\n'))).toBe(true);
    expect(await isForwarded(["    'dead beef cafe',", "    'face feed 0000',", "    'abba 1234',"].join('\n'))).toBe(
      true,
    );
  });
});
