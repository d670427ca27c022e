// JavaScript's escape() form (%uXXXX, with %XX) and CSS escapes (\41 , \000041) read as the characters they name
// (decode-escapes.ts wideEscapeRuns): each decoded unit mapped to its own escape, at least MIN_WIDE_ESCAPES a run.
import { describe, expect, it } from 'vitest';
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

  it('maps each unit to its code, separators included; astral code points are two units of one code', () => {
    const [run, ...more] = runsOf('see U+0041, U+1F600  U+004B U+0049. done');
    expect(more).toEqual([]);
    expect([run?.text, run?.original]).toEqual(['A\u{1f600}KI.', 'U+0041, U+1F600  U+004B U+0049.']);
    const pieces = [...(run?.decoded.starts ?? [])].map((s, k) => run?.original.slice(s, run.decoded.ends[k]));
    expect(pieces).toEqual(['U+0041, ', 'U+1F600  ', 'U+1F600  ', 'U+004B ', 'U+0049', '.']);
  });

  it('control: regex classes of 1-3 \\x{…}, a Unicode table, short, glued or invalid codes add no finding', () => {
    const texts = [
      '/[\\x{4E00}-\\x{9FFF}]+/u and /[\\x{3040}-\\x{309F}\\x{30A0}]/u and /\\x{FEFF}/',
      '| U+00E9 | é | LATIN SMALL LETTER E WITH ACUTE |\n| U+00E8 | è |\n| U+00EA | ê |\n| U+00EB | ë |',
      'U+00E9 U+00E8 U+00EA U+00EB U+00E0 U+00E2 U+00E7 U+00F4 U+00FB U+00EE (French accents)',
      'U+41 U+4B U+49 U+41 and U+0041x U+004By U+0049z U+0041w and \\x{D800}\\x{110000}\\x{}\\x{41',
    ];
    for (const text of texts) expect([text, find(text)]).toEqual([text, []]);
    expect(runsOf(texts[3] as string)).toEqual([]);
  });

  it('stays linear: many triggers in a row', () => {
    expect(runsOf('U+'.repeat(50_000) + '\\x{'.repeat(50_000))).toEqual([]);
    expect(runsOf('U+0041 '.repeat(20_000)).map((r) => r.text.length)).toEqual([20_000]);
  });
});
