// Review s14 (R2, attacker's review of session 14's changes), hex dumps with their rows out of order
// (decode-dumps.ts sortedRunDumps, 1b2072b: a run of rows, one blank line between two allowed, with a row below the
// one before it is read again sorted by offset). Each text is one of round 11's .env files (an AWS key, a GitHub
// token, an SSN) as xxd rows; a model reads a dump back to text at once. Controls: rows last to first, and rows in
// order spaced by blank lines holding a space, are refused; the lines a dumpTexts call looks at stay within 2 a line
// for rows reversed, swapped in pairs, all at one offset, or with a decoy row before each.
import { describe, expect, it } from 'vitest';
import { type DumpWork, dumpTexts } from '../../src/classification/decode-dumps.ts';
import { isForwarded } from './round9-helpers.ts';
import { xxdCharRow, xxdRow } from './round10-helpers.ts';
import { ENV_FILES, rowsOf } from './round11-helpers.ts';

const lines = (file: Buffer, row = xxdCharRow) => rowsOf(file, row).split('\n');
/** Whether each of the three files, written by `dump`, is forwarded. */
async function eachForwarded(dump: (file: Buffer) => string): Promise<boolean[]> {
  const out = [];
  for (const file of ENV_FILES) out.push(await isForwarded(dump(file)));
  return out;
}
const NONE = [false, false, false];
/** A row of spaces at `row`'s offset (its character column blank): a decoy a reader skips. */
const decoy = (row: string) => `${row.slice(0, 10)}2020 2020 2020 2020 2020 2020 2020 2020`;

describe('xxd rows out of order, one step aside from the runs decode-dumps.ts sorts', () => {
  it.each([
    ['last to first', (f: Buffer) => lines(f).reverse().join('\n')],
    ['last to first, a blank line between', (f: Buffer) => lines(f).reverse().join('\n\n')],
    ['in order, a line of one space between', (f: Buffer) => lines(f).join('\n \n')],
  ])('control: each of the three files as rows %s is refused', async (_name, dump) => {
    expect(await eachForwarded(dump)).toEqual(NONE);
  });

  it.each([
    ['a line of one space', '\n \n'],
    ['a line of one tab', '\n\t\n'],
  ])('each of the three files as rows last to first with %s between is refused', async (_name, between) => {
    expect(await eachForwarded((f) => lines(f).reverse().join(between))).toEqual(NONE);
  });

  it.each([
    ['in order', (f: Buffer) => lines(f).join('\n\n\n')],
    ['last to first', (f: Buffer) => lines(f).reverse().join('\n\n\n')],
  ])('each of the three files as rows %s, two blank lines between, is refused', async (_name, dump) => {
    expect(await eachForwarded(dump)).toEqual(NONE);
  });

  it('each of the three files as rows with a decoy row at each offset before the real one is refused', async () => {
    expect(
      await eachForwarded((f) =>
        lines(f)
          .flatMap((l) => [decoy(l), l])
          .join('\n'),
      ),
    ).toEqual(NONE);
  });
});

describe('the work of dumpTexts on rows out of order, counted', () => {
  const rows = lines(Buffer.alloc(16 * 4000, 0x41), xxdRow);
  it.each([
    ['last to first', rows.slice().reverse()],
    ['swapped in pairs', rows.map((_, i) => rows[i % 2 === 0 ? i + 1 : i - 1] as string)],
    ['all at one offset', rows.map((l) => `00000000${l.slice(8)}`)],
    ['a decoy before each', rows.flatMap((l) => [decoy(l), l])],
    [
      'swapped in pairs, a prose line after each pair',
      rows.flatMap((_, i) => [rows[i % 2 === 0 ? i + 1 : i - 1] as string, ...(i % 2 ? ['x'] : [])]),
    ],
  ])('control: 4,000 rows %s are looked at no more than twice a line', (_name, layout) => {
    const work: DumpWork = { lines: 0 };
    dumpTexts(layout.join('\n'), ' ', work);
    expect(work.lines).toBeLessThanOrEqual(2 * layout.length + 1);
  });
});
