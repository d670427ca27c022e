// The classifier's speed paths must not change a single result: sticky-test / search match finding against one
// exec with indices, the `A(G)B` split, the one-shot HMAC against createHmac, and the NFKC-stable fast path.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRecognizer, type CompiledRecognizer } from '../../../src/classification/compile.ts';
import { createFingerprinter } from '../../../src/classification/fingerprint.ts';
import { splitAtGroup } from '../../../src/classification/group-split.ts';
import { execFrom, matchesOf, splitMatchFrom, wholeMatchFrom } from '../../../src/classification/matching.ts';
import { PERSON_NAME_LISTED, PERSON_NAME_SINGLE } from '../../../src/classification/person-names.ts';
import { normalizeText } from '../../../src/classification/normalize.ts';
import { DEFAULT_RECOGNIZERS } from '../../../src/classification/recognizers.ts';

/** What one exec with indices ('d') at lastIndex = from reports: the reference every fast path must equal. */
function reference(r: CompiledRecognizer, bytes: Buffer, from: number) {
  r.indexed.lastIndex = from;
  const m = r.indexed.exec(bytes);
  return m === null ? null : { whole: m.indices?.[0], span: m.indices?.[r.group] };
}

const compiled = DEFAULT_RECOGNIZERS.map(compileRecognizer);
const FRAGMENTS = [
  'a',
  'Z',
  '0',
  '7',
  ' ',
  '-',
  '.',
  '@',
  '+',
  '(',
  ')',
  ':',
  '/',
  '\n',
  'ü',
  '😀',
  '\ud800',
  '_',
  'x@ab.io',
  'dana.whitfield@northwind-traders.com',
  '+1 (415) 867-5309',
  '(212) 555-0199',
  '4111 1111 1111 1111',
  '10.0.0.1',
  'fe80::1%eth0',
  'MRN: 483920',
  'patient id is AB-1234567',
  'api_key=sk_live_9fA2kLmN8qRsT4vWxY',
  'DE89 3704 0044 0532 0130 00',
  '123-45-6789',
  '0301 123456',
  'AKIAIOSFODNN7EXAMPLE',
  '2024-03-14',
  'born',
  // Names: the listed name's lead `^ ?` matches at every subarray start, so the finders step past it (matching.ts).
  'Ab ',
  'Mr ',
  'Anna Smith',
];
const text = fc
  .array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 })
  .map((parts) => Buffer.from(parts.join(''), 'utf8'));

