// An SQL INSERT's column list as its values' header (table-context-sql.ts): pg_dump --column-inserts (a row a
// statement) and mysqldump --complete-insert (all rows in one) put a bare nine-digit value under `ssn` by index.
// Controls: an INSERT without a column list, other columns, an unclosed list; the work stays linear.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { headerOfCell } from '../../../src/classification/table-context.ts';
import { type SqlWork, sqlCells } from '../../../src/classification/table-context-sql.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(5) });
const ssns = (text: string) =>
  classifier
    .classify([{ path: 'p', text }])
    .findings.filter((f) => f.type === 'US_SSN')
    .map((f) => text.slice(f.start, f.end));

const COLUMNS = ['id', 'name', 'address', 'ssn', 'employee_no'];
const ROWS = [
  ['1', "O''Brien, Pat", '12 Long Road, Springfield, a long way from the header', '219099999', '471209384'],
  ['2', 'Maria Garcia', '48 Other Street, Shelbyville, a long way from the header', '536221234', '562830192'],
  ['3', 'Wei Chen', '7 Third Avenue, Capital City, a long way from the header', '409524567', '293018765'],
];
const SSNS = ['219099999', '409524567', '536221234'];
const literal = (r: string[]) => r.map((c, i) => (i === 0 ? c : `'${c}'`));

describe('an INSERT statement with a column list heads its values', () => {
  it.each([
    [
      'pg_dump --column-inserts',
      ROWS.map((r) => `INSERT INTO public.people (${COLUMNS.join(', ')}) VALUES (${literal(r).join(', ')});`),
    ],
    [
      'mysqldump --complete-insert',
      [
        `INSERT INTO \`people\` (${COLUMNS.map((c) => `\`${c}\``).join(', ')}) VALUES`,
        ...ROWS.map((r) => `(${literal(r).join(',')}),`),
      ],
    ],
    [
      'quoted names, bare numbers',
      [
        `INSERT INTO "people" ("${COLUMNS.join('", "')}") VALUES ${ROWS.map((r) => `(${r[0]}, '${r[1]}', '${r[2]}', ${r[3]}, ${r[4]})`).join(',\n')};`,
      ],
    ],
  ])('%s: the ssn column is found, other columns not', (_name, lines) => {
    const text = lines.join('\n');
    expect(ssns(text).sort()).toEqual(SSNS);
    const at = text.indexOf('293018765');
    // (Lines of one comma count are a CSV block too: its first line's cell is read with it.)
    expect(headerOfCell(text, at, at + 9)?.split('\n')).toContain('employee_no');
  });

  it('control: an INSERT without a column list, or under other names, leaves the values bare', () => {
    const bare = ROWS.map((r) => `INSERT INTO people VALUES (${literal(r).join(', ')});`).join('\n');
    expect(ssns(bare)).toEqual([]);
    const other = ROWS.map((r) => `INSERT INTO people (a, b, c, d, e) VALUES (${literal(r).join(', ')});`).join('\n');
    expect(ssns(other)).toEqual([]);
  });

  it('work: openings without a list end, unclosed quotes and many statements read each character about once', () => {
    for (const text of [
      'INSERT INTO t ('.repeat(20_000),
      `INSERT INTO t (a) VALUES ('${'x'.repeat(100_000)}`,
      'INSERT INTO t (ssn) VALUES (1), '.repeat(10_000),
      `${'INSERT INTO t (a, b'.repeat(5_000)}) VALUES (1, 2);`,
    ]) {
      const work: SqlWork = { units: 0 };
      sqlCells(text, { starts: [], ends: [], headers: [] }, work);
      expect(work.units).toBeLessThanOrEqual(2 * text.length);
    }
  });
});

describe('INTO … VALUES in other statements (review s15)', () => {
  const tuples = ROWS.map((r) => `(${literal(r).join(', ')})`).join(',\n');
  it.each([
    ['REPLACE INTO', `REPLACE INTO people (${COLUMNS.join(', ')}) VALUES ${tuples};`],
    ['INSERT OR REPLACE INTO', `INSERT OR REPLACE INTO people (${COLUMNS.join(', ')}) VALUES ${tuples};`],
    ['a quoted name with a blank', `INSERT INTO "hr people" (${COLUMNS.join(', ')}) VALUES ${tuples};`],
    ['a CTE head', `WITH t(${COLUMNS.join(', ')}) AS (VALUES ${tuples}) SELECT * FROM t;`],
  ])('%s: the ssn column is found', (_name, text) => {
    expect(ssns(text).sort()).toEqual(SSNS);
  });
});

describe('a derived table: (VALUES …) AS t(a, b, …) (review s15)', () => {
  const tuples = ROWS.map((r) => `(${literal(r).join(', ')})`).join(',\n');
  it("the alias's names head the values before them; other names head nothing", () => {
    expect(ssns(`SELECT * FROM (VALUES ${tuples}) AS t(${COLUMNS.join(', ')});`).sort()).toEqual(SSNS);
    expect(ssns(`SELECT * FROM (VALUES ${tuples}) AS t(a, b, c, d, e);`)).toEqual([]);
    expect(ssns(`SELECT * FROM (VALUES ${tuples}) AS t;`)).toEqual([]);
  });

  it.each([
    ['aliases', '(VALUES (1)) AS t('.repeat(20_000)],
    ['unclosed lists', `(VALUES (1)) AS t(${'a, '.repeat(30_000)}`],
    ['unclosed values', `(VALUES ('${'x'.repeat(100_000)}`],
  ])('work: %s read each character about twice', (_name, text) => {
    const work: SqlWork = { units: 0 };
    sqlCells(text, { starts: [], ends: [], headers: [] }, work);
    expect(work.units).toBeLessThanOrEqual(3 * text.length);
  });
});
