// Hex dumps read back to the text of their bytes (decode-dumps.ts): xxd, hexdump -C, hexdump, od -A x -t x1, od -x,
// od -t x2, xxd -e and od -t x4 (32-bit little-endian words), xxd -b, od -t u1 and od -t d1, xxd -p and plain hex
// wrapped, with CRLF, quoted, commented out (`# `, `// `) or double-spaced rows; a value whose bytes cross a row's end
// is found over the dump.
// Controls: a dump of binary bytes, hashes one a line, git's short hashes in a list, one line of hex.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dumpTexts } from '../../../src/classification/decode-dumps.ts';
import { createClassifier } from '../../../src/classification/index.ts';
import { trailingDumpStart } from '../../../src/classification/stream-key-hold.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(6) });
const findings = (text: string) => classifier.classify([{ path: 'p', text }]).findings;

const FILE = Buffer.from(
  [
    '# config for prod',
    'AWS_ACCESS_KEY_ID=AKIAZ3MQWXR5TLPB6Y7N',
    'GITHUB_TOKEN=ghp_16C7e42F292c6912E7710c838347Ae17xbab',
    'USER_SSN=219-09-9999',
    '',
  ].join('\n'),
);

const pieces = (text: string, width: number) => text.match(new RegExp(`.{1,${width}}`, 'gs')) as string[];
const rowsOf = (bytes: Buffer, line: (row: Buffer, at: number) => string, eol = '\n', size = 16) =>
  Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
    line(bytes.subarray(i * size, i * size + size), i * size),
  ).join(eol);
const shown = (b: number) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.');
const hex = (row: Buffer, width: number) => pieces(row.toString('hex'), width);
const words = (row: Buffer) => hex(row, 4).map((w) => (w.length === 4 ? w.slice(2) + w.slice(0, 2) : `00${w}`));
const chars = (r: Buffer) => [...r].map(shown).join('');
const bits = (r: Buffer) => [...r].map((x) => x.toString(2).padStart(8, '0')).join(' ');
/** A row's bytes as little-endian words of `size` bytes in hex, the last padded with zero bytes (as od does). */
const littleEndian = (row: Buffer, size: number) =>
  pieces(row.toString('hex'), size * 2).map((w) => (pieces(w.padEnd(size * 2, '0'), 2) as string[]).reverse().join(''));
/** Each byte in decimal, right-aligned in `width` columns (`od -t u1`: 4; `od -t d1`: 5, signed). */
const decimals = (row: Buffer, width: number, signed: boolean) =>
  [...row].map((b) => String(signed && b > 127 ? b - 256 : b).padStart(width)).join('');
/** `od -c`'s cells: each byte right-aligned in four columns, as its character, an escape or three octal digits. */
const charCells = (row: Buffer) =>
  [...row]
    .map((b) => {
      const named = { 0: '\\0', 9: '\\t', 10: '\\n', 13: '\\r' }[b];
      return (named ?? (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b.toString(8).padStart(3, '0'))).padStart(4);
    })
    .join('');