describe('match finders', () => {
  it('equal one exec with indices, for every built-in recognizer, text and start (property)', () => {
    fc.assert(
      fc.property(text, fc.nat(), (bytes, seed) => {
        const from = seed % (bytes.length + 2);
        for (const r of compiled) {
          const expected = reference(r, bytes, from);
          expect(execFrom(r, bytes, from)).toEqual(expected);
          expect(r.group === 0 ? wholeMatchFrom(r, bytes, from) : splitMatchFrom(r, bytes, from)).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('give matchesOf the same matches with values sliced from an ASCII text as decoded from its bytes (property)', () => {
    const ascii = text.map((bytes) => bytes.toString('utf8')).filter((t) => /^[\x00-\x7f]*$/.test(t));
    fc.assert(
      fc.property(ascii, (t) => {
        const bytes = Buffer.from(t, 'utf8');
        for (const r of compiled) {
          for (const reach of ['near', 'whole'] as const) {
            expect(matchesOf(r, bytes, new Map(), reach, t)).toEqual(matchesOf(r, bytes, new Map(), reach));
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('splits the built-in group patterns whose group is at the top level', () => {
    const split = compiled.filter((r) => r.group > 0).map((r) => [r.type, r.parts !== undefined]);
    expect(split.filter(([, ok]) => ok).length).toBeGreaterThanOrEqual(6);
  });
});

/**
 * Pieces of capitalised words as PERSON_NAME_SINGLE's pattern reads them: prefixes, hyphens, endings, Latin letters.
 */
const NAME_PIECES = [
  'Mc',
  'Mac',
  "O'",
  "D'",
  'O’',
  'D’',
  'A',
  'Zo',
  'b',
  'son',
  '-',
  "'s",
  '’s',
  "'",
  '’',
  'ë',
  'É',
  'ß',
  'Ÿ',
  'Ă',
  'ă',
  'Ā',
  'ā',
  'Ĳ',
  'ſ',
  'ƀ',
  'Ș',
  'ș',
  'İ',
  'ı',
  'Ḥ',
  'ḥ',
  'ǅ',
  'ɏ',
  'Ỳ',
  '×',
  '÷',
  '@',
  '_',
  '9',
  ' ',
  '.',
  '\n',
  '😀',
  'he said ',
];
const namePieces = fc.array(fc.constantFrom(...NAME_PIECES), { maxLength: 30 }).map((p) => p.join(''));

describe("PERSON_NAME_SINGLE's JavaScript finder (person-name-finder.ts)", () => {
  const single = compileRecognizer(PERSON_NAME_SINGLE, 0);
  const finder = single.finder;
  const viaRe2 = { ...single, finder: undefined };

  it('is the one the built-in definition gets, and only it', () => {
    expect(finder).toBeDefined();
    expect(compiled.filter((r) => r.finder !== undefined)).toHaveLength(2); // and PERSON_NAME_LISTED's
    expect(compileRecognizer({ ...PERSON_NAME_SINGLE }, 0).finder).toBeUndefined(); // a copy (configuration): RE2
  });

  it('equals one exec with indices at every start, or declines (invalid UTF-8) (property)', () => {
    const anyBytes = fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b));
    const pieces = namePieces.map((t) => Buffer.from(t, 'utf8'));
    // Stray bytes between names: a lead without its continuation, a continuation alone, bytes no UTF-8 holds.
    const mixed = fc.array(fc.oneof(pieces, anyBytes), { maxLength: 4 }).map((parts) => Buffer.concat(parts));
    const texts = fc.oneof(pieces, text, anyBytes, mixed);
    fc.assert(
      fc.property(texts, (bytes) => {
        let declined = 0;
        for (let from = 0; from <= bytes.length + 1; from += 1) {
          const found = finder?.(bytes, from);
          if (found === undefined) declined += 1;
          else expect(found).toEqual(reference(single, bytes, from));
        }
        // Valid UTF-8 is always read (a start inside a sequence aside).
        if (Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes)) {
          const inside = [...bytes].filter((b) => (b & 0xc0) === 0x80).length;
          expect(declined).toBeLessThanOrEqual(inside);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('gives matchesOf the matches RE2 gives, near context words or everywhere (property)', () => {
    fc.assert(
      fc.property(namePieces, (t) => {
        const bytes = Buffer.from(t, 'utf8');
        for (const reach of ['near', 'whole'] as const) {
          expect(matchesOf(single, bytes, new Map(), reach)).toEqual(
            matchesOf(viaRe2, bytes, new Map(), reach).map((m) => ({ ...m, recognizer: single })),
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * Pieces of runs of capitalised words as PERSON_NAME_LISTED's pattern reads them: its leads (a space, a digit or
 * punctuation before, the text's start), initials with and without a dot, particles, endings and Latin letters.
 */
const LISTED_PIECES = [
  ...NAME_PIECES,
  'Ann',
  'Bo',
  'Smith',
  'C',
  'D.',
  ' ',
  ' ',
  ' ',
  'van',
  'de',
  'del',
  'der',
  'la',
  'dos',
  'ter',
  'x',
  '(',
  ',',
  '3',
  'Ă',
  'Ḥan',
  'éa',
  'aé',
];
const listedPieces = fc.array(fc.constantFrom(...LISTED_PIECES), { maxLength: 30 }).map((p) => p.join(''));

describe("PERSON_NAME_LISTED's JavaScript finder (person-name-listed-finder.ts)", () => {
  const listed = compileRecognizer(PERSON_NAME_LISTED, 0);
  const finder = listed.finder;
  const viaRe2 = { ...listed, finder: undefined };
  // Both ways it reads: from a start RE2's search found (matching.ts passes the search), and alone (the scan).
  const search = (b: Buffer) => listed.regex.search(b);
  const both = (bytes: Buffer, from: number) => {
    const searched = finder?.(bytes, from, search);
    if (searched !== undefined) expect(searched).toEqual(reference(listed, bytes, from));
    return finder?.(bytes, from);
  };

  it("is the built-in definition's, not a copy's", () => {
    expect(finder).toBeDefined();
    expect(compileRecognizer({ ...PERSON_NAME_LISTED }, 0).finder).toBeUndefined();
  });

  it('equals one exec with indices at every start, or declines (invalid UTF-8) (property)', () => {
    const anyBytes = fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b));
    const pieces = listedPieces.map((t) => Buffer.from(t, 'utf8'));
    const mixed = fc.array(fc.oneof(pieces, anyBytes), { maxLength: 4 }).map((parts) => Buffer.concat(parts));
    const texts = fc.oneof(pieces, pieces, text, anyBytes, mixed);
    fc.assert(
      fc.property(texts, (bytes) => {
        let declined = 0;
        for (let from = 0; from <= bytes.length + 1; from += 1) {
          const found = both(bytes, from);
          if (found === undefined) declined += 1;
          else expect(found).toEqual(reference(listed, bytes, from));
        }
        // Valid UTF-8 is always read (a start inside a sequence aside).
        if (Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes)) {
          const inside = [...bytes].filter((b) => (b & 0xc0) === 0x80).length;
          expect(declined).toBeLessThanOrEqual(inside);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('finds the names of a few fixed texts as RE2 does', () => {
    const texts = [
      'Maria Garcia met Jan van der Berg and John F. Kennedy, (Ann Smith) 678 Antonio Vázquez',
      ' Ann Bo',
      'Ann Bo',
      'Please Call Back Today Maria Garcia Lopez',
      'Şerban Ştefan, İlker Ōtani; McKeon O’Brien-Smith x Anne-Marie de la Cruz',
      'Chloë Dujmović9 Ann Smithé9',
    ];
    for (const t of texts) {
      const bytes = Buffer.from(t, 'utf8');
      for (let from = 0; from <= bytes.length; from += 1) {
        if (((bytes[from] ?? 0) & 0xc0) === 0x80) continue; // inside a sequence: declined, RE2 reads it
        expect(both(bytes, from)).toEqual(reference(listed, bytes, from));
      }
      expect(finder?.(bytes, 0)).not.toBeNull();
    }
  });

  it('gives matchesOf the matches RE2 gives (property)', () => {
    fc.assert(
      fc.property(listedPieces, (t) => {
        const bytes = Buffer.from(t, 'utf8');
        for (const reach of ['near', 'whole'] as const) {
          expect(matchesOf(listed, bytes, new Map(), reach)).toEqual(
            matchesOf(viaRe2, bytes, new Map(), reach).map((m) => ({ ...m, recognizer: listed })),
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('splitAtGroup', () => {
  it('splits A(G)B around a top-level group, named or not', () => {
    expect(splitAtGroup(String.raw`(?:^|[^\w(])(\d+)\b`, 1)).toEqual({
      before: String.raw`(?:^|[^\w(])`,
      group: String.raw`\d+`,
      after: String.raw`\b`,
    });
    expect(splitAtGroup(String.raw`x(?P<n>a[)(]b)(c)`, 2)).toEqual({
      before: String.raw`x(?P<n>a[)(]b)`,
      group: 'c',
      after: '',
    });
    expect(splitAtGroup(String.raw`\((?<v>\d)\)`, 1)).toEqual({
      before: String.raw`\(`,
      group: String.raw`\d`,
      after: String.raw`\)`,
    });
    expect(splitAtGroup('[[:alpha:]](x)[]a]', 1)).toEqual({ before: '[[:alpha:]]', group: 'x', after: '[]a]' });
  });

  it('gives up on anything that is not a plain top-level group', () => {
    for (const [pattern, group] of [
      ['a|(b)', 1],
      ['(a(b))', 2],
      ['(a)+', 1],
      ['(a){2}', 1],
      ['(?i)x(a)', 1],
      [String.raw`\Q(\E(a)`, 1],
      ['(a', 1],
      ['x(a)', 2],
      ['x(a)', 0],
    ] as const) {
      expect(splitAtGroup(pattern, group)).toBeUndefined();
    }
  });
});

describe('fingerprints', () => {
  it('are HMAC-SHA256 in hex for short, block-sized and long keys (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 130 }),
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        (key, value) => {
          expect(createFingerprinter(key)(value)).toBe(createHmac('sha256', key).update(value, 'utf8').digest('hex'));
        },
      ),
      { numRuns: 200 },
    );
    const block = new Uint8Array(64).fill(9);
    expect(createFingerprinter(block)('x')).toBe(createHmac('sha256', block).update('x').digest('hex'));
  });

  it('do not change when the caller later changes the key bytes', () => {
    const key = new Uint8Array(32).fill(1);
    const fingerprint = createFingerprinter(key);
    const before = fingerprint('alice@acme-corp.io');
    key.fill(2);
    expect(fingerprint('alice@acme-corp.io')).toBe(before);
  });
});

describe('normalizeText fast path', () => {
  it('treats Latin-1 letters and typographic punctuation as NFKC-stable in any neighbourhood', () => {
    const stable = [
      ...Array.from({ length: 0x40 }, (_, i) => String.fromCharCode(0xc0 + i)),
      '–',
      '—',
      '‘',
      '’',
      '“',
      '”',
      '•',
      '€',
    ];
    const ascii = Array.from({ length: 0x80 }, (_, i) => String.fromCharCode(i));
    for (const c of stable) {
      for (const n of [...ascii, ...stable]) {
        expect((c + n).normalize('NFKC')).toBe(c + n);
        expect((n + c).normalize('NFKC')).toBe(n + c);
      }
      expect(normalizeText(`Grüße ${c} 12`).text).toBe(`Grüße ${c} 12`);
    }
    expect(normalizeText('Grüße １２').text).toBe('Grüße 12'); // one unstable character: the full path
  });
});
