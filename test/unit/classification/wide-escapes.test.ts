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
