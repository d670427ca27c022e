import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize, canonicalMembers, canonicalString, parseCanonical } from '../../../src/ledger/canonical.ts';
import type { JsonValue, MemberNotes } from '../../../src/ledger/canonical.ts';
import { LedgerError } from '../../../src/ledger/errors.ts';
import { storableProblem } from '../../../src/ledger/record.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

function rejection(fn: () => unknown): { code: string; path: string | undefined } {
  try {
    fn();
  } catch (err) {
    if (err instanceof LedgerError) return { code: err.code, path: err.path };
    throw err;
  }
  throw new Error('expected a LedgerError');
}

/** The value set records may hold (no -0: it canonicalises to 0, which is not Object.is-equal). */
const jsonValue: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary' }),
    fc.maxSafeInteger().map((n) => (n === 0 ? 0 : n)),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: 'binary' }), tie('value'), { maxKeys: 5, noNullPrototype: true }),
  ),
})).value;

describe('canonicalize (RFC 8785 for strings, safe integers, booleans, null)', () => {
  it('sorts keys by UTF-16 code units (RFC 8785 §3.2.3 example)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalString(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('sorts nested objects and keeps array order', () => {
    expect(canonicalString([56, { d: true, '10': null, '1': [] }])).toBe('[56,{"1":[],"10":null,"d":true}]');
    expect(canonicalString({ b: [3, 1, 2], a: { z: 1, y: { x: 0 } } })).toBe('{"a":{"y":{"x":0},"z":1},"b":[3,1,2]}');
  });

  it('writes integers in shortest form and -0 as 0', () => {
    expect(canonicalString([0, -0, 1, -1, 9007199254740991, -9007199254740991, 1e15])).toBe(
      '[0,0,1,-1,9007199254740991,-9007199254740991,1000000000000000]',
    );
  });

  it('escapes exactly what JCS escapes', () => {
    const s = '\u0000\b\t\n\f\r"\\/\u001f\u007f\u2028\u00e9\ud83d\ude00';
    expect(canonicalString(s)).toBe('"\\u0000\\b\\t\\n\\f\\r\\"\\\\/\\u001f\u007f\u2028\u00e9\ud83d\ude00"');
  });

  it('outputs UTF-8 bytes', () => {
    expect([...canonicalize({ '\u00e9': '\u20ac' })]).toEqual([...utf8('{"\u00e9":"\u20ac"}')]);
    expect([...canonicalize('\u00e9')]).toEqual([0x22, 0xc3, 0xa9, 0x22]);
  });

  it.each([
    ['a float', { a: 1.5 }, '$.a'],
    ['NaN', [Number.NaN], '$[0]'],
    ['Infinity', { x: [1, Number.POSITIVE_INFINITY] }, '$.x[1]'],
    ['an unsafe integer', { n: 2 ** 53 }, '$.n'],
    ['undefined in an object', { u: undefined }, '$.u'],
    ['undefined in an array', [undefined], '$[0]'],
    ['a function', { f: () => 1 }, '$.f'],
    ['a bigint', { b: 1n }, '$.b'],
    ['a symbol value', { s: Symbol('x') }, '$.s'],
    ['a Date', { d: new Date(0) }, '$.d'],
    ['a Map', { m: new Map() }, '$.m'],
    ['a class instance', { c: new (class Point {})() }, '$.c'],
    ['a lone high surrogate', { s: 'a\ud800b' }, '$.s'],
    ['a lone low surrogate', ['\udc00'], '$[0]'],
    ['a lone surrogate in a key', { 'k\ud800': 1 }, '$["k\\ud800"]'],
    ['a sparse array', { a: [1, , 3] }, '$.a[1]'],
    ['a key with odd characters', { 'a b': { c: 0.1 } }, '$["a b"].c'],
  ])('rejects %s, naming its path', (_name, value, path) => {
    expect(rejection(() => canonicalize(value))).toEqual({ code: 'ERR_RECORD_INVALID', path });
  });

  it('rejects symbol keys and cycles', () => {
    expect(rejection(() => canonicalize({ [Symbol('k')]: 1 })).code).toBe('ERR_RECORD_INVALID');
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(rejection(() => canonicalize(cyclic))).toEqual({ code: 'ERR_RECORD_INVALID', path: '$.self' });
  });

  it('accepts the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(canonicalString({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('accepts null-prototype objects', () => {
    const o = Object.create(null) as Record<string, unknown>;
    o.b = 1;
    o.a = 2;
    expect(canonicalString(o)).toBe('{"a":2,"b":1}');
  });
});

