// The classifier's guarantees: UTF-16 offsets in the original text, keyed fingerprints that never reveal the
// value, deterministic order, deduplication, and a build-time error for a recognizer RE2 rejects.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClassificationError, createClassifier, DEFAULT_RECOGNIZERS } from '../../../src/classification/index.ts';
import type { RecognizerDefinition } from '../../../src/classification/index.ts';

const KEY_A = new Uint8Array(32).fill(0xa);
const KEY_B = new Uint8Array(32).fill(0xb);
const classifier = createClassifier({ fingerprintKey: KEY_A });

function slices(text: string): { type: string; value: string }[] {
  return classifier
    .classify([{ path: 'p', text }])
    .findings.map((f) => ({ type: f.type, value: text.slice(f.start, f.end) }));
}

function buildError(recognizers: RecognizerDefinition[]): ClassificationError {
  try {
    createClassifier({ fingerprintKey: KEY_A, recognizers });
  } catch (error) {
    expect(error).toBeInstanceOf(ClassificationError);
    return error as ClassificationError;
  }
  throw new Error('expected the classifier build to fail');
}

const custom = (overrides: Partial<RecognizerDefinition>): RecognizerDefinition => ({
  type: 'X',
  category: 'CUSTOM',
  pattern: 'abc',
  baseScore: 50,
  ...overrides,
});

describe('offsets', () => {
  it('are UTF-16 offsets in the original text after emoji and non-ASCII text', () => {
    const text = 'Ünïcödé 😀😀 — 日本語 alice@acme-corp.io 𝒳 4111 1111 1111 1111';
    expect(slices(text)).toEqual([
      { type: 'EMAIL', value: 'alice@acme-corp.io' },
      { type: 'CREDIT_CARD', value: '4111 1111 1111 1111' },
    ]);
  });

  it('survive a lone surrogate before the match (RE2 on a JS string would miss it)', () => {
    expect(slices('\ud800 AKIA2E0A8F3B244C9986 \udc00 x 123-45-6789')).toEqual([
      { type: 'AWS_ACCESS_KEY', value: 'AKIA2E0A8F3B244C9986' },
      { type: 'US_SSN', value: '123-45-6789' },
    ]);
  });

  it('locate a planted value behind any text (property)', () => {
    const values = ['alice@acme-corp.io', '123-45-6789', '4111 1111 1111 1111', 'AKIA2E0A8F3B244C9986'];
    const anyText = fc.string({
      unit: fc.oneof(fc.constantFrom('\ud800', '\udfff', 'é', '😀'), fc.string({ unit: 'binary', maxLength: 1 })),
    });
    fc.assert(
      fc.property(anyText, fc.constantFrom(...values), anyText, (before, value, after) => {
        const text = `${before} ${value} ${after}`;
        const at = before.length + 1;
        const hit = classifier.classify([{ path: 'p', text }]).findings.find((f) => f.start === at);
        expect(hit).toBeDefined();
        expect(text.slice(hit?.start, hit?.end)).toBe(value);
      }),
      { numRuns: 300 },
    );
  });
});