const LAYOUTS: Record<string, (b: Buffer) => string> = {
  xxd: (b) =>
    rowsOf(
      b,
      (r, at) =>
        `${`${at.toString(16).padStart(8, '0')}: ${hex(r, 4).join(' ')}`.padEnd(49)}  ${[...r].map(shown).join('')}`,
    ),
  'hexdump -C': (b) =>
    rowsOf(b, (r, at) => {
      const cells = hex(r, 2);
      const row = `${at.toString(16).padStart(8, '0')}  ${cells.slice(0, 8).join(' ')}  ${cells.slice(8).join(' ')}`;
      return `${row.padEnd(60)}|${[...r].map(shown).join('')}|`;
    }),
  hexdump: (b) => rowsOf(b, (r, at) => `${at.toString(16).padStart(7, '0')} ${words(r).join(' ')}`),
  'od -x': (b) => rowsOf(b, (r, at) => `${at.toString(8).padStart(7, '0')} ${words(r).join(' ')}`),
  'od -A x -t x1': (b) => rowsOf(b, (r, at) => `${at.toString(16).padStart(7, '0')} ${hex(r, 2).join(' ')}`),
  'od -b': (b) =>
    rowsOf(
      b,
      (r, at) => `${at.toString(8).padStart(7, '0')} ${[...r].map((x) => x.toString(8).padStart(3, '0')).join(' ')}`,
    ),
  'od -A x -t x2': (b) => rowsOf(b, (r, at) => `${at.toString(16).padStart(6, '0')} ${littleEndian(r, 2).join(' ')}`),
  'xxd -b (six bytes a row)': (b) =>
    rowsOf(b, (r, at) => `${at.toString(16).padStart(8, '0')}: ${bits(r)}  ${chars(r)}`, '\n', 6),
  'od -A d -t u1': (b) => rowsOf(b, (r, at) => `${String(at).padStart(7, '0')}${decimals(r, 4, false)}`),
  'od -t d1': (b) => rowsOf(b, (r, at) => `${at.toString(8).padStart(7, '0')}${decimals(r, 5, true)}`),
  'xxd double-spaced (a blank line between rows)': (b) =>
    rowsOf(b, (r, at) => `${at.toString(16).padStart(8, '0')}: ${hex(r, 4).join(' ')}`, '\n\n'),
  'xxd commented out with # ': (b) =>
    rowsOf(b, (r, at) => `# ${at.toString(16).padStart(8, '0')}: ${hex(r, 4).join(' ')}`),
  'od commented out with // ': (b) =>
    rowsOf(b, (r, at) => `// ${at.toString(16).padStart(7, '0')} ${hex(r, 2).join(' ')}`),
  'xxd triple-spaced (two blank lines between rows)': (b) =>
    rowsOf(b, (r, at) => `${at.toString(16).padStart(8, '0')}: ${hex(r, 4).join(' ')}`, '\n\n\n'),
  'xxd spaced by lines of blanks': (b) =>
    rowsOf(b, (r, at) => `${at.toString(16).padStart(8, '0')}: ${hex(r, 4).join(' ')}`, '\n \t \n'),
  'od -c (characters)': (b) => rowsOf(b, (r, at) => `${at.toString(8).padStart(7, '0')}${charCells(r)}`),
  'hexdump -c (characters, hex offsets)': (b) =>
    rowsOf(b, (r, at) => `${at.toString(16).padStart(7, '0')}${charCells(r)}`),
  'od -c quoted, CRLF': (b) => rowsOf(b, (r, at) => `> ${at.toString(8).padStart(7, '0')}${charCells(r)}`, '\r\n'),
  'xxd -p': (b) => pieces(b.toString('hex'), 60).join('\n'),
  'hex at 32 a line': (b) => pieces(b.toString('hex'), 32).join('\n'),
  'xxd with CRLF': (b) => rowsOf(b, (r, at) => `${at.toString(16).padStart(8, '0')}: ${hex(r, 4).join(' ')}`, '\r\n'),
  'od quoted': (b) => rowsOf(b, (r, at) => `> ${at.toString(16).padStart(7, '0')} ${hex(r, 2).join(' ')}`),
  'xxd -p with CRLF': (b) => pieces(b.toString('hex'), 60).join('\r\n'),
  'Format-Hex (PowerShell 7: 16-digit offsets)': (b) =>
    rowsOf(b, (r, at) => {
      const cells = hex(r, 2).map((c) => c.toUpperCase());
      return `${at.toString(16).toUpperCase().padStart(16, '0')} ${cells.join(' ').padEnd(47)} ${[...r].map(shown).join('')}`;
    }),
};

