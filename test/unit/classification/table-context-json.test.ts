// A JSON result's column list (or its first row) as its rows' header (table-context-json.ts), in the shapes review s15
// found unread: ClickHouse's meta, node-postgres' and BigQuery's fields, f/v and c/v row objects, rows before their
// list, Python's repr, a result held as a JSON string. Controls: a first row holding a number heads nothing, a list
// far after the rows heads nothing; every shape's work stays linear.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { headerOfCell } from '../../../src/classification/table-context.ts';
import { escapedJsonCells, type JsonWork, jsonCells } from '../../../src/classification/table-context-json.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(9) });
const ssns = (text: string) =>
  classifier
    .classify([{ path: 'p', text }])
    .findings.filter((f) => f.type === 'US_SSN')
    .map((f) => text.slice(f.start, f.end));

const HEADER = ['name', 'ssn', 'employee_no'];
const ROWS = [
  ['John Smith', '219099999', '471209384'],
  ['Maria Garcia', '536221234', '562830192'],
  ['Wei Chen', '409524567', '293018765'],
];
const SSNS = ['219099999', '409524567', '536221234'];
/** Numbers that are no SSN (group 00), enough to put the SSNs after them past any context window. */
const FAR = Array.from({ length: 30 }, (_, i) => 601000000 + i);