describe('fingerprints', () => {
  it('are hex HMAC-SHA256, stable per key and normalised value, different across keys', () => {
    const a1 = classifier.classify([{ path: 'p', text: 'SSN 123-45-6789' }]).findings[0]?.fingerprint;
    const a2 = classifier.classify([{ path: 'q', text: 'ssn 123 45 6789 again' }]).findings[0]?.fingerprint;
    const b = createClassifier({ fingerprintKey: KEY_B }).classify([{ path: 'p', text: 'SSN 123-45-6789' }]).findings[0]
      ?.fingerprint;
    expect(a1).toMatch(/^[0-9a-f]{64}$/);
    expect(a2).toBe(a1);
    expect(b).not.toBe(a1);
    const other = classifier.classify([{ path: 'p', text: 'SSN 123-45-6788' }]).findings[0]?.fingerprint;
    expect(other).not.toBe(a1);
  });

  it('do not change when the caller later mutates the key', () => {
    const key = new Uint8Array(32).fill(3);
    const c = createClassifier({ fingerprintKey: key });
    const before = c.classify([{ path: 'p', text: 'alice@acme-corp.io' }]).findings[0]?.fingerprint;
    key.fill(4);
    expect(c.classify([{ path: 'p', text: 'alice@acme-corp.io' }]).findings[0]?.fingerprint).toBe(before);
  });

  it('findings never contain the raw or normalised value', () => {
    const text =
      'alice@acme-corp.io 123-45-6789 4111-1111-1111-1111 AKIA2E0A8F3B244C9986 ' +
      'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYZq8Lm3VtR2';
    const { findings } = classifier.classify([{ path: 'p', text }]);
    expect(findings.map((f) => f.type).sort()).toEqual([
      'AWS_ACCESS_KEY',
      'AWS_SECRET_KEY',
      'CREDIT_CARD',
      'EMAIL',
      'US_SSN',
    ]);
    const serialised = JSON.stringify(findings);
    for (const secret of [
      'alice@acme-corp.io',
      '123-45-6789',
      '123456789',
      '4111111111111111',
      '4111-1111',
      'AKIA2E0A8F3B244C9986',
      'wJalrXUtnFEMI',
    ]) {
      expect(serialised).not.toContain(secret);
    }
  });

  it('are refused with a short key', () => {
    try {
      createClassifier({ fingerprintKey: new Uint8Array(8) });
      expect.unreachable();
    } catch (error) {
      expect((error as ClassificationError).code).toBe('ERR_FINGERPRINT_KEY_INVALID');
    }
  });
});

describe('findings', () => {
  it('come in (segment, start, type) order with segment index and path', () => {
    const { findings } = classifier.classify([
      { path: 'messages[0].content', text: 'nothing here' },
      { path: 'messages[1].content', text: 'AKIA2E0A8F3B244C9986 then bob@acme-corp.io' },
      { path: 'messages[2].content', text: 'carol@acme-corp.io' },
    ]);
    expect(findings.map((f) => [f.segment, f.path, f.type, f.start])).toEqual([
      [1, 'messages[1].content', 'AWS_ACCESS_KEY', 0],
      [1, 'messages[1].content', 'EMAIL', 26],
      [2, 'messages[2].content', 'EMAIL', 0],
    ]);
    for (const f of findings)
      expect(Number.isInteger(f.confidence) && f.confidence >= 0 && f.confidence <= 100).toBe(true);
  });

  it('are identical for identical input (determinism)', () => {
    const segments = [{ path: 'a', text: 'x 4111111111111111 alice@acme-corp.io 123-45-6789' }];
    expect(classifier.classify(segments)).toEqual(classifier.classify(segments));
  });

  it('of the same type that overlap are merged, keeping the most confident', () => {
    const c = createClassifier({
      fingerprintKey: KEY_A,
      recognizers: [
        custom({ pattern: 'abc', baseScore: 40 }),
        custom({ pattern: 'bcd', baseScore: 70 }),
        custom({ type: 'Y', pattern: 'cd' }),
      ],
    });
    const { findings } = c.classify([{ path: 'p', text: 'abcd abc' }]);
    // One finding per span (overlap.ts): Y's 'cd' lies inside X's 'bcd', which ranks higher (same strength, more
    // confident), so only X stands there.
    expect(findings.map((f) => [f.type, f.start, f.end, f.confidence])).toEqual([
      ['X', 1, 4, 70],
      ['X', 5, 8, 40],
    ]);
  });

  it('are not hidden by a rejected match that overlaps them', () => {
    const c = createClassifier({
      fingerprintKey: KEY_A,
      recognizers: [custom({ pattern: String.raw`\d{9}`, validator: 'us_ssn' })],
    });
    const text = '0001234561234567890';
    // Without re-searching, '000123456' (area 000) would swallow the valid '001234561' and
    // the next match would start at 9.
    expect(c.classify([{ path: 'p', text }]).findings.map((f) => [f.start, f.end])).toEqual([
      [1, 10],
      [10, 19],
    ]);
  });

  it('terminate on a pattern that can match empty (zero-length matches are skipped)', () => {
    const c = createClassifier({ fingerprintKey: KEY_A, recognizers: [custom({ pattern: String.raw`\bx*` })] });
    const text = 'ab xx cd 😀 xxx';
    expect(c.classify([{ path: 'p', text }]).findings.map((f) => text.slice(f.start, f.end))).toEqual(['xx', 'xxx']);
  });

  it('are empty for empty input and no recognizers', () => {
    expect(classifier.classify([]).findings).toEqual([]);
    expect(classifier.classify([{ path: 'p', text: '' }]).findings).toEqual([]);
    expect(
      createClassifier({ fingerprintKey: KEY_A, recognizers: [] }).classify([{ path: 'p', text: 'a@b.cd' }]).findings,
    ).toEqual([]);
  });
});