describe('a hex dump read back to its bytes (dumpTexts)', () => {
  it.each(Object.entries(LAYOUTS))('%s: one text, the file, over the whole dump', (_name, write) => {
    const dump = `Here is the file:\n${write(FILE)}\nWhat does it set?`;
    const found = dumpTexts(dump, ' | ');
    expect(found.map((d) => d.text)).toEqual([FILE.toString()]);
    const d = found[0] as { start: number; end: number };
    expect([dump.slice(0, d.start), dump.slice(d.end)]).toEqual(['Here is the file:\n', '\nWhat does it set?']);
  });
  it.each(Object.entries(LAYOUTS))("%s: a file's key, token or SSN is found over the dump", (_name, write) => {
    const lines = FILE.toString().split('\n');
    const found = [1, 2, 3].map((k) => {
      const dump = write(Buffer.from(`${lines[0]}\n${lines[k]}\n`));
      return findings(dump).map((f) => [f.type, f.start, f.end - dump.length]);
    });
    expect(found).toEqual([[['AWS_ACCESS_KEY', 0, 0]], [['GITHUB_TOKEN', 0, 0]], [['US_SSN', 0, 0]]]);
  });
  it.each([
    [
      'xxd -e',
      (r: Buffer, at: number) =>
        `${`${at.toString(16).padStart(8, '0')}: ${littleEndian(r, 4).join(' ')}`.padEnd(45)}  ${chars(r)}`,
    ],
    ['od -A x -t x4', (r: Buffer, at: number) => `${at.toString(16).padStart(6, '0')} ${littleEndian(r, 4).join(' ')}`],
    [
      'od -t x8 (64-bit)',
      (r: Buffer, at: number) => `${at.toString(8).padStart(7, '0')} ${littleEndian(r, 8).join(' ')}`,
    ],
  ])('%s (little-endian words): read as words, and as bytes in order (xxd -g 4 and -g 8 write the same)', (_n, row) => {
    const dump = rowsOf(FILE, row);
    const texts = dumpTexts(dump, ' | ').map((d) => d.text.replace(/\0+$/, ''));
    expect(texts).toContain(FILE.toString());
    const lines = FILE.toString().split('\n');
    const found = [1, 2, 3].map((k) => {
      const text = rowsOf(Buffer.from(`${lines[0]}\n${lines[k]}\n`), row);
      return findings(text).map((f) => [f.type, f.start, f.end - text.length]);
    });
    expect(found).toEqual([[['AWS_ACCESS_KEY', 0, 0]], [['GITHUB_TOKEN', 0, 0]], [['US_SSN', 0, 0]]]);
  });
  it.each([4, 8])('xxd -g %i (bytes in order in groups) is still read', (group) => {
    const dump = rowsOf(FILE, (r, at) => `${at.toString(16).padStart(8, '0')}: ${hex(r, 2 * group).join(' ')}`);
    expect(dumpTexts(dump, ' | ').map((d) => d.text)).toContain(FILE.toString());
  });
  it('bytes that are not UTF-8 whole are read as their stretches of text', () => {
    const bytes = Buffer.concat([
      randomBytes(40).map((b) => b | 0x80),
      Buffer.from('USER_SSN=219-09-9999\n'),
      Buffer.from([0xff, 0xfe]),
    ]);
    const [dump] = dumpTexts(LAYOUTS['hexdump -C']?.(bytes) as string, ' | ');
    expect(dump?.text).toContain('USER_SSN=219-09-9999');
  });
  it('control: dumps of binary bytes, hashes one a line, short hashes in a list and one line of hex hold nothing', () => {
    const binary = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 151 + 7) & 0xff));
    const texts = [
      ...Object.values(LAYOUTS).map((write) => write(binary)),
      Array.from(
        { length: 8 },
        (_, i) => `${(i * 0x9e3779b1).toString(16).padStart(8, '0').repeat(8)}  file${i}.tar`,
      ).join('\n'),
      ['- 3f2a9c1 fix the parser', '- 9b0e4d2 merge branch main', '- 1c8f7a3 bump 2.0.1'].join('\n'),
      `commit ${'a1b2c3d4'.repeat(5)}\nAuthor: someone`,
      FILE.toString('hex'),
    ];
    for (const text of texts.slice(0, -1)) expect(findings(text), text.slice(0, 40)).toEqual([]);
    expect(dumpTexts(texts.at(-1) as string, ' | ')).toEqual([]);
    expect(dumpTexts(texts.at(-3) as string, ' | ')).toEqual([]);
  });
});

