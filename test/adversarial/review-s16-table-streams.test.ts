// Review s16 (R4, attacker's review of session 16's changes), a table's header kept in a stream (5c607cd,
// stream-table-header.ts: the scanner keeps a column list before a context that starts at a row's opening, while the
// rows go on). 30 rows of the HR table streamed as an answer in the shapes a2a40cf reads; PROBE is the last row's SSN.
import { describe, expect, it } from 'vitest';
import { isRelayed, isStreamed } from './round9-helpers.ts';
import { COLUMNS, ROWS } from './round13-helpers.ts';

/** 30 rows: round 13's four, then the same with each SSN raised by the row's index (each a valid SSN). */
const MANY = Array.from({ length: 30 }, (_, k) =>
  (ROWS[k % 4] as string[]).map((v, i) => (i === 6 && k >= 4 ? String(Number(v) + k) : v)),
);
const PROBE = (MANY[29] as string[])[6] as string;
const named = COLUMNS.map((name) => ({ name, type: 'String' }));
const md = (r: readonly string[]) => `| ${r.join(' | ')} |`;
const FORMS: [string, string][] = [
  ['a TSV', [COLUMNS.join('\t'), ...MANY.map((r) => r.join('\t'))].join('\n')],
  ['a Markdown table', [md(COLUMNS), md(COLUMNS.map(() => '---')), ...MANY.map(md)].join('\n')],
  ["ClickHouse's meta and data", JSON.stringify({ meta: named, data: MANY })],
  ["Google Sheets' values (header row first)", JSON.stringify({ values: [COLUMNS, ...MANY] })],
  [
    "BigQuery's f/v rows",
    JSON.stringify({ schema: { fields: named }, rows: MANY.map((r) => ({ f: r.map((v) => ({ v })) })) }),
  ],
];
const DATA_FIRST = JSON.stringify({ data: MANY, columns: COLUMNS });

describe('30 rows of an HR table streamed as an answer in deltas of 3 and 7 characters', () => {
  it.each(FORMS.flatMap(([name, text]) => [3, 7].map((w) => [name, w, text] as const)))(
    'control: %s in deltas of %i has the last SSN withheld',
    async (_name, width, text) => {
      expect(await isStreamed(text, PROBE, width)).toBe(false);
    },
  );

  it('control: data before its columns in a whole answer, and in deltas of 40, has the last SSN withheld', async () => {
    expect(await isRelayed(DATA_FIRST, PROBE)).toBe(false);
    expect(await isStreamed(DATA_FIRST, PROBE, 40)).toBe(false);
  });

  // HOLE (open, src/classification/stream-table-header.ts): table-context-json.ts heads rows that come before their
  // column list (within 256 characters), but a stream releases the rows as they arrive: in deltas of 3 or 7 characters
  // the last row's SSN is released before `"columns"` arrives (deltas of 40 and 200 hold it).
  // Fix (~15 lines): while a JSON rows array is open and no column list has been read, hold its last 256 characters
  // (the waiting rows' reach) until the array closes and the 256 characters after it are read.
  it.fails.each([3, 7])('data before its columns in deltas of %i has the last SSN withheld', async (width) => {
    expect(await isStreamed(DATA_FIRST, PROBE, width)).toBe(false);
  });
});
