// The stream scanner holds back what the evasion-proof views read: digits with any separators, spaced digits, other
// scripts' digits, encoded runs and glued keys are found whole however the stream is chunked, never released early.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClassifier, createStreamScanner } from '../../../src/classification/index.ts';
import { trailingRunStart } from '../../../src/classification/stream-view-hold.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });

function run(chunks: string[]) {
  const scanner = createStreamScanner({ classifier, path: 'p', window: 64 });
  const out = [...chunks.map((c) => scanner.push(c)), scanner.end()];
  return {
    text: out.map((c) => c.text).join(''),
    chunks: out.map((c) => c.text),
    values: out.flatMap((c) =>
      c.findings.map((f) => ({
        type: f.type,
        value: c.text.slice(f.start, f.end),
        at: c.offset + f.start,
      })),
    ),
  };
}

const EVASIONS = [
  '219.09.9999',
  '219/09/9999',
  '219   09   9999',
  '219\n09\n9999',
  '219–09–9999',
  '٢١٩-٠٩-٩٩٩٩',
  '219-0\u00009-9999',
  'SSN 2 1 9 0 9 9 9 9 9',
  '4111.1111.1111.1111',
  'keyAKIA2E0A8F3B244C9986',
  Buffer.from('ssn 219-09-9999').toString('base64'),
  Buffer.from('219-09-9999').toString('hex'),
  '219%2D09%2D9999',
  [...'219-09-9999'].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join(''),
  '2\u20e31\u20e39\u20e3-09-9999',
  '219-\u202e09-9999',
  '\\x32\\x31\\x39-\\x30\\x39-\\x39\\x39\\x39\\x39',
  '&#50;&#49;&#57;-09-9999',
];

describe('streamed evasions', () => {
  it('an SSN with dots, cut after a separator, is held until it is complete', () => {
    // Lower case: a capitalised word the name list knows ("Ref") is held until its after-context is complete (a lone
    // name with words about people after it is one: PERSON_NAME_SINGLE).
    const r = run(['ref 219.09.', '9999 done and more text here']);
    expect(r.values).toEqual([{ type: 'US_SSN', value: '219.09.9999', at: 4 }]);
    expect(r.chunks[0]).toBe('ref ');
  });

  it('a base64 run cut in the middle is held, then found on the whole run', () => {
    const run64 = Buffer.from('my ssn is 219-09-9999').toString('base64');
    const r = run([`blob ${run64.slice(0, 10)}`, `${run64.slice(10)} end of the answer`]);
    expect(r.values).toEqual([{ type: 'US_SSN', value: run64, at: 5 }]);
  });

  it('a key in mathematical bold letters, cut inside a character, is held from its first letter', () => {
    const bold = (s: string) =>
      [...s]
        .map((c) =>
          c >= 'A' && c <= 'Z'
            ? String.fromCodePoint(0x1d400 + c.charCodeAt(0) - 65)
            : c >= '0' && c <= '9'
              ? String.fromCodePoint(0x1d7ce + c.charCodeAt(0) - 48)
              : c,
        )
        .join('');
    const key = bold('AKIA2E0A8F3B244C9986');
    const r = run(['my key ', key.slice(0, 5), key.slice(5), ' ok']);
    expect(r.chunks[0]).toBe('my key ');
    expect(r.values).toEqual([{ type: 'AWS_ACCESS_KEY', value: key, at: 7 }]);
  });

  it('finds exactly what the classifier finds in the whole text, however it is chunked (property)', () => {
    const filler = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '.', ',', '\n', 'é', '1', '-'), maxLength: 30 });
    const text = fc
      .array(fc.oneof(filler, fc.constantFrom(...EVASIONS)), { minLength: 1, maxLength: 5 })
      .map((p) => p.join(' '));
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 12 }), (whole, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...points].map((p, i) => whole.slice(p, [...points, whole.length][i]));
        const streamed = run(chunks);
        expect(streamed.text).toBe(whole);
        const expected = classifier
          .classify([{ path: 'p', text: whole }])
          .findings.map((f) => ({ type: f.type, value: whole.slice(f.start, f.end), at: f.start }));
        expect(streamed.values).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('trailingRunStart', () => {
  it('starts at the first digit of a trailing run of digits and separators, or at a trailing encoded run', () => {
    expect(trailingRunStart('call 219.09. ')).toBe(5);
    expect(trailingRunStart('value ٢١٩-')).toBe(6);
    expect(trailingRunStart('blob MjE5LTA5')).toBe(5);
    expect(trailingRunStart('plain words. ')).toBe(13);
  });
});