describe('rows out of order of their offsets (dumpTexts reads a run of rows sorted)', () => {
  /** The rows of `dump` in the order `order` gives their indices. */
  const rearranged = (dump: string, eol: string, order: (n: number) => number[]) => {
    const rows = dump.split(eol);
    return order(rows.length)
      .map((k) => rows[k])
      .join(eol);
  };
  const lastToFirst = (n: number) => Array.from({ length: n }, (_, k) => n - 1 - k);
  /** A fixed shuffle: every third row first, then the others. */
  const shuffled = (n: number) => [
    ...Array.from({ length: n }, (_, k) => k).filter((k) => k % 3 === 2),
    ...Array.from({ length: n }, (_, k) => k).filter((k) => k % 3 !== 2),
  ];
  it.each([
    ['xxd', '\n'],
    ['hexdump -C', '\n'],
    ['od -A x -t x1', '\n'],
    ['od -b', '\n'],
    ['xxd with CRLF', '\r\n'],
    ['xxd double-spaced (a blank line between rows)', '\n\n'],
  ])('%s rows last to first, or shuffled: the file, over the whole run', (name, eol) => {
    for (const order of [lastToFirst, shuffled]) {
      const rows = rearranged((LAYOUTS[name] as (b: Buffer) => string)(FILE), eol, order);
      const dump = `Here is the file:\n${rows}\nWhat does it set?`;
      const found = dumpTexts(dump, ' | ');
      // Shuffled, rows still in order two by two read as the pieces they hold too.
      if (order === lastToFirst) expect(found.map((d) => d.text)).toEqual([FILE.toString()]);
      const d = found.find((x) => x.text === FILE.toString()) as { start: number; end: number };
      expect([dump.slice(0, d.start), dump.slice(d.end)]).toEqual(['Here is the file:\n', '\nWhat does it set?']);
    }
  });
  it.each([
    ['a line of a space', '\n \n'],
    ['a line of a tab', '\n\t\n'],
    ['two blank lines', '\n\n\n'],
  ])('xxd rows last to first with %s between: the file', (_name, between) => {
    const rows = (LAYOUTS.xxd as (b: Buffer) => string)(FILE).split('\n').reverse().join(between);
    expect(dumpTexts(rows, ' | ').map((d) => d.text)).toContain(FILE.toString());
  });
  it('a decoy row of blanks at each offset, before or after the real row, in order or not: the file', () => {
    const rows = (LAYOUTS.xxd as (b: Buffer) => string)(FILE).split('\n');
    const decoy = (row: string) => `${row.slice(0, 10)}2020 2020 2020 2020 2020 2020 2020 2020`;
    for (const layout of [
      rows.flatMap((l) => [decoy(l), l]),
      rows.flatMap((l) => [l, decoy(l)]),
      rows.flatMap((l) => [decoy(l), l]).reverse(),
    ]) {
      expect(dumpTexts(layout.join('\n'), ' | ').map((d) => d.text.trimEnd())).toContain(FILE.toString().trimEnd());
    }
  });
  it('control: five blank lines or a word between rows end a dump; a number and cells of prose are none', () => {
    const rows = (LAYOUTS.xxd as (b: Buffer) => string)(FILE).split('\n');
    expect(dumpTexts(rows.join('\n\n\n\n\n\n'), ' | ').map((d) => d.text)).not.toContain(FILE.toString());
    expect(dumpTexts(rows.join('\n# next\n'), ' | ').map((d) => d.text)).not.toContain(FILE.toString());
    expect(dumpTexts(rows.join('\n\n\n\n'), ' | ').map((d) => d.text)).toContain(FILE.toString());
    const prose = [
      '2024   a   b   c   d   e   f   g   h   i   j',
      '2025   k   l   m   n   o   p   q   r   s   t',
      '0000   w   o   r   d   s       a   n   d',
      '0010   m   o   r   e',
    ].join('\n');
    expect(findings(prose)).toEqual([]);
  });
  it('control: two dumps one after the other are each read in order; rows of one offset are no dump', () => {
    const other = Buffer.from('PATH=/usr/local/bin:/usr/bin\nLANG=en_US.UTF-8\n');
    const xxd = LAYOUTS.xxd as (b: Buffer) => string;
    const texts = dumpTexts(`${xxd(FILE)}\n${xxd(other)}`, ' | ').map((d) => d.text);
    expect(texts).toContain(FILE.toString());
    expect(texts).toContain(other.toString());
    const row = xxd(FILE).split('\n')[0] as string;
    expect(dumpTexts(Array(64).fill(row).join('\n'), ' | ')).toEqual([]);
  });
  it('work: lines looked at grow as the rows do (rows of one offset: read once; out of order: one sorted read)', () => {
    const row = (LAYOUTS.xxd as (b: Buffer) => string)(FILE).split('\n')[0] as string;
    const rows = (LAYOUTS.xxd as (b: Buffer) => string)(Buffer.alloc(4096, 0x41)).split('\n');
    const perLine = (text: string) => {
      const work = { lines: 0 };
      dumpTexts(text, ' | ', work);
      return work.lines / text.split('\n').length;
    };
    for (const n of [1_000, 8_000]) {
      // The run's look (the scan reads a run of one offset only as one row, the first and the last): each line once.
      expect(perLine(Array(n).fill(row).join('\n'))).toBeLessThanOrEqual(1.01);
    }
    for (const n of [64, 256]) {
      // A run out of order: its rows once more, sorted (a dump found in the sorted rows is read as one).
      const reversed = rows.slice(0, n).reverse().join('\n');
      expect(perLine(reversed)).toBeLessThanOrEqual(3);
    }
  });
});