describe('a JSON result table one step aside from a "columns" list before its rows', () => {
  it.each([
    ['ClickHouse meta', JSON.stringify({ meta: HEADER.map((name) => ({ name, type: 'String' })), data: ROWS })],
    ['BigQuery f/v rows', JSON.stringify({ schema: { fields: HEADER.map((name) => ({ name })) }, rows: fv(ROWS) })],
    ['rows before columns', JSON.stringify({ data: ROWS, rowcount: 3, columns: HEADER })],
    ['a header row first', JSON.stringify({ values: [HEADER, ...ROWS] }, null, 2)],
    ["Python's repr", `{'data': ${JSON.stringify(ROWS)}, 'columns': ${JSON.stringify(HEADER)}}`.replaceAll('"', "'")],
    ['a JSON string', JSON.stringify(JSON.stringify({ columns: HEADER, data: ROWS }))],
  ])('%s: the ssn column is found, the employee_no column not', (_name, text) => {
    expect(ssns(text).sort()).toEqual(SSNS);
    const at = text.indexOf('293018765');
    expect(headerOfCell(text, at, at + 9)).toBe('employee_no');
  });

  it('a list of names of other key heads rows as wide after it; a first row of names heads its rows', () => {
    const text = JSON.stringify({
      labels: HEADER,
      matrix: ROWS,
      table: [
        ['code', 'ssn'],
        ['x', '536221234'],
      ],
    });
    expect(ssns(text).sort()).toEqual([...SSNS, '536221234'].sort());
    const at = text.indexOf('293018765');
    expect(headerOfCell(text, at, at + 9)).toBe('employee_no');
  });

  it.each([
    ['a list of numbers (a column under its own key)', { tags: ['ssn', 'hr'], ids: [219099999, 536221234] }, 'ids'],
    ['rows of another width', { tags: ['ssn', 'hr'], matrix: ROWS }, undefined],
    ['a first row of one name', { table: [['ssn'], ['219099999']] }, undefined],
    ['rows after a list of names not distinct', { tags: ['ssn', 'ssn', 'x'], matrix: ROWS }, undefined],
  ])('control: a list of tags heads no %s', (_name, value, header) => {
    const text = JSON.stringify(value);
    const at = text.indexOf('219099999');
    expect(headerOfCell(text, at, at + 9)).toBe(header);
  });

  it.each([
    [
      'a list of SSNs under "ssn"',
      { id: 'q1', ssn: [...FAR.map(String), '219099999', '409524567', '536221234'] },
      SSNS,
    ],
    ['a column of numbers under "ssn"', { ssn: [...FAR, 219099999, 409524567, 536221234], n: 3 }, SSNS],
    ['a list of numbers under "ids"', { ids: [219099999, 409524567, 536221234] }, []],
    [
      'pandas\' orient="columns" under "ssn"',
      { ssn: Object.fromEntries([...FAR, ...SSNS].map((v, i) => [i, v])) },
      SSNS,
    ],
    ['an object of index keys under "ids"', { ids: Object.fromEntries([...FAR, ...SSNS].map((v, i) => [i, v])) }, []],
    [
      'an object of other keys under "ssn"',
      { ssn: Object.fromEntries([...FAR, ...SSNS].map((v, i) => [`k${i}`, v])) },
      [],
    ],
  ])('%s: its items are read under the key', (_name, value, found) => {
    expect(ssns(JSON.stringify(value)).sort()).toEqual(found);
  });

  it('control: a first row holding a number heads nothing', () => {
    expect(ssns(JSON.stringify({ values: ROWS }))).toEqual([]);
    expect(ssns(JSON.stringify({ values: [['name', '219099999'], ...ROWS] }))).toEqual([]);
  });

  it('control: a list further than 256 characters after the rows, or after other rows, heads nothing', () => {
    expect(ssns(JSON.stringify({ data: ROWS, note: 'x'.repeat(300), columns: HEADER }))).toEqual([]);
    expect(ssns(JSON.stringify({ data: ROWS, rows: [['1']], columns: HEADER }))).toEqual([]);
  });

  it.each([
    ['unclosed rows', '"data": [['.repeat(20_000)],
    ['header rows', '"values": [["a", "b"], ["1", "2"]], '.repeat(5_000)],
    ['rows waiting for a list', '"data": [["1"]], "columns": ["a"], '.repeat(5_000)],
    ['unclosed f/v rows', '"rows": [{"f": [{"v": '.repeat(10_000)],
    ['single quotes', "'columns': ['a'], 'data': [['1', 'x']], ".repeat(5_000)],
    ['lists of other keys', '"tags": ["a", "b", 1], "ids": [1, 2], '.repeat(5_000)],
    ['nested arrays of other keys', '{"k": [{"k": ['.repeat(10_000)],
    ["other keys' lists and rows", '"h": ["a", "b"], "r": [["1", "2"]], '.repeat(5_000)],
    ["other keys' header rows", '{t: [["a", "b"], ["1", "2"]], u: [["1", "b"]]}, '.repeat(5_000)],
    ['objects of index keys', '"k": {"0": "1", "1": 2, "x": {"2": '.repeat(5_000)],
    ['objects of other keys', '{"k": {"a": {"k": {"b": '.repeat(5_000)],
    ['columns of other keys', '"k": ["1", 2, null, "x"], '.repeat(5_000)],
    ['lists of scalars then an object', '{"k": [1, "a", {"k": [2, "b", {'.repeat(5_000)],
    ['long strings of other keys', `"k": ["${'a'.repeat(90)}", `.repeat(2_000)],
  ])('work: %s read each character about once', (_name, text) => {
    const work: JsonWork = { units: 0 };
    jsonCells(text, { starts: [], ends: [], headers: [] }, work);
    expect(work.units).toBeLessThanOrEqual(2 * text.length);
  });

  it('work: a table held as a JSON string is undone once, then read as a table', () => {
    const text = JSON.stringify('"columns": ["a"], "data": [["1"]], '.repeat(5_000));
    const work: JsonWork = { units: 0 };
    const cells = { starts: [] as number[], ends: [] as number[], headers: [] as string[] };
    escapedJsonCells(text, cells, work);
    expect(work.units).toBeLessThanOrEqual(3 * text.length);
    expect(cells.headers.length).toBe(5_000);
    expect(text.slice(cells.starts[0], cells.ends[0])).toBe('\\"1\\"');
    expect(text.slice(cells.starts[4_999], cells.ends[4_999])).toBe('\\"1\\"'); // after 40,000 escapes undone
  });

  it('work: a table stringified twice (or thrice) is undone at most three times, each pass linear', () => {
    for (const times of [2, 3, 5]) {
      let text = '"columns": ["a"], "data": [["1"]], '.repeat(2_000);
      for (let k = 0; k < times; k += 1) text = JSON.stringify(text);
      const work: JsonWork = { units: 0 };
      const cells = { starts: [] as number[], ends: [] as number[], headers: [] as string[] };
      escapedJsonCells(text, cells, work);
      expect(work.units).toBeLessThanOrEqual(6 * text.length);
      expect(cells.headers.length).toBe(times <= 3 ? 2_000 : 0);
      if (times <= 3) expect(text.slice(cells.starts[1_999], cells.ends[1_999])).toMatch(/^\\+"1\\+"$/);
    }
  });
});

/** Rows as BigQuery writes them: `{"f": [{"v": cell}, …]}`. */
function fv(rows: readonly (readonly string[])[]) {
  return rows.map((r) => ({ f: r.map((v) => ({ v })) }));
}
