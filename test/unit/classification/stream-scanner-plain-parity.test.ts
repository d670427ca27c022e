// The stream scanner against the plain answer's screen, as an attacker of it: a text the classifier finds a redacted
// or blocked value in, read whole, is never released by a stream of the same text cut at random points without that
// finding, in the stream shapes the relay gives the scanner (the text alone; after an answer's id and model, fields
// read in order; as a second text block after another). Families: an unformatted SSN after its context word at the
// very start of the text, DER private keys in the notations the plain screen reads (dump rows, xxd, hex lists,
// decimal lists, string literals joined, Python bytes literals), and a text file's SSN as hex dumps.
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClassifier, createStreamScanner, type ScannedChunk } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(5) });
const SCREENED = new Set(['US_SSN', 'CREDIT_CARD', 'PRIVATE_KEY']);

const pieces = (text: string, width: number) => text.match(new RegExp(`.{1,${width}}`, 'gs')) as string[];
const der = (type: 'ed25519' | 'ec') =>
  (type === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    : generateKeyPairSync('ed25519').privateKey
  ).export({ type: 'pkcs8', format: 'der' }) as Buffer;
const pyByte = (b: number) =>
  b >= 0x20 && b < 0x7f && b !== 0x27 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;

/** A key's bytes as the notations the plain answer's screen reads (decode-der-notations.ts, decode-der-literals.ts). */
function notations(key: Buffer): string[] {
  const hex = key.toString('hex');
  const rows = (width: number, gap: string) =>
    pieces(hex, 32)
      .map((row, i) => `${(i * 16).toString(16).padStart(width, '0')}${gap}${pieces(row, 2).join(' ')}`)
      .join('\n');
  return [
    rows(7, ' '), // od -A x -t x1
    rows(8, '  '), // hexdump -C without its character column
    pieces(hex, 32)
      .map((row, i) => `${(i * 16).toString(16).padStart(8, '0')}: ${pieces(row, 4).join(' ')}`)
      .join('\n'), // xxd
    pieces(hex, 60).join('\n'), // xxd -p
    pieces(hex, 2)
      .map((b) => `0x${b}`)
      .join(', '), // a C array
    [...key].join(', '), // Python's list(key), unbracketed
    `[${[...key].map((b) => (b > 127 ? b - 256 : b)).join(',')}]`, // Java's signed bytes
    pieces(hex, 20)
      .map((p) => `"${p}"`)
      .join(' +\n'), // string literals joined
    `b'${[...key].map(pyByte).join('')}'`, // Python's bytes repr
    // 865ebf0's notations: rows of little-endian words with hex (hexdump) or octal (od -x) offsets, od -b's octal
    // bytes, hex literals with a type suffix, a bytes repr wrapped over adjacent literals (in parentheses, or
    // continued by `\` and a line break), C strings of octal or \x escapes (wrapped too).
    wordRows(key, 16),
    wordRows(key, 8),
    rowsOf(key, (row, at) => `${at.toString(8).padStart(7, '0')} ${[...row].map((b) => octal(b)).join(' ')}`),
    pieces(hex, 2)
      .map((b) => `0x${b}u8`)
      .join(', '),
    `(${byteRows(key)
      .map((row) => `b'${[...row].map(pyByte).join('')}'`)
      .join('\n ')})`,
    byteRows(key)
      .map((row) => `b'${[...row].map(pyByte).join('')}'`)
      .join(' \\\n'),
    `"${[...key].map((b) => `\\${octal(b)}`).join('')}"`,
    pieces([...key].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join(''), 48)
      .map((p) => `"${p}"`)
      .join('\n'),
  ];
}

const byteRows = (key: Buffer) =>
  Array.from({ length: Math.ceil(key.length / 16) }, (_, i) => key.subarray(i * 16, i * 16 + 16));
const octal = (b: number) => b.toString(8).padStart(3, '0');
/** A dump's rows of 16 bytes, each written by `line` from the row's bytes and its offset. */
const rowsOf = (key: Buffer, line: (row: Buffer, at: number) => string) =>
  Array.from({ length: Math.ceil(key.length / 16) }, (_, i) => line(key.subarray(i * 16, i * 16 + 16), i * 16)).join(
    '\n',
  );