describe('parseCanonical', () => {
  it('returns the value of canonical bytes', () => {
    expect(parseCanonical(utf8('{"a":[1,"x",null,true]}'))).toEqual({ a: [1, 'x', null, true] });
  });

  it.each([
    ['whitespace', '{"a": 1}'],
    ['unsorted keys', '{"b":1,"a":2}'],
    ['a duplicate key', '{"a":1,"a":1}'],
    ['a float form of an integer', '[1.0]'],
    ['an exponent', '[1e2]'],
    ['a float', '[0.5]'],
    ['an unneeded escape', '["\\/"]'],
    ['a unicode escape of a plain letter', '["\\u0041"]'],
    ['an upper-case hex escape', '["\\u001F"]'],
    ['an escaped lone surrogate', '["\\ud800"]'],
    ['a trailing newline', '{}\n'],
    ['not JSON', '{'],
    ['an unsafe integer', '[9007199254740993]'],
  ])('rejects %s', (_name, text) => {
    expect(rejection(() => parseCanonical(utf8(text))).code).toBe('ERR_RECORD_NOT_CANONICAL');
  });

  it('rejects a byte-order mark and invalid UTF-8', () => {
    expect(rejection(() => parseCanonical(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('{}')]))).code).toBe(
      'ERR_RECORD_NOT_CANONICAL',
    );
    expect(rejection(() => parseCanonical(new Uint8Array([0x22, 0xff, 0x22]))).code).toBe('ERR_RECORD_NOT_CANONICAL');
    // "é" encoded overlong (C0 A9 is not valid UTF-8)
    expect(rejection(() => parseCanonical(new Uint8Array([0x22, 0xc0, 0xa9, 0x22]))).code).toBe(
      'ERR_RECORD_NOT_CANONICAL',
    );
  });
});

describe('properties', () => {
  it('parse(canonical(x)) deep-equals x', () => {
    fc.assert(
      fc.property(jsonValue, (x) => {
        expect(parseCanonical(canonicalize(x))).toEqual(x);
      }),
      { numRuns: 500 },
    );
  });

  it('canonical form is idempotent and independent of key insertion order', () => {
    fc.assert(
      fc.property(jsonValue, (x) => {
        const once = canonicalize(x);
        expect(canonicalize(parseCanonical(once))).toEqual(once);
        expect(canonicalize(reverseKeys(x))).toEqual(once);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with JSON.parse on the text it produces', () => {
    fc.assert(
      fc.property(jsonValue, (x) => {
        expect(JSON.parse(canonicalString(x))).toEqual(x);
      }),
    );
  });
});

function reverseKeys(x: JsonValue): JsonValue {
  if (Array.isArray(x)) return x.map(reverseKeys);
  if (x !== null && typeof x === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const k of Object.keys(x).reverse())
      Object.defineProperty(out, k, {
        value: reverseKeys(x[k] as JsonValue),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }
  return x;
}

describe('string serialisation', () => {
  it('is JSON.stringify for every well-formed string, escapes and astral characters included (property)', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom('"', '\\', '\u0000', '\u001f', '\u2028', 'a', 'é', '😀') }),
    );
    fc.assert(
      fc.property(
        text,
        (s) =>
          canonicalString(s) === JSON.stringify(s) &&
          canonicalString({ [s]: s }) === `{${JSON.stringify(s)}:${JSON.stringify(s)}}`,
      ),
    );
  });

  it('rejects a lone surrogate however the string starts', () => {
    for (const s of ['\ud800', 'abc\udfff', '"\ud83d', 'x\\\udc00']) {
      expect(() => canonicalString({ k: s })).toThrow(
        expect.objectContaining({ code: 'ERR_RECORD_INVALID', path: '$.k' }),
      );
    }
  });
});

describe('canonicalMembers notes', () => {
  // The record's NUL check (record.ts storableProblem) reads the notes instead of scanning each member's text: they
  // name the same member the text scan names, for keys and strings at any depth, a cached key met again included.
  const unit = fc.constantFrom('\u0000', '\\', 'u', '0', 'a', '"', '\u001f');
  const key = fc.string({ unit, maxLength: 6 });
  const leaf = fc.oneof(fc.string({ unit, maxLength: 8 }), fc.integer(), fc.constant(null));
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      leaf,
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(key, tie('value'), { maxKeys: 3 }),
    ),
  }));
  const scanned = (members: [string, string][]) =>
    members.find(([, m]) => /(?:^|[^\\])(?:\\\\)*\\u0000/.test(m))?.[0] ?? null;

  it('name the first member whose text escapes a U+0000, as a scan of the texts does (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 4 }), (body) => {
        for (let pass = 0; pass < 2; pass++) {
          const notes: MemberNotes = { nulKey: 'stale' };
          const members = canonicalMembers(body as Record<string, unknown>, notes);
          expect(notes.nulKey).toBe(scanned(members));
          expect(storableProblem({}, members, notes)?.message ?? null).toBe(
            storableProblem({}, members)?.message ?? null,
          );
        }
      }),
      { numRuns: 500 },
    );
  });

  it('see a NUL in a nested key, a nested string and a top-level key met a second time', () => {
    const notes: MemberNotes = { nulKey: null };
    canonicalMembers({ a: 1, b: { 'x\u0000': 2 } }, notes);
    expect(notes.nulKey).toBe('b');
    canonicalMembers({ a: 1, c: ['ok', 'y\u0000'] }, notes);
    expect(notes.nulKey).toBe('c');
    for (let i = 0; i < 2; i++) {
      canonicalMembers({ 'k\u0000': 1 }, notes);
      expect(notes.nulKey).toBe('k\u0000');
    }
    canonicalMembers({ a: '\\u0000 as text' }, notes);
    expect(notes.nulKey).toBe(null);
  });
});
