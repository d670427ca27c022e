// The groups scan's candidates (decode-candidates.ts groupCandidates: `groups` for runs apart on one line, `groupLines`
// for runs with a line break among their first separators, each searched again only past its last answer) find every
// run the scan's own reading finds (exhaustive: every offset a candidate), on lines of base64 groups behind log
// stamps, comments, prompts and quotes, mixed with prose. One pattern of every width with the line separator in each
// cost 1-2 s a 64 KB README (2026-12-08): its cost is the benchmark's (bench/classification.ts), not a test's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDecodeBudget, decodedRuns } from '../../../src/classification/decode.ts';
import { normalizeText } from '../../../src/classification/normalize.ts';

const B = Buffer.from('aws AKIAZ3MQWXR5TLPB6Y7N and more text here').toString('base64');

const runs = (text: string, exhaustive: boolean) =>
  decodedRuns(normalizeText(text), createDecodeBudget(), exhaustive).map((r) => [r.start, r.end, r.text] as const);

/** `B` cut in groups of `width`, each behind `before` and followed by `after`, joined by `join`. */
const lines = fc
  .record({
    width: fc.integer({ min: 4, max: 20 }),
    before: fc.constantFrom('', '# ', '2026-12-07T19:00:01Z INFO ', '  "', 'REM ', '10 ', '$ echo "'),
    after: fc.constantFrom('', '  # chunk', '" +', '" >> key.pem', ' \\', ','),
    join: fc.constantFrom('\n', '\r\n', '\n\n', ' ', '\n  ', ' \n'),
    count: fc.integer({ min: 2, max: 8 }),
  })
  .map(({ width, before, after, join, count }) =>
    Array.from({ length: count }, (_, i) => `${before}${B.slice(i * width, (i + 1) * width)}${after}`).join(join),
  );
const prose = fc.constantFrom(
  'The quick brown fox jumps over the lazy dog.\n',
  'with some words here\nand more words there ',
  'INFO started\n',
  'that they were here ',
  '',
);

describe('groups scan candidates', () => {
  // What every offset's reading decodes, the candidates decode too, or a run over it whose text holds it (the prefilter
  // loses nothing). Not equality: where one run's reading skips past the start of another (echo lines, then REM lines
  // of one key), the candidates, which do not stop at the first, may read the second whole: `aws AKIA…` where every
  // offset read `5TLPB…` (seed -2073069389 of 969eba3's CI). More is read, never less.
  it('find what every offset as a candidate finds, on wrapped groups among prose', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(lines, prose), { minLength: 1, maxLength: 5 }), (parts) => {
        const text = parts.join('');
        const found = runs(text, false);
        for (const [start, end, decoded] of runs(text, true)) {
          const over = found.some((r) => r[0] <= start && r[1] >= end && r[2].includes(decoded));
          expect({ start, end, decoded, over }).toEqual({ start, end, decoded, over: true });
        }
      }),
      { numRuns: 400 },
    );
  });

  it('read the key in REM lines after echo lines of another', () => {
    const text = [
      '$ echo "YXdz" >> key.pem\n$ echo "IEFL" >> key.pem',
      'REM YXdzIEFLSUFaM01RV\nREM 1hSNVRMUEI2WTdOIG\nREM FuZCBtb3JlIHRleHQ',
      'YXdz\nIEFL',
    ].join('');
    expect(runs(text, false).map((r) => r[2])).toContain('aws AKIAZ3MQWXR5TLPB6Y7N ');
  });

  it('find the run of lines of 12 behind a log stamp and a varying level', () => {
    const text = [0, 1, 2]
      .map((i) => `2026-12-07T19:00:0${i}Z ${['INFO', 'WARN', 'DEBUG'][i]} ${B.slice(i * 12, (i + 1) * 12)}`)
      .join('\n');
    expect(runs(text, false).map((r) => r[2])).toContain(Buffer.from(B.slice(0, 36), 'base64').toString());
  });
});
