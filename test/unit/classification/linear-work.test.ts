// Issue 18's linear time, counted rather than timed: the lines dumpTexts looks at grow with the text (the same per
// line at 16 KiB and 128 KiB of mixed two-byte prose, code, tables and dump rows), and its answer is the same whether
// a text's line breaks are LF or CRLF (its CR check is a RegExp test: `includes('\r')` in TurboFan's code of dumpsOf
// cost ~300 ms a 1 MiB two-byte text, 100x its work, after ~20 calls).
import { describe, expect, it } from 'vitest';
import { type DumpWork, dumpTexts } from '../../../src/classification/decode-dumps.ts';

const BLOCK = [
  '## Speed — où va le temps (€, “quotes”, 社会保障番号)',
  '| prompt | before | after |',
  '|---|---|---|',
  '- a list item with `code` and 0x1f, 2026-12-07, version 4.19.2',
  '    indented code: const x = [1, 2, 3];',
  '00000000: 5468 6520 7175 6963 6b20 6272 6f77 6e20  The quick brown ',
  '00000010: 666f 7820 6a75 6d70 7320 6f76 6572 2074  fox jumps over t',
  '',
].join('\n');

function mixed(bytes: number, newline = '\n'): string {
  let text = '';
  while (Buffer.byteLength(text) < bytes) text += `${BLOCK}\n`;
  return text.replaceAll('\n', newline);
}

describe('linear work (issue 18)', () => {
  it('dumpTexts looks at each line a bounded number of times, the same at 16 KiB and 128 KiB', () => {
    const perLine = (bytes: number) => {
      const text = mixed(bytes);
      const work: DumpWork = { lines: 0 };
      const dumps = dumpTexts(text, ' | ', work);
      return { ratio: work.lines / text.split('\n').length, dumps: dumps.length / text.split('\n').length };
    };
    const small = perLine(16 * 1024);
    const large = perLine(128 * 1024);
    expect(small.dumps).toBeGreaterThan(0); // the dump rows are read: the work counted is the real scan's
    expect(large.ratio).toBeLessThanOrEqual(small.ratio * 1.05);
    expect(large.ratio).toBeLessThan(3);
    expect(large.dumps).toBeCloseTo(small.dumps, 2);
  });

  it('reads the same dumps with LF and CRLF line breaks, called often enough to be optimised', () => {
    const lf = mixed(16 * 1024);
    const crlf = mixed(16 * 1024, '\r\n');
    const texts = (text: string) => dumpTexts(text, ' | ').map((d) => d.text);
    const expected = texts(lf);
    expect(expected.length).toBeGreaterThan(0);
    for (let i = 0; i < 40; i += 1) {
      expect(texts(lf)).toEqual(expected);
      expect(texts(crlf)).toEqual(expected);
    }
  });
});
