// Dump rows at their edges (decode-der-rows.ts, stream-key-hold.ts): quote and list marks before each row, rows ending
// in CRLF or a lone CR, read whole and streamed a character a push. Controls: git hashes and dates in lists and quotes.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pastMarks, ROW_MARKS, rowAt } from '../../../src/classification/decode-der-rows.ts';
import { createClassifier, createStreamScanner } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(4) });
const types = (text: string) => classifier.classify([{ path: 'p', text }]).findings.map((f) => f.type);
const ed25519 = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer;

const rowsOf = (key: Buffer, line: (row: Buffer, at: number) => string) =>
  Array.from({ length: Math.ceil(key.length / 16) }, (_, i) => line(key.subarray(i * 16, i * 16 + 16), i * 16));
const hexRow = (row: Buffer, at: number) =>
  `${at.toString(16).padStart(7, '0')} ${(row.toString('hex').match(/../g) as string[]).join(' ')}`;
const wordRow = (row: Buffer, at: number) =>
  `${at.toString(16).padStart(7, '0')} ${(row.toString('hex').match(/.{4}/g) as string[])
    .map((w) => w.slice(2) + w.slice(0, 2))
    .join(' ')}`;
const xxdRow = (row: Buffer, at: number) =>
  `${at.toString(16).padStart(8, '0')}: ${(row.toString('hex').match(/.{1,4}/g) as string[]).join(' ')}`;
const LAYOUTS = { od: hexRow, hexdump: wordRow, xxd: xxdRow };

/** A stream of `text` a character a push: whether the text released before the end holds `probe`. */
function releasedEarly(text: string, probe: string): boolean {
  const scanner = createStreamScanner({ classifier, path: 'p' });
  let released = '';
  for (const c of text) released += scanner.push(c).text;
  return released.includes(probe);
}

describe('quote and list marks before a row (pastMarks)', () => {
  it.each([
    ['> 0000000 30', 2],
    ['> > >0000000 30', 5],
    ['- 0000000 30', 2],
    ['* 0000000 30', 2],
    ['12. 0000000 30', 4],
    ['> 3) 0000000 30', 5],
    ['  >  + 0000000 30', 7],
  ])('%j: the offset column starts at %i', (line, at) => {
    expect(pastMarks(line, 0)).toBe(at);
    expect(rowAt(line, 0)?.offset).toBe(0);
  });
  it('edges: a mark without a space, two list marks, a number of four digits and marks past ROW_MARKS are no marks', () => {
    expect(pastMarks('-0000000 30', 0)).toBe(0);
    expect(pastMarks('- - 0000000 30', 0)).toBe(2);
    expect(pastMarks('1234. 0000000 30', 0)).toBe(0);
    expect(rowAt(`${'> '.repeat(ROW_MARKS)}0000000 30`, 0)).toBeUndefined();
  });
  it('an offset column is 4 to 16 hex digits (PowerShell 7 Format-Hex writes 16); 3 or 17 are none', () => {
    expect(rowAt('0000000000000010 30 82', 0)).toEqual({ digits: '0000000000000010', offset: 16, hex: 17 });
    expect(rowAt('0010 30 82', 0)?.offset).toBe(16);
    expect(rowAt('00000000000000010 30 82', 0)).toBeUndefined();
    expect(rowAt('010 30 82', 0)).toBeUndefined();
  });
  it('a DER key in Format-Hex rows of 16-digit offsets is a key', () => {
    const rows = rowsOf(
      ed25519,
      (row, at) =>
        `${at.toString(16).toUpperCase().padStart(16, '0')} ${[...row].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ')}`,
    );
    expect(types(`${rows.join('\n')}\n`)).toContain('PRIVATE_KEY');
  });
});

describe('a DER key in dump rows quoted, listed, or ending in CRLF or CR', () => {
  const marks = ['> ', '> > > ', '- ', '* ', '1. ', '>   - '];
  it.each(Object.entries(LAYOUTS))(
    '%s rows under each mark, and with CRLF and lone CR line ends, are keys',
    (_n, row) => {
      const rows = rowsOf(ed25519, row);
      for (const mark of marks) {
        expect(types(`Earlier:\n${rows.map((r) => mark + r).join('\n')}\n`), mark).toContain('PRIVATE_KEY');
      }
      for (const eol of ['\r\n', '\r'])
        expect(types(rows.join(eol) + eol), JSON.stringify(eol)).toContain('PRIVATE_KEY');
    },
  );
  it.each(Object.entries(LAYOUTS))('%s rows quoted, CRLF or CR, streamed a character a push, are held', (_n, row) => {
    const rows = rowsOf(ed25519, row);
    const probe = (rows[1] as string).slice(-12);
    expect(releasedEarly(`${rows.map((r) => `> ${r}`).join('\n')}\n`, probe)).toBe(false);
    for (const eol of ['\r\n', '\r'])
      expect(releasedEarly(rows.join(eol) + eol, probe), JSON.stringify(eol)).toBe(false);
  });
  it('control: git hashes, dates and numbers in lists and quotes are no key, and are streamed', () => {
    const text = [
      '- 3f2a9c1 fix the parser',
      '- 302e0201 merge branch',
      '> 2024 30 2e 02 01 was the year',
      '1. 0000000 30 31 32',
      '* 0000010 33 34 35',
    ].join('\n');
    expect(types(text)).not.toContain('PRIVATE_KEY');
    expect(releasedEarly(`${text}\nthat is all for today, thanks.`, 'fix the parser')).toBe(true);
  });
});
