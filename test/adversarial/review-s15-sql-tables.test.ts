// Review s15 (R3, attacker's review of session 15's changes), an SQL INSERT's column list heading its values (763808e,
// table-context-sql.ts: `INSERT [IGNORE] INTO <name without blanks> (a, b, …) VALUES (…), (…)`). Each text is round
// 13's HR table (an `ssn` column of bare nine-digit SSNs, named once, in the column list) as SQL one step aside; the
// second person's SSN (PROBE) is in its own tuple only. A retained model's request has its SSNs redacted under the
// default policy: PROBE reaching the upstream means the column name did not reach the value.
import { describe, expect, it } from 'vitest';
import { COLUMNS, messagesHold, ROWS } from './round13-helpers.ts';

/** A row as an SQL tuple: id and salary bare, the rest quoted. */
const tuple = (row: readonly string[]) => `(${row.map((v, i) => (i === 0 || i === 5 ? v : `'${v}'`)).join(', ')})`;
const NAMES = COLUMNS.join(', ');
const TUPLES = ROWS.map(tuple).join(',\n');
/** One statement of all rows after `head` (the words before the table's name). */
const insert = (head: string, table = 'employees') => `${head} ${table} (${NAMES}) VALUES\n${TUPLES};`;

describe('an HR table as SQL, one step aside from the INSERT statements table-context-sql.ts reads', () => {
  it.each([
    ['INSERT INTO', insert('INSERT INTO')],
    ['INSERT IGNORE INTO', insert('INSERT IGNORE INTO')],
    [
      'a line comment between two tuples',
      `INSERT INTO employees (${NAMES}) VALUES\n${ROWS.map(tuple).join(',\n-- next\n')};`,
    ],
  ])('control: the rows as %s have their SSNs redacted', async (_name, text) => {
    expect(await messagesHold([text])).toBe(false);
  });

  it.each([
    ['REPLACE INTO', insert('REPLACE INTO')],
    ['INSERT LOW_PRIORITY INTO', insert('INSERT LOW_PRIORITY INTO')],
    ['INSERT OR REPLACE INTO', insert('INSERT OR REPLACE INTO')],
    ['a quoted table name with a blank', insert('INSERT INTO', '"hr employees"')],
    [
      "Oracle's INSERT ALL",
      `INSERT ALL\n${ROWS.map((r) => `  INTO employees (${NAMES}) VALUES ${tuple(r)}`).join('\n')}\nSELECT 1 FROM dual;`,
    ],
  ])('the rows as %s have their SSNs redacted', async (_name, text) => {
    expect(await messagesHold([text])).toBe(false);
  });

  it('the rows as WITH t(…) AS (VALUES …) have their SSNs redacted', async () => {
    expect(await messagesHold([`WITH t(${NAMES}) AS (VALUES\n${TUPLES}\n) SELECT * FROM t;`])).toBe(false);
  });

  // HOLE closed in src/classification/table-context-sql.ts (aliasedCells): a VALUES list whose column names come after
  // it (`(VALUES …) AS t(a, b, …)`, or `(VALUES …) t(…)`) is read under them. Was: only names before the values.
  const derived = (names: string, as = 'AS ') => `SELECT * FROM (VALUES\n${TUPLES}\n) ${as}t(${names});`;
  it.each([
    ['AS t(…)', 'AS '],
    ['t(…) (no AS)', ''],
  ])('the rows as (VALUES …) %s have their SSNs redacted', async (_name, as) => {
    expect(await messagesHold([derived(NAMES, as)])).toBe(false);
  });

  it('control: the rows as (VALUES …) AS t(…) under a badge_no column reach the upstream', async () => {
    expect(await messagesHold([derived(NAMES.replace('ssn', 'badge_no'))])).toBe(true);
  });
});