/** hexdump's (`radix` 16) or od -x's (8) rows: 16-bit little-endian words, offsets of seven digits. */
const wordRows = (key: Buffer, radix: 16 | 8) =>
  rowsOf(
    key,
    (row, at) =>
      `${at.toString(radix).padStart(7, '0')} ${(row.toString('hex').match(/.{1,4}/g) as string[])
        .map((w) => (w.length === 4 ? w.slice(2) + w.slice(0, 2) : `00${w}`))
        .join(' ')}`,
  );

const KEYS = [der('ed25519'), der('ec')];
/** A text file as hex dumps (decode-dumps.ts reads a dump's rows back to one text): its SSN crosses a row's end. */
const FILE = Buffer.from('# ids on file\nUSER_SSN=219-09-9999\nname: Jo\n');
const shown = (b: number) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.');
const DUMPS = [
  rowsOf(FILE, (row, at) => {
    const cells = pieces(row.toString('hex'), 2);
    const hex = `${at.toString(16).padStart(8, '0')}  ${cells.slice(0, 8).join(' ')}  ${cells.slice(8).join(' ')}`;
    return `${hex.padEnd(60, ' ')}|${[...row].map(shown).join('')}|`;
  }), // hexdump -C
  rowsOf(FILE, (row, at) => `${at.toString(16).padStart(8, '0')}: ${pieces(row.toString('hex'), 4).join(' ')}`), // xxd
  pieces(FILE.toString('hex'), 30).join('\n'), // xxd -p at 15 bytes a line
];
const TEXTS = [
  'ssn 219099999',
  'SSN 219099999 is on file',
  'social security number 219099999',
  'SSN: 219-09-9999',
  ...KEYS.flatMap(notations),
  ...DUMPS,
];

/** The relay's stream shapes, as the runs pushed before the text (the text's own run is `text`). */
const SHAPES: { text: string; run: string }[][] = [
  [],
  [
    { text: 'chatcmpl-9', run: 'field:id' },
    { text: 'gpt-4o', run: 'field:model' },
  ],
  [{ text: 'Here:', run: 'content[0].text' }],
];

/** Streams `text` after `before`, cut at `cuts`; the chunks, and where the text starts in the stream. */
function stream(before: { text: string; run: string }[], text: string, cuts: number[]) {
  const scanner = createStreamScanner({ classifier, path: 'answer' });
  const chunks: ScannedChunk[] = before.length === 0 ? [] : [scanner.pushRuns(before)];
  const bounds = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...bounds, text.length]) {
    if (to > from) chunks.push(scanner.push(text.slice(from, to), 'text'));
    from = Math.max(from, to);
  }
  chunks.push(scanner.end());
  return { chunks, start: before.reduce((n, r) => n + r.text.length, 0) };
}

describe('a stream never releases what the plain answer screens', () => {
  it.each(TEXTS.map((t) => [t.slice(0, 40), t]))('%s: found read whole', (_, text) => {
    const plain = classifier.classify([{ path: 'answer', text }]).findings.filter((f) => SCREENED.has(f.type));
    expect(plain.length).toBeGreaterThan(0);
  });

  it('every screened value is reported by the chunk that first releases any of it, however the text is cut', () => {
    const texts = TEXTS.map((text) => ({
      text,
      plain: classifier.classify([{ path: 'answer', text }]).findings.filter((f) => SCREENED.has(f.type)),
    }));
    fc.assert(
      fc.property(
        fc.constantFrom(...texts),
        fc.constantFrom(...SHAPES),
        fc.oneof(
          fc.array(fc.nat({ max: 4096 }), { maxLength: 40 }),
          // Or a piece every `k` characters (a delta a token, as models stream).
          fc.integer({ min: 1, max: 9 }).map((k) => Array.from({ length: 800 }, (_, i) => (i + 1) * k)),
        ),
        ({ text, plain }, shape, cuts) => {
          const { chunks, start } = stream(shape, text, cuts);
          expect(chunks.map((c) => c.text).join('')).toBe(shape.map((r) => r.text).join('') + text);
          for (const f of plain) {
            const [a, z] = [start + f.start, start + f.end];
            const first = chunks.findIndex((c) => c.offset + c.text.length > a);
            const reported = chunks
              .slice(0, first + 1)
              .some((c) => c.findings.some((g) => g.type === f.type && c.offset + g.start < z && c.offset + g.end > a));
            expect({ type: f.type, reported }).toEqual({ type: f.type, reported: true });
          }
        },
      ),
      { numRuns: 150, seed: 20261207 },
    );
  }, 180_000); // 150 streams of up to 800 pieces: 15-26 s on this VM at load 2-12, past vitest's 30 s at load 28
});
