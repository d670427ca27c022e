// JavaScript's escape() form (%uXXXX, with %XX), CSS escapes (\41 , \000041), Perl's \x{…}, the Unicode notation
// U+XXXX (mixed in one run), short octal escapes and bytes in binary read as the characters they name
// (decode-escapes.ts wideEscapeRuns, escapeAt, binaryByteRuns): each decoded unit mapped to its own escape.
import { describe, expect, it } from 'vitest';
import { binaryByteRuns } from '../../../src/classification/decode-code-lists.ts';
import { type MappedText, MIN_WIDE_ESCAPES, wideEscapeRuns } from '../../../src/classification/decode-escapes.ts';
import { createClassifier } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });
const find = (text: string) =>
  classifier.classify([{ path: 'p', text }]).findings.map((f) => ({ type: f.type, value: text.slice(f.start, f.end) }));
const runsOf = (text: string) => {
  const runs: { from: number; end: number; decoded: MappedText }[] = [];
  wideEscapeRuns(text, (from, end, decoded) => runs.push({ from, end, decoded }));
  return runs.map((r) => ({ text: r.decoded.text, original: text.slice(r.from, r.end), decoded: r.decoded }));
};
const codes = (text: string, write: (hex: string) => string) =>
  [...text].map((c) => write(c.charCodeAt(0).toString(16).padStart(4, '0'))).join('');
const KEY = 'AKIAZ3MQWXR5TLPB6Y7N';

describe('JavaScript %uXXXX and CSS escapes', () => {
  it.each([
    ['%uXXXX', codes(KEY, (h) => `%u${h}`)],
    ['%uXXXX and %XX mixed', codes(KEY, (h) => `%u${h}`).replace('%u0041', '%41')],
    ['CSS \\HH and a space', codes(KEY, (h) => `\\${h.replace(/^0+/, '')} `)],
    ['CSS \\HH with a tab, CR LF and a line feed', codes(KEY, (h) => `\\${h.replace(/^0+/, '')}\r\n`)],
    ['CSS \\00HHHH (six digits, no space)', codes(KEY, (h) => `\\00${h}`)],
    ['CSS \\HH glued to the next escape', codes(KEY, (h) => `\\${h.replace(/^0+/, '')}`)],
  ])('%s: an AWS key after its word is found over its escapes', (_name, escaped) => {
    // A CSS escape ends with the one whitespace after it: the space before `ok` is the last escape's own.
    const value = /\\[0-9a-f]+$/i.test(escaped) ? `${escaped} ` : escaped;
    expect(find(`aws ${escaped} ok`)).toEqual([{ type: 'AWS_ACCESS_KEY', value }]);
  });

  it('maps each unit to its own escape; a run starts back at the characters before its first escape', () => {
    const text = 'x id=%u0041%u004B%49%u0041! y';
    const [run, ...more] = runsOf(text);
    expect(more).toEqual([]);
    expect([run?.text, run?.original]).toEqual(['id=AKIA!', 'id=%u0041%u004B%49%u0041!']);
    const pieces = [...(run?.decoded.starts ?? [])].map((s, k) => run?.original.slice(s, run.decoded.ends[k]));
    expect(pieces).toEqual(['i', 'd', '=', '%u0041', '%u004B', '%49', '%u0041', '!']);
    // Astral code points from six CSS digits are two units of one escape; 0 and surrogates read as U+FFFD.
    const [css] = runsOf('\\1F600 \\0 \\D800 \\41 ');
    expect(css?.text).toBe('\u{1f600}\ufffd\ufffdA');
    expect([...(css?.decoded.starts ?? [])]).toEqual([0, 0, 7, 10, 16]);
  });

  it(`control: fewer than ${MIN_WIDE_ESCAPES} escapes, LaTeX, Windows paths and JSON escapes are no run`, () => {
    const texts = [
      '%u0041%u0042%u0043 and 50%useful',
      '$\\beta + \\alpha = \\frac{a}{b} \\cdot \\dfrac{1}{2}$',
      'C:\\dev\\bad\\fade\\cafe.txt and C:\\Users\\me\\Desktop',
      '{"a": "line\\nnext\\ttab \\"q\\" \\\\"}',
      'a.b { content: "\\201C"; } c { content: "\\2014" }',
    ];
    for (const text of texts) expect([text, runsOf(text).map((r) => r.text)]).toEqual([text, []]);
  });

  it('reads each character a bounded number of times: many triggers in a row stay linear', () => {
    const text = '%u'.repeat(50_000) + '\\'.repeat(50_000) + '\\41 '.repeat(3);
    expect(runsOf(text)).toEqual([]);
    const many = '\\41 '.repeat(20_000);
    expect(runsOf(many).map((r) => r.text.length)).toEqual([20_000]);
  });
});

