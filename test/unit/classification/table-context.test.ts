// A table's header as context (table-context.ts): a CSV, TSV, `;`- or `|`-separated block, or a Markdown table, whose
// header row names a type's context word in column k puts column k's cells of the rows below in that word's context.
// Controls: no such header, other columns, a row of another shape, prose.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { headerOfCell } from '../../../src/classification/table-context.ts';
import { type JsonWork, jsonCells } from '../../../src/classification/table-context-json.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });
const ssns = (text: string) =>
  classifier
    .classify([{ path: 'p', text }])
    .findings.filter((f) => f.type === 'US_SSN')
    .map((f) => text.slice(f.start, f.end));

const ROWS = [
  ['John Smith', '219099999', '471209384'],
  ['Maria Garcia', '536221234', '562830192'],
  ['Wei Chen', '409524567', '293018765'],
];
const table = (d: string, header = ['name', 'ssn', 'employee_no'], pad = 'x'.repeat(60)) =>
  [header.join(d), ...ROWS.map(([n, s, e]) => [`${n} ${pad}`, s, e].join(d))].join('\n');

describe('headerOfCell', () => {
  it('names the header cell above a cell, per delimiter', () => {
    for (const d of [',', '\t', ';', '|']) {
      const text = table(d);
      const at = text.lastIndexOf('409524567');
      expect(headerOfCell(text, at, at + 9)).toBe('ssn');
      const other = text.lastIndexOf('293018765');
      expect(headerOfCell(text, other, other + 9)).toBe('employee_no');
    }
  });

  it('is undefined for the header itself, prose, and a line of another shape', () => {
    const text = `${table(',')}\nnot, a row\n`;
    expect(headerOfCell(text, 0, 4)).toBeUndefined();
    const lone = text.indexOf('not');
    expect(headerOfCell(text, lone, lone + 3)).toBeUndefined();
    expect(headerOfCell('just prose 219099999', 11, 20)).toBeUndefined();
  });
});

describe('a table header as context', () => {
  it.each([',', '\t', ';', '|'])('the ssn column of a table separated by %j is found, other columns not', (d) => {
    expect(ssns(table(d)).sort()).toEqual(['219099999', '409524567', '536221234']);
  });

  it('a Markdown table', () => {
    const text = [
      '| Name | Department | SSN |',
      '| --- | --- | --- |',
      ...ROWS.map(([n, s]) => `| ${n} ${'y'.repeat(50)} | Engineering and operations | ${s} |`),
    ].join('\n');
    expect(ssns(text).sort()).toEqual(['219099999', '409524567', '536221234']);
  });

  it('quoted cells with the delimiter inside keep the columns', () => {
    const text = ['"name","ssn"', ...ROWS.map(([n, s]) => `"${n}, ${'z'.repeat(60)}","${s}"`)].join('\n');
    expect(ssns(text).sort()).toEqual(['219099999', '409524567', '536221234']);
  });

  it('control: without such a header bare nine digits stay unreported', () => {
    expect(ssns(table(',', ['name', 'account', 'employee_no']))).toEqual([]);
    expect(ssns(table(',', ['name', 'ssn_verified_on', 'employee_no']).replace(/^[^\n]*\n/, 'name,col,id\n'))).toEqual(
      [],
    );
  });

  it('control: a row of another shape ends the block', () => {
    const text = `name,ssn,employee_no\nJohn,219099999,1\nnotes: see below\nMaria,536221234,2\nWei,409524567,3`;
    expect(ssns(text).sort()).toEqual(['219099999']);
  });
});

