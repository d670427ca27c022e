// Review s15 (R3, attacker's review of session 15's changes), the new table forms (763808e INSERT column lists,
// 5ded028 JSON column lists and box grids) streamed as an answer. round13-table-streams shows a CSV's header lost in a
// stream after 6-10 rows; these forms are not lines under a header line (a JSON result is one line, an INSERT's names
// are inside a statement), so a fix that carries a CSV header line along does not carry theirs. 30 rows each; PROBE is
// the last row's SSN, which the answer screen redacts in the whole text.
import { describe, expect, it } from 'vitest';
import { isRelayed, isStreamed } from './round9-helpers.ts';
import { COLUMNS, ROWS } from './round13-helpers.ts';

/** 30 rows: round 13's four, then the same with each SSN raised by the row's index (each a valid SSN). */
const MANY = Array.from({ length: 30 }, (_, k) =>
  (ROWS[k % 4] as string[]).map((v, i) => (i === 6 && k >= 4 ? String(Number(v) + k) : v)),
);
const PROBE = (MANY[29] as string[])[6] as string;
const tuple = (row: readonly string[]) => `(${row.map((v, i) => (i === 0 || i === 5 ? v : `'${v}'`)).join(', ')})`;
const FORMS = [
  [
    'an INSERT with its column list',
    `INSERT INTO employees (${COLUMNS.join(', ')}) VALUES\n${MANY.map(tuple).join(',\n')};`,
  ],
  ["pandas' split JSON (one line)", JSON.stringify({ columns: COLUMNS, data: MANY })],
  ["pandas' split JSON, indented", JSON.stringify({ columns: COLUMNS, data: MANY }, null, 1)],
] as const;

describe('30 rows of an HR table as an INSERT or a JSON result, streamed as an answer', () => {
  it.each(FORMS)('control: %s in a whole answer has the last SSN redacted', async (_name, text) => {
    expect(await isRelayed(text, PROBE)).toBe(false);
  });

  // HOLE closed in src/classification/stream-table-header.ts (as round13-table-streams): the stream's view classifies
  // what it holds, and an INSERT's column list or a JSON result's "columns" fell out of it within the rows; here in
  // deltas of 40 characters too. The scanner now keeps the column list, with what leads from it to the rows, before a
  // context that starts at a row's opening, while the rows go on.
  it.each(FORMS)('%s streamed in deltas of 40 characters has the last SSN withheld', async (_name, text) => {
    expect(await isStreamed(text, PROBE, 40)).toBe(false);
  });

  it.each(FORMS)(
    'control: %s under a `ref` column, streamed in deltas of 40 characters, stays whole',
    async (_n, t) => {
      expect(await isStreamed(t.replace(/\bssn\b/, 'ref'), PROBE, 40)).toBe(true);
    },
  );
});
