// A value with one visible filler between each two of its characters (filler-runs.ts) is found, over its characters
// and fillers; icon-font prose, emoji with skin tones, Arabic text and symbols between words are not read as runs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MappedText } from '../../../src/classification/decode-escapes.ts';
import { fillerRuns, MIN_FILLED_CHARS } from '../../../src/classification/filler-runs.ts';
import { createClassifier } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(6) });
const find = (text: string) =>
  classifier.classify([{ path: 'p', text }]).findings.map((f) => ({ type: f.type, value: text.slice(f.start, f.end) }));
const between = (value: string, filler: string) => [...value].join(filler);
const runsOf = (text: string) => {
  const runs: { from: number; end: number; decoded: MappedText }[] = [];
  fillerRuns(text, (from, end, decoded) => runs.push({ from, end, decoded }));
  return runs.map((r) => ({ text: r.decoded.text, original: text.slice(r.from, r.end) }));
};

describe('a value with one filler between each two characters', () => {
  it.each([
    ['private use', '\ue000'],
    ['supplementary private use', '\u{f0000}'],
    ['skin-tone modifier', '\u{1f3fb}'],
    ['Arabic number sign', '\u0600'],
    ['a symbol', '\u2605'],
  ])('%s: the key and the SSN are found, fillers included', (_name, filler) => {
    const key = between('AKIA2E0A8F3B244C9986', filler);
    const ssn = between('219-09-9999', filler);
    expect(find(`aws ${key} and ssn ${ssn}.`)).toEqual([
      { type: 'AWS_ACCESS_KEY', value: key },
      { type: 'US_SSN', value: ssn },
    ]);
  });

  it('reads the run without its fillers, mapped to each character and the filler after it', () => {
    expect(runsOf(`x ${between('ABCDEFGH', '\ue000')}\ue000 y`)).toEqual([
      { text: 'ABCDEFGH', original: `${between('ABCDEFGH', '\ue000')}\ue000` },
    ]);
    // Two fillers in turn, or a run shorter than MIN_FILLED_CHARS: no run.
    expect(runsOf(`x ${between('ABCDEFGH', '\ue000').replace('D\ue000', 'D\ue001')} y`)).toEqual([]);
    expect(runsOf(between('ABCDEFGH'.slice(0, MIN_FILLED_CHARS - 1), '\ue000'))).toEqual([]);
  });

  it('control: icon-font prose, emoji with skin tones, Arabic text and arrows between words read as nothing', () => {
    const texts = [
      '\ue000 Home \ue001 Settings \ue002 Profile: room 12, floor 3 \uf101Save\uf102Load',
      'great job 👍🏻👍🏻👍🏻👍🏻👍🏻👍🏻👍🏻👍🏻👍🏻 see you 👋🏽👋🏽👋🏽 at 10:30',
      'الرقم ؀١٢٣ في السنة ٢٠٢٤، والصفحة ١٢ من ٤٥ — مرحبا بكم',
      'build → test → deploy → monitor; A→B, B→C; ★★★★★ rated; 10×20 cm',
    ];
    for (const text of texts) {
      expect(runsOf(text)).toEqual([]);
      expect(find(text)).toEqual([]);
    }
  });

  it('reads each character a bounded number of times and never throws (any text of fillers and ASCII)', () => {
    const piece = fc.constantFrom('A', '1', '-', ' ', '\ue000', '\u{1f3fb}', '\u0600', 'é', '\u{1f44d}');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 200 }), (pieces) => {
        const text = pieces.join('');
        let read = 0;
        fillerRuns(text, (from, end, decoded) => {
          read += end - from;
          expect(decoded.text.length).toBeLessThanOrEqual(end - from);
          for (let k = 0; k < decoded.text.length; k += 1) {
            expect(text[from + (decoded.starts[k] as number)]).toBe(decoded.text[k]);
          }
        });
        expect(read).toBeLessThanOrEqual(text.length);
      }),
    );
  });
});