describe('tables as databases, data tools and web pages write them', () => {
  const header = ['name', 'ssn', 'employee_no'];
  const widths = [12, 9, 11];
  const pad = (cells: readonly string[]) => cells.map((c, i) => ` ${c.padEnd(widths[i] as number)} `).join('|');
  const rule = widths.map((w) => '-'.repeat(w + 2));

  it('a psql grid (a ---+--- rule under the header) and a mysql grid (+---+ rules)', () => {
    const psql = [pad(header), rule.join('+'), ...ROWS.map(pad), '(3 rows)'].join('\n');
    expect(ssns(psql).sort()).toEqual(['219099999', '409524567', '536221234']);
    const border = `+${rule.join('+')}+`;
    const mysql = [border, `|${pad(header)}|`, border, ...ROWS.map((r) => `|${pad(r)}|`), border].join('\n');
    expect(ssns(mysql).sort()).toEqual(['219099999', '409524567', '536221234']);
  });

  it('control: a rule without a joint (--- in Markdown or YAML) still ends a block', () => {
    const rows = ROWS.map(([n, s, e]) => [`${n} ${'x'.repeat(60)}`, s, e].join('|'));
    const text = ['name|ssn|employee_no', `${'a'.repeat(70)}|b|c`, '---', ...rows].join('\n');
    expect(ssns(text)).toEqual([]);
  });

  it("a pg_dump COPY block: the COPY line's column list heads its tab-separated rows", () => {
    const text = ['COPY public.people (name, ssn, employee_no) FROM stdin;', ...ROWS.map((r) => r.join('\t')), '\\.'];
    expect(ssns(text.join('\n')).sort()).toEqual(['219099999', '409524567', '536221234']);
    const other = text.join('\n').replace('ssn', 'account');
    expect(ssns(other)).toEqual([]);
  });

  it('a JSON "columns" array heads the arrays of "data" after it (pandas split), pretty-printed or not', () => {
    const split = { columns: header, index: [0, 1, 2], data: ROWS };
    expect(ssns(JSON.stringify(split)).sort()).toEqual(['219099999', '409524567', '536221234']);
    expect(ssns(JSON.stringify(split, null, 2)).sort()).toEqual(['219099999', '409524567', '536221234']);
    const text = JSON.stringify(split);
    const at = text.indexOf('293018765');
    expect(headerOfCell(text, at, at + 9)).toBe('employee_no');
    expect(ssns(JSON.stringify({ ...split, columns: ['name', 'account', 'employee_no'] }))).toEqual([]);
  });

  it("an HTML table's <th> row heads its later rows' cells, by index", () => {
    const row = (tag: string, cells: readonly string[]) =>
      `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
    const text = ['<table>', row('th', header), ...ROWS.map((r) => row('td', r)), '</table>'].join('\n');
    expect(ssns(text).sort()).toEqual(['219099999', '409524567', '536221234']);
    const cell = text.indexOf('293018765');
    expect(headerOfCell(text, cell, cell + 9)).toBe('employee_no');
    const pretty = ['<table>', '<thead>', row('th', header), '</thead>', '<tbody>'];
    for (const r of ROWS) pretty.push('<tr>', ...r.map((c) => `  <td><span>${c}</span></td>`), '</tr>');
    expect(ssns([...pretty, '</tbody></table>'].join('\n')).sort()).toEqual(['219099999', '409524567', '536221234']);
  });

  it('space-aligned columns, left- or right-aligned, by position', () => {
    const widths = [72, 9, 11];
    const left = [header, ...ROWS].map((r) => r.map((c, i) => c.padEnd((widths[i] as number) + 2)).join('')).join('\n');
    expect(ssns(left).sort()).toEqual(['219099999', '409524567', '536221234']);
    const right = [header, ...ROWS]
      .map((r) => r.map((c, i) => c.padStart((widths[i] as number) + 2)).join(''))
      .join('\n');
    expect(ssns(right).sort()).toEqual(['219099999', '409524567', '536221234']);
    const at = right.indexOf('293018765');
    expect(headerOfCell(right, at, at + 9)).toBe('employee_no');
  });

  it('control: an aligned listing without an SSN header, and prose, stay unreported', () => {
    const listing = [
      'PID        USER   COMMAND',
      ...ROWS.map((r) => `${r[1]}  root   /usr/bin/${r[0]?.split(' ')[0]}`),
    ];
    expect(ssns(listing.join('\n'))).toEqual([]);
    // Prose typed with two spaces after a sentence: one gap a line is no table.
    const prose = `We keep each ssn private.  ${'Words go on here. '.repeat(3)}\n${'z'.repeat(10)} 536221234.  Done.`;
    expect(ssns(prose)).toEqual([]);
  });

  it('a row of many numbers: every cell is looked up (bounded work a cell)', () => {
    const many = Array.from({ length: 200 }, (_, i) => `c${i}`);
    many[150] = 'ssn';
    const rows = ROWS.map((r) =>
      Array.from({ length: 200 }, (_, i) => (i === 150 ? r[1] : String(100000000 + i)) as string),
    );
    const text = [many, ...rows].map((r) => r.map((c) => c.padEnd(11)).join('')).join('\n');
    expect(ssns(text).sort()).toEqual(['219099999', '409524567', '536221234']);
  });
});

describe('tables one step aside (session 15): box-drawn grids, a bold first row, result JSON, spaced rows', () => {
  const header = ['name', 'ssn', 'employee_no'];
  const widths = [12, 9, 11];
  const SSNS = ['219099999', '409524567', '536221234'];
  const pad = (cells: readonly string[], bar: string) =>
    cells.map((c, i) => ` ${c.padEnd(widths[i] as number)} `).join(bar);
  const rule = (line: string, joint: string) => widths.map((w) => line.repeat(w + 2)).join(joint);

  it.each([
    ['light (psql unicode, DuckDB)', '│', '─', ['┌', '┬', '┐'], ['├', '┼', '┤'], ['└', '┴', '┘']],
    ['heavy', '┃', '━', ['┏', '┳', '┓'], ['┣', '╋', '┫'], ['┗', '┻', '┛']],
    ['double', '║', '═', ['╔', '╦', '╗'], ['╠', '╬', '╣'], ['╚', '╩', '╝']],
    ['light, dashed bars', '┆', '┄', ['┌', '┬', '┐'], ['├', '┼', '┤'], ['└', '┴', '┘']],
  ])('a grid drawn in box drawing, %s: its rows are under its header', (_name, bar, line, top, middle, bottom) => {
    const border = ([l, j, r]: string[]) => `${l}${rule(line, j as string)}${r}`;
    const box = [
      border(top),
      `${bar}${pad(header, bar)}${bar}`,
      border(middle),
      ...ROWS.map((r) => `${bar}${pad(r, bar)}${bar}`),
      border(bottom),
    ].join('\n');
    expect(ssns(box).sort()).toEqual(SSNS);
    const at = box.indexOf('293018765');
    expect(headerOfCell(box, at, at + 9)).toBe('employee_no');
    expect(ssns(box.replace('ssn', 'acct'))).toEqual([]);
  });

  it("an HTML table's first row heads it with no <th> (bold cells, or plain), a later <th> row takes its place", () => {
    const row = (cells: readonly string[], cell: (c: string) => string) => `<tr>${cells.map(cell).join('')}</tr>`;
    for (const head of [(c: string) => `<td><b>${c}</b></td>`, (c: string) => `<td><strong>${c}</strong></td>`]) {
      const text = ['<table>', row(header, head), ...ROWS.map((r) => row(r, (c) => `<td>${c}</td>`)), '</table>'];
      expect(ssns(text.join('\n')).sort()).toEqual(SSNS);
    }
    const caption = '<tr><td colspan="3">People, 2026</td></tr>';
    const th = [
      '<table>',
      caption,
      row(header, (c) => `<th>${c}</th>`),
      ...ROWS.map((r) => row(r, (c) => `<td>${c}</td>`)),
    ];
    expect(ssns(th.join('\n')).sort()).toEqual(SSNS);
    // Control: a first row of other words heads nothing an SSN needs.
    const other = [
      '<table>',
      row(['a', 'b', 'c'], (c) => `<td>${c}</td>`),
      ...ROWS.map((r) => row(r, (c) => `<td>${c}</td>`)),
    ];
    expect(ssns(other.join('\n'))).toEqual([]);
  });

  it('a column list of objects ({"name": …}: Trino, Databricks, Snowflake\'s rowType) heads the rows after it', () => {
    const typed = header.map((name) => ({
      name,
      type: 'varchar',
      typeSignature: { rawType: 'varchar', arguments: [] },
    }));
    for (const result of [
      { id: 'q1', columns: typed, data: ROWS },
      { manifest: { schema: { columns: header.map((name) => ({ name })) } }, result: { data_array: ROWS } },
      { resultSetMetaData: { rowType: header.map((name) => ({ name, type: 'text' })) }, data: ROWS },
    ]) {
      expect(ssns(JSON.stringify(result)).sort()).toEqual(SSNS);
      expect(ssns(JSON.stringify(result, null, 2)).sort()).toEqual(SSNS);
    }
    const other = JSON.stringify({ columns: ['a', 'b', 'c'].map((name) => ({ name })), data: ROWS });
    expect(ssns(other)).toEqual([]);
  });

  it('column lists are read in one pass: unclosed, malformed and nested lists read each character once', () => {
    const texts = [
      '"columns": ['.repeat(20_000),
      `{"columns": [${'{"name": "x", "a": ['.repeat(10_000)}`,
      '"columns": [}, '.repeat(20_000),
      `${'"columns": ["a"], "data": [["1"]], '.repeat(5_000)}`,
    ];
    for (const text of texts) {
      const work: JsonWork = { units: 0 };
      jsonCells(text, { starts: [], ends: [], headers: [] }, work);
      expect(work.units).toBeLessThanOrEqual(2 * text.length);
    }
  });

  it('one blank line under an aligned, tab or bar header, or between rows, keeps the block; two end it', () => {
    const wide = [72, 9, 11]; // the header's words further from a row's value than a context window
    const aligned = [header, ...ROWS].map((r) => r.map((c, i) => c.padEnd((wide[i] as number) + 2)).join(''));
    const [head, ...rows] = aligned;
    expect(ssns([head, '', ...rows].join('\n')).sort()).toEqual(SSNS);
    expect(ssns(aligned.join('\n  \n')).sort()).toEqual(SSNS);
    const [tsvHead, ...tsvRows] = table('\t').split('\n');
    expect(ssns([tsvHead, '', ...tsvRows].join('\n')).sort()).toEqual(SSNS);
    expect(ssns([head, '', '', ...rows].join('\n'))).toEqual([]);
    // Commas and semicolons are prose's: paragraphs with one comma each are no table.
    expect(ssns(['Note, the ssn', '', ...ROWS.map((r) => `${r[0]} ${'x'.repeat(60)}, ${r[1]}`)].join('\n'))).toEqual(
      [],
    );
  });

  it('control: double-spaced prose is no aligned table (a cell is read with a header cell aligned with it)', () => {
    const text = [
      'Thanks for the form with the SSN field.  We reviewed it.  All good.',
      'Some filler line goes here for length.  Another clause.  And more.',
      'Your ticket number is 219099999 for now.  Keep it handy.  Bye now.',
    ].join('\n');
    const at = text.indexOf('219099999');
    expect(headerOfCell(text, at, at + 9)).toBeUndefined();
    expect(ssns(text)).toEqual([]);
  });
});

describe('tables one step further (round 13): a CSV header over a blank line, an escaped bar, spanning cells', () => {
  const SSNS = ['219099999', '409524567', '536221234'];
  const header = ['name', 'ssn', 'employee_no'];

  it('a blank line under a CSV header of three columns or more keeps the block; under one of two it does not', () => {
    const [head, ...rows] = table(',').split('\n');
    expect(ssns([head, '', ...rows].join('\n')).sort()).toEqual(SSNS);
    const two = table(',', ['name', 'ssn']).replace(/,\d{9}$/gm, '');
    const [twoHead, ...twoRows] = two.split('\n');
    expect(ssns([twoHead, '', ...twoRows].join('\n'))).toEqual([]);
  });

  it('an escaped \\| inside a Markdown cell is no delimiter', () => {
    const md = (r: readonly string[]) => `| ${r.join(' | ')} |`;
    const rows = ROWS.map(([n, s, e], i) => md([`${n} ${'y'.repeat(60)}${i === 0 ? ' R\\|D' : ''}`, s, e] as string[]));
    expect(ssns([md(header), md(['---', '---', '---']), ...rows].join('\n')).sort()).toEqual(SSNS);
  });

  it('a header cell spanning columns heads that many; a grouping row above the <th> row gives way to it', () => {
    const tr = (cells: string[]) => `<tr>${cells.join('')}</tr>`;
    const body = ROWS.map(([n, s, e]) => tr([...(n as string).split(' '), s, e].map((c) => `<td>${c}</td>`)));
    const spanned = tr(['<th colspan="2">name</th>', '<th>ssn</th>', '<th>employee_no</th>']);
    expect(ssns(['<table>', spanned, ...body, '</table>'].join('\n')).sort()).toEqual(SSNS);
    const group = tr(['<th colspan=3>Person</th>', '<th>Work</th>']);
    const text = ['<table>', group, spanned, ...body, '</table>'].join('\n');
    const at = text.indexOf('293018765');
    expect(headerOfCell(text, at, at + 9)).toBe('employee_no');
  });
});

describe('a CSV row unlike the others (round 13): passed when a row like the others follows', () => {
  const SSNS = ['219099999', '409524567', '536221234'];
  const head = 'name,dept,ssn,employee_no';
  const row = ([n, s, e]: readonly string[], dept = 'Engineering') => `${n} ${'x'.repeat(60)},${dept},${s},${e}`;
  const [first, ...later] = ROWS as unknown as string[][];

  it.each([
    ['a quoted cell holding a line break', row(first as string[], '"Engineering\nPlatform team"')],
    ['a row short of its last cell', row(first as string[]).replace(/,\d+$/, '')],
    ['an unquoted comma', row(first as string[], 'R&D, Platform')],
    ['an inch mark', row(first as string[], '27" monitor')],
  ])('with %s first, the later rows are under the header', (_name, odd) => {
    const text = [head, odd, ...later.map((r) => row(r))].join('\n');
    expect(ssns(text)).toEqual(expect.arrayContaining(SSNS.filter((s) => s !== '219099999')));
  });

  it('control: a line of prose between two tables of one width leaves each its own header', () => {
    const other = [head.replace('ssn', 'acct'), ...later.map((r) => row(r))];
    const text = [head, row(first as string[]), 'Table 2: accounts', ...other].join('\n');
    expect(ssns(text)).toEqual(['219099999']);
    // One comma's prose is passed by no block: a line without one ends it.
    expect(ssns(`Note, the ssn\nsee below\n${'z'.repeat(70)}, 536221234`)).toEqual([]);
  });
});

describe('a LaTeX tabular (round 13): `&` on rows ending in \\\\, its rule lines borders', () => {
  it('its rows are under its header; `&` elsewhere and an escaped \\& delimit nothing', () => {
    const rows = ROWS.map(([n, s, e]) => `${n} ${'x'.repeat(60)} \\& co & ${s} & ${e} \\\\`);
    const text = ['\\begin{tabular}{lll}', '\\toprule', 'name & ssn & employee\\_no \\\\', '\\midrule', ...rows];
    expect(ssns([...text, '\\bottomrule', '\\end{tabular}'].join('\n')).sort()).toEqual([
      '219099999',
      '409524567',
      '536221234',
    ]);
    const prose = ['Q&A & notes: the ssn & more', ...ROWS.map(([n, s]) => `${n} ${'x'.repeat(60)} & ${s} & done`)];
    expect(ssns(prose.join('\n'))).toEqual([]);
  });
});

describe('review s15: rows unlike the others in a row, a reStructuredText simple table', () => {
  const SSNS = ['409524567', '536221234'];
  it('up to four short rows in a row are passed when a row like the others follows', () => {
    const [head, ...rows] = table(',').split('\n');
    const short = (k: number) => `Person ${k} ${'x'.repeat(60)},`;
    expect(ssns([head, short(1), short(2), ...rows.slice(1)].join('\n')).sort()).toEqual(SSNS);
    expect(ssns([head, short(1), short(2), short(3), short(4), short(5), ...rows.slice(1)].join('\n'))).toEqual([]);
  });

  it("reStructuredText's simple table: its `=` rules apart by blanks are borders", () => {
    const widths = [72, 9, 11];
    const line = (r: readonly string[]) => r.map((c, i) => c.padEnd((widths[i] as number) + 2)).join('');
    const rule = widths.map((w) => '='.repeat(w)).join('  ');
    const text = [rule, line(['name', 'ssn', 'employee_no']), rule, ...ROWS.map(line), rule].join('\n');
    expect(ssns(text).sort()).toEqual(['219099999', ...SSNS].sort());
  });
});