describe('the dump a stream ends in (trailingDumpStart)', () => {
  const rows = (LAYOUTS['hexdump -C'] as (b: Buffer) => string)(FILE);
  const hexLines = (LAYOUTS['xxd -p'] as (b: Buffer) => string)(FILE);
  it('held from its first row while its rows, a row arriving or a line break after a row, end the text', () => {
    const intro = 'Here is the file:\n';
    for (const cut of [intro.length + 20, intro.length + 100, intro.length + 190, intro.length + rows.length]) {
      expect(trailingDumpStart(`${intro}${rows}\n`.slice(0, cut)), String(cut)).toBe(intro.length);
    }
    expect(trailingDumpStart(`${intro}${rows}\n00000`)).toBe(intro.length);
    expect(trailingDumpStart(`${intro}${hexLines.slice(0, 100)}`)).toBe(intro.length);
    expect(trailingDumpStart(`${intro}${rows.replaceAll('\n', '\r\n')}\r\n`)).toBe(intro.length);
    // Rows double-spaced: held over the blank lines, a blank line at the end too.
    expect(trailingDumpStart(`${intro}${rows.replaceAll('\n', '\n\n')}\n\n`)).toBe(intro.length);
    // A row glued after another run's text (a second text block after 'Here:').
    expect(trailingDumpStart(`Here:${rows.slice(0, 120)}`)).toBe(5);
  });
  it('control: a dump followed by prose, prose, and numbers after a space hold nothing', () => {
    const text = `${rows}\nThat is the whole file.`;
    expect(trailingDumpStart(text)).toBe(text.length);
    expect(trailingDumpStart('Plain words end here.')).toBe(21);
    for (const prose of [
      'The colour was cafe',
      'Your card 4111 1111 1111 1111 was',
      'The patient MRN: 00',
      'In 2024 a',
    ]) {
      expect(trailingDumpStart(prose), prose).toBe(prose.length);
    }
  });
});
