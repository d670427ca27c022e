// Hex dumps read back to the text of their bytes (decode-dumps.ts): xxd, hexdump -C, hexdump, od -A x -t x1, od -x,
// xxd -p and plain hex wrapped, with CRLF and quoted rows; a value whose bytes cross a row's end is found over the
// dump.
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
const rowsOf = (bytes: Buffer, line: (row: Buffer, at: number) => string, eol = '\n') =>
  Array.from({ length: Math.ceil(bytes.length / 16) }, (_, i) =>
    line(bytes.subarray(i * 16, i * 16 + 16), i * 16),
  ).join(eol);
const shown = (b: number) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.');
const hex = (row: Buffer, width: number) => pieces(row.toString('hex'), width);
const words = (row: Buffer) => hex(row, 4).map((w) => (w.length === 4 ? w.slice(2) + w.slice(0, 2) : `00${w}`));
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