describe("Perl's and PCRE's \\x{…} and the Unicode notation U+XXXX", () => {
  const hex = (c: string) => c.charCodeAt(0).toString(16).toUpperCase();
  it.each([
    ['\\x{41}\\x{4B}…', [...KEY].map((c) => `\\x{${hex(c)}}`).join('')],
    ['\\x{0041} (four digits, lower case)', [...KEY].map((c) => `\\x{00${hex(c).toLowerCase()}}`).join('')],
    ['U+0041 U+004B …', [...KEY].map((c) => `U+00${hex(c)}`).join(' ')],
    ['U+0041, U+004B, …', [...KEY].map((c) => `U+00${hex(c)}`).join(', ')],
    ['U+0041U+004B… (glued)', [...KEY].map((c) => `U+00${hex(c)}`).join('')],
  ])('%s: an AWS key after its word is found over its codes', (_name, written) => {
    expect(find(`aws ${written} ok`)).toEqual([{ type: 'AWS_ACCESS_KEY', value: written }]);
  });

  it('maps each unit to its code, not the separator after it; astral code points are two units of one code', () => {
    const [run, ...more] = runsOf('see U+0041, U+1F600  U+004B U+0049. done');
    expect(more).toEqual([]);
    expect([run?.text, run?.original]).toEqual(['A\u{1f600}KI.', 'U+0041, U+1F600  U+004B U+0049.']);
    const pieces = [...(run?.decoded.starts ?? [])].map((s, k) => run?.original.slice(s, run.decoded.ends[k]));
    expect(pieces).toEqual(['U+0041', 'U+1F600', 'U+1F600', 'U+004B', 'U+0049', '.']);
  });

  it('control: regex classes of 1-3 \\x{…}, a Unicode table, one-digit, glued or invalid codes add no finding', () => {
    const texts = [
      '/[\\x{4E00}-\\x{9FFF}]+/u and /[\\x{3040}-\\x{309F}\\x{30A0}]/u and /\\x{FEFF}/',
      '| U+00E9 | é | LATIN SMALL LETTER E WITH ACUTE |\n| U+00E8 | è |\n| U+00EA | ê |\n| U+00EB | ë |',
      'U+00E9 U+00E8 U+00EA U+00EB U+00E0 U+00E2 U+00E7 U+00F4 U+00FB U+00EE (French accents)',
      'U+0041x U+004By U+0049z U+0041w and U+4 U+B U+9 U+1 and \\x{D800}\\x{110000}\\x{}\\x{41',
    ];
    for (const text of texts) expect([text, find(text)]).toEqual([text, []]);
    expect(runsOf(texts[3] as string)).toEqual([]);
  });

  it('stays linear: many triggers in a row', () => {
    expect(runsOf('U+'.repeat(50_000) + '\\x{'.repeat(50_000))).toEqual([]);
    expect(runsOf('U+0041 '.repeat(20_000)).map((r) => r.text.length)).toEqual([20_000]);
  });
});