describe('closed tokens remembered clean', () => {
  it('a token found clean stays clean, and a token with a finding is found every time, in any call', () => {
    const c = createClassifier({
      fingerprintKey: KEY_A,
      recognizers: [custom({ pattern: String.raw`\bfalcon_plan\b` })],
    });
    const types = (texts: string[]) =>
      c.classify(texts.map((text, i) => ({ path: `messages[${i}].content`, text }))).findings.map((f) => f.type);
    for (let round = 0; round < 3; round += 1) {
      expect(types(['assistant', 'falcon_plan'])).toEqual(['X']);
      expect(types(['falcon_plan', 'assistant'])).toEqual(['X']);
      expect(types(['assistant'])).toEqual([]);
    }
  });
});

describe('recognizer definitions', () => {
  it('the defaults build', () => {
    expect(() => createClassifier({ fingerprintKey: KEY_A, recognizers: DEFAULT_RECOGNIZERS })).not.toThrow();
  });

  it.each<[string, Partial<RecognizerDefinition>]>([
    ['a syntax error', { pattern: '(unclosed' }],
    ['lookbehind', { pattern: '(?<=a)b' }],
    ['a backreference', { pattern: String.raw`(a)\1` }],
    ['a pattern matching the empty string', { pattern: 'a*' }],
    ['a group the pattern does not have', { pattern: 'a(b)', group: 2 }],
    ['a fractional score', { baseScore: 50.5 }],
    ['a score over 100', { contextScore: 101 }],
    ['an unknown category', { category: 'SECRETS' as RecognizerDefinition['category'] }],
    ['an unknown validator', { validator: 'crc64' as RecognizerDefinition['validator'] }],
    ['requireContext without context words', { requireContext: true }],
    ['upper-case context words', { contextWords: ['SSN'] }],
  ])('rejects %s as ERR_RECOGNIZER_INVALID naming the recognizer', (_name, overrides) => {
    const error = buildError([DEFAULT_RECOGNIZERS[0] as RecognizerDefinition, custom({ type: 'MY_ID', ...overrides })]);
    expect(error.code).toBe('ERR_RECOGNIZER_INVALID');
    expect(error.recognizer).toBe('MY_ID');
  });

  it('rejects a malformed type, naming the recognizer by position', () => {
    const error = buildError([custom({ type: 'lower case' })]);
    expect(error.code).toBe('ERR_RECOGNIZER_INVALID');
    expect(error.recognizer).toBe('lower case');
    expect(buildError([custom({ type: '' })]).recognizer).toBe('#0');
  });

  it('honour group, validator and normalizer', () => {
    const c = createClassifier({
      fingerprintKey: KEY_A,
      recognizers: [
        custom({
          type: 'EMP_ID',
          pattern: String.raw`emp(?:loyee)? ?#?(\d{3}-\d{3})\b`,
          group: 1,
          normalizer: 'digits',
        }),
      ],
    });
    const [a, b] = c.classify([{ path: 'p', text: 'employee #123-456 and emp 123-456' }]).findings;
    expect([a?.start, a?.end]).toEqual([10, 17]);
    expect(a?.fingerprint).toBe(b?.fingerprint);
  });
});
