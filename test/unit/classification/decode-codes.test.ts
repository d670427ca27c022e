// Quoted-printable runs and lists of decimal character codes as decoded views (decode.ts, decode-escapes.ts): a value
// written either way is found, over exactly its own escapes or codes; ordinary `=` in code and URLs, and lists and
// tables of small numbers, decode to nothing or to text with no finding.
import { describe, expect, it } from 'vitest';
import { createClassifier, normalizeText } from '../../../src/classification/index.ts';
import { createDecodeBudget, decodedRuns } from '../../../src/classification/decode.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(3) });
const KEY = 'AKIAZ3MQWXR5TLPB6Y7N';
const findings = (text: string) =>
  classifier.classify([{ path: 'p', text }]).findings.map((f) => ({ type: f.type, value: text.slice(f.start, f.end) }));
const qp = (value: string) => [...Buffer.from(value)].map((b) => `=${b.toString(16).toUpperCase()}`).join('');
const codes = (value: string, separator: string) => [...value].map((c) => c.charCodeAt(0)).join(separator);
const runs = (text: string, exhaustive = false) =>
  decodedRuns(normalizeText(text), createDecodeBudget(), exhaustive).map((r) => r.text);

describe('quoted-printable', () => {
  it('finds a key written as =XX escapes, over its escapes only', () => {
    const encoded = qp(KEY);
    expect(findings(`decode ${encoded} please`)).toEqual([{ type: 'AWS_ACCESS_KEY', value: encoded }]);
  });
  it('finds an SSN inside a mail body with plain characters between the escapes', () => {
    const text = 'Subject: hi=20there=2C my ssn is 219=2D09=2D9999=2E=20Thanks=21=20Bye=0A';
    expect(findings(text).map((f) => f.type)).toContain('US_SSN');
  });
  it('control: fewer than 8 escapes are not decoded (code, URLs, colours)', () => {
    expect(runs('color=FF0000 a=1&b=2 x==AB y=AB=CD=EF=12 Caf=C3=A9')).toEqual([]);
  });
  it('the same whether candidates are searched natively or every offset is tried', () => {
    const text = `a = b; ${qp('hello world!')} == c =ZZ`;
    expect(runs(text)).toEqual(runs(text, true));
    expect(runs(text)).toEqual(['a = b; hello world! == c =ZZ']); // the line, its escapes decoded
  });
});

describe('decimal character codes', () => {
  it.each([
    ['commas', ','],
    ['comma and space', ', '],
    ['spaces', ' '],
    ['one item a line', ',\n  '],
    ['one item a line, comma first', '\n, '],
    ['one item a line, CRLF and semicolon first', '\r\n; '],
  ])('finds a key written as codes split by %s, over its codes only', (_name, separator) => {
    const encoded = codes(KEY, separator);
    expect(findings(`String.fromCharCode(${encoded})`)).toEqual([{ type: 'AWS_ACCESS_KEY', value: encoded }]);
  });
  it.each([
    ['a list of scores', '65, 72, 80, 91, 55, 60, 71, 88, 99, 45, 77'],
    ['a table of small numbers, a row a line', '37, 53, 42\n38, 54, 43\n39, 55, 44\n40, 56, 45\n41, 57, 46'],
    ['years and prices', '1999, 2004, 2010, 12.50, 13.75, 99, 100, 101'],
    ['fewer than eight codes', '65, 75, 73, 65, 90, 51, 77'],
    ['codes glued to words', 'a65 b75 c73 d65 e90 f51 g77 h81 i87'],
  ])('control: %s yields no finding', (_name, text) => {
    expect(findings(text)).toEqual([]);
  });
  it('reads a table row by row, not as one list', () => {
    expect(runs('65, 75, 73\n65, 90, 51\n77, 81, 87\n88, 82, 53')).toEqual([]);
  });
  it('the same whether candidates are searched natively or every offset is tried', () => {
    const text = `x 1, 2, 3 [${codes('hello there', ', ')}] 4 5 ${codes('abcdefgh', ' ')}`;
    expect(runs(text)).toEqual(runs(text, true));
    expect(runs(text)).toEqual(['hello there', 'abcdefgh']);
  });
});
