// Review s15 (R3, attacker's review of session 15's changes), hex dumps one step aside from aef4176 (decode-der-rows.ts
// MAX_BLANK_LINES: up to two blank lines between two rows; a run with rows sharing an offset, a decoy of blanks beside
// each real one, read twice sorted). Each text is one of round 11's .env files (an AWS key, a GitHub token, an SSN) as
// xxd rows; a model reads a dump back at once. Controls: decoys before, after and twice at each offset, reversed with
// decoys, CRLF rows and `> ` quoted rows are refused, and the lines a dumpTexts call looks at stay linear.
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
/** Rows one step aside from a run: lines of marks between them, a line number before each, each in backticks. */
const ASIDE: Array<[string, (file: Buffer) => string]> = [
  ['three blank lines between rows', (f) => lines(f).join('\n\n\n\n')],
  ['a "# --" line between rows', (f) => lines(f).join('\n# --\n')],
  [
    'a line number before each row',
    (f) =>
      lines(f)
        .map((l, i) => `${i + 1}: ${l}`)
        .join('\n'),
  ],
  [
    'each row in backticks',
    (f) =>
      lines(f)
        .map((l) => `\`${l}\``)
        .join('\n'),
  ],
];
/** A row of spaces at `row`'s offset (its character column blank): a decoy a reader skips. */
const decoy = (row: string) => `${row.slice(0, 10)}2020 2020 2020 2020 2020 2020 2020 2020`;

describe('xxd rows one step aside from the runs decode-dumps.ts reads', () => {
  it.each([
    ['two decoys before each row', (f: Buffer) => lines(f).flatMap((l) => [decoy(l), decoy(l), l])],
    ['a decoy after each row', (f: Buffer) => lines(f).flatMap((l) => [l, decoy(l)])],
    [
      'last to first, a decoy before each',
      (f: Buffer) =>
        lines(f)
          .reverse()
          .flatMap((l) => [decoy(l), l]),
    ],
    ['CRLF line ends', (f: Buffer) => [lines(f).join('\r\n')]],
    ['quoted "> " (an e-mail reply)', (f: Buffer) => lines(f).map((l) => `> ${l}`)],
  ])('control: each of the three files as rows with %s is refused', async (_name, dump) => {
    expect(await eachForwarded((f) => dump(f).join('\n'))).toEqual(NONE);
  });

  // HOLE closed in src/classification/decode-der-rows.ts (isSkippedLine, pastLineNumber, pastMarks): a run ended at a
  // third blank line, or at any line that is not a row (a `# --` comment, as a pager or an editor's fold writes one),
  // so each row was read alone; and a row behind a line number (`1: 00000000: …`, an editor's or `nl`'s) or in
  // backticks was no row. Now up to MAX_SKIPPED_LINES lines of marks only (no letter or digit, 80 characters at most)
  // stand between two rows, a line number before the offset column and a backtick among the marks are read.
  it.each(ASIDE)('each of the three files as rows with %s is refused', async (_name, dump) => {
    expect(await eachForwarded(dump)).toEqual(NONE);
  });
});

describe('controls: the same layouts of no secret, and prose of like lines, are forwarded', () => {
  const PLAIN = Buffer.from('# notes for the team\nMEETING_ROOM=fourth floor, east wing\n');
  it.each(ASIDE)('a plain file as rows with %s is forwarded', async (_name, dump) => {
    expect(await isForwarded(dump(PLAIN))).toBe(true);
  });

  it('numbered lines of prose, notes in backticks and fold marks are forwarded', async () => {
    const prose = ['1: see the offsets below', '2: `0010` is the second row', '# --', '3: 0020: then the third'];
    expect(await isForwarded(prose.join('\n'))).toBe(true);
  });
});

describe('the work of dumpTexts on decoys and blank lines, counted', () => {
  const rows = lines(Buffer.alloc(16 * 4000, 0x41), xxdRow);
  it.each([
    ['a decoy and two blank lines after each', rows.flatMap((l) => [decoy(l), '', '', l, '', ''])],
    [
      'last to first, two decoys before each',
      rows
        .slice()
        .reverse()
        .flatMap((l) => [decoy(l), decoy(l), l]),
    ],
    ['all at one offset, a space and a tab line after each', rows.flatMap((l) => [`00000000${l.slice(8)}`, ' ', '\t'])],
    ['two halves interleaved', rows.map((_, i) => rows[i % 2 ? 2000 + (i >> 1) : i >> 1] as string)],
    ['four "# --" lines after each', rows.flatMap((l) => [l, '# --', '# --', '# --', '# --'])],
    ['a line number before each, last to first', rows.map((l, i) => `${i + 1}: ${l}`).reverse()],
    ['each in backticks, five fold marks after each', rows.flatMap((l) => [`\`${l}\``, ...Array(5).fill('# --')])],
  ])('control: 4,000 rows with %s are looked at no more than twice a line', (_name, layout) => {
    const work: DumpWork = { lines: 0 };
    dumpTexts(layout.join('\n'), ' ', work);
    expect(work.lines).toBeLessThanOrEqual(2 * layout.length + 1);
  });
});