describe('U+ code points apart by lines, tabs or `;`, mixed notations, short octal escapes, bytes in binary', () => {
  const hex = (c: string) => c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  const LINE = `AWS_ACCESS_KEY_ID=${KEY}`;
  const binary = (text: string, between: string) =>
    [...text].map((c) => c.charCodeAt(0).toString(2).padStart(8, '0')).join(between);
  it.each([
    ['one a line', [...KEY].map((c) => `U+${hex(c)}`).join('\n')],
    ['one a CRLF line', [...KEY].map((c) => `U+${hex(c)}`).join('\r\n')],
    ['split by "; "', [...KEY].map((c) => `U+${hex(c)}`).join('; ')],
    ['split by a tab', [...KEY].map((c) => `U+${hex(c)}`).join('\t')],
    ['split by four spaces', [...KEY].map((c) => `U+${hex(c)}`).join('    ')],
    ['half U+, half \\u', [...KEY].map((c, i) => (i < 10 ? `U+${hex(c)} ` : `\\u${hex(c)}`)).join('')],
    ['every other character U+', [...KEY].map((c, i) => (i % 2 ? c : `U+${hex(c)} `)).join('')],
    ['%u then \\x{…}', [...KEY].map((c, i) => (i < 10 ? `%u${hex(c)}` : `\\x{${hex(c)}}`)).join('')],
    ['u+0041 (small u)', [...KEY].map((c) => `u+${hex(c)}`).join(' ')],
    ['U+41 (unpadded)', [...KEY].map((c) => `U+${hex(c).replace(/^0+/, '')}`).join(' ')],
  ])('%s: the key is read', (_name, written) => {
    expect(runsOf(`aws ${written} ok`).some((r) => r.text.includes(KEY))).toBe(true);
  });

  it('a finding covers the codes, not a separator after the last', () => {
    const written = [...KEY].map((c) => `U+${hex(c)}`).join('\n');
    expect(find(`aws ${written}\n ok`)).toEqual([{ type: 'AWS_ACCESS_KEY', value: written }]);
  });

  it.each([
    ['1 to 3 digits', [...LINE].map((c) => `\\${c.charCodeAt(0).toString(8)}`).join('')],
    ['3 digits', [...LINE].map((c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`).join('')],
    ["echo -e's \\0 and 3 digits", [...LINE].map((c) => `\\0${c.charCodeAt(0).toString(8).padStart(3, '0')}`).join('')],
  ])('octal escapes of %s are read as printf reads them', (_name, written) => {
    expect(find(`printf '${written}'`).map((f) => f.type)).toEqual(['AWS_ACCESS_KEY']);
  });

  it.each([
    ['spaces', ' '],
    ['", "', ', '],
    ['one a line', '\n'],
  ])('bytes in binary apart by %s are read', (_name, between) => {
    expect(find(binary(LINE, between)).map((f) => f.type)).toEqual(['AWS_ACCESS_KEY']);
  });

  it('seven bits a character (ASCII as text-to-binary converters print it) are read', () => {
    const seven = [...LINE].map((c) => c.charCodeAt(0).toString(2).padStart(7, '0')).join(' ');
    expect(find(seven).map((f) => f.type)).toEqual(['AWS_ACCESS_KEY']);
  });

  it('control: a Windows path, regex back-references, a run of three binary bytes, 0b literals: no finding', () => {
    const texts = [
      'C:\\1\\2\\3\\Users\\2024\\12\\31\\report.docx and s/(a)(b)/\\2\\1/g and \\0',
      `flags ${binary('AKI', ' ')} end`,
      '0b01000001 0b01001011 0b01001001 0b01000001 0b01011010',
    ];
    for (const text of texts) expect([text, find(text)]).toEqual([text, []]);
  });

  it('stays linear: many binary bytes, many near-misses', () => {
    const runs: number[] = [];
    binaryByteRuns('01000001 '.repeat(50_000), (_f, _e, d) => runs.push(d.text.length));
    expect(runs).toEqual([50_000]);
    const misses: number[] = [];
    binaryByteRuns('0100000 1 '.repeat(50_000) + '010000011 '.repeat(50_000), (_f, _e, d) =>
      misses.push(d.text.length),
    );
    expect(misses).toEqual([]);
  });
});
