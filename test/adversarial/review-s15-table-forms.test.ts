// Review s15 (R3, attacker's review of session 15's changes), table forms one step aside from 5ded028 (box-drawn grids,
// HTML first rows) and 4711274 (a CSV block of three columns or more passes one row unlike the others when a row like
// the others follows). Each text is round 13's HR table (an `ssn` column of bare nine-digit SSNs, named once, in the
// header); the second person's SSN (PROBE) is in its own row only. A retained model's request has its SSNs redacted:
// PROBE reaching the upstream means the header did not reach the row.
import { describe, expect, it } from 'vitest';
import { COLUMNS, messagesHold, ROWS } from './round13-helpers.ts';

const WIDTHS = COLUMNS.map((c, i) => Math.max(c.length, ...ROWS.map((r) => (r[i] as string).length)));
/** A row as space-aligned cells, two blanks apart. */
const aligned = (row: readonly string[]) => row.map((v, i) => v.padEnd(WIDTHS[i] as number)).join('  ');
/** A row as grid cells between `bar`s. */
const grid = (row: readonly string[], bar: string) =>
  `${bar} ${row.map((v, i) => v.padEnd(WIDTHS[i] as number)).join(` ${bar} `)} ${bar}`;
const rule = (line: string, cross: string) => `${cross}${WIDTHS.map((w) => line.repeat(w + 2)).join(cross)}${cross}`;
const [FIRST, PROBED, THIRD, FOURTH] = ROWS as [string[], string[], string[], string[]];
/** A CSV row without its last cell (a short row: the SSN not yet known). */
const short = (row: readonly string[]) => row.slice(0, -1).join(',');
const csv = (rows: readonly string[]) => [COLUMNS.join(','), ...rows].join('\n');
/** reStructuredText's simple table: `=` rules above and under the header and under the last row. */
const RULE = WIDTHS.map((w) => '='.repeat(w)).join('  ');

describe('an HR table one step aside from the forms table-context.ts reads', () => {
  it.each([
    [
      'CSV, one short row before the probed one',
      csv([short(FIRST), PROBED.join(','), THIRD.join(','), FOURTH.join(',')]),
    ],
    [
      "reStructuredText's grid table",
      [rule('-', '+'), grid(COLUMNS, '|'), rule('=', '+'), ...ROWS.map((r) => grid(r, '|'))].join('\n'),
    ],
    [
      'an org-mode table',
      [
        grid(COLUMNS, '|'),
        `|${WIDTHS.map((w) => '-'.repeat(w + 2)).join('+')}|`,
        ...ROWS.map((r) => grid(r, '|')),
      ].join('\n'),
    ],
  ])('control: %s has its SSNs redacted', async (_name, text) => {
    expect(await messagesHold([text])).toBe(false);
  });

  it('CSV, two short rows before the probed one, has its SSNs redacted', async () => {
    expect(await messagesHold([csv([short(FIRST), short(THIRD), PROBED.join(','), FOURTH.join(',')])])).toBe(false);
  });

  it("reStructuredText's simple table has its SSNs redacted", async () => {
    expect(await messagesHold([[RULE, aligned(COLUMNS), RULE, ...ROWS.map(aligned), RULE].join('\n')])).toBe(false);
  });
});
