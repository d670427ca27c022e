// Property tests for the strict JWS decoding: canonical base64url is the only spelling accepted, and the duplicate
// member scan agrees with a real parse on every JSON object (nested names never count).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdentityError } from '../../../src/identity/index.ts';
import { assertNoDuplicateMembers, canonicalSegment } from '../../../src/identity/jwt-checks.ts';

function accepts(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(IdentityError);
    return false;
  }
}

describe('canonicalSegment', () => {
  it('accepts exactly the canonical encoding of some bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const segment = Buffer.from(bytes).toString('base64url');
        expect(Buffer.from(canonicalSegment(segment))).toEqual(Buffer.from(bytes));
      }),
    );
  });

  it('refuses any other spelling of any string over the base64 alphabets', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'ABCDEFabcdef0123456789-_+/=') }), (text) => {
        const canonical =
          Buffer.from(text, 'base64url').toString('base64url') === text && /^[A-Za-z0-9_-]*$/.test(text);
        expect(accepts(() => canonicalSegment(text))).toBe(canonical);
      }),
    );
  });
});

describe('assertNoDuplicateMembers', () => {
  it('accepts every serialised object, whatever its nesting and escapes', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), (object) => {
        expect(accepts(() => assertNoDuplicateMembers(JSON.stringify(object), 'payload'))).toBe(true);
      }),
    );
  });

  it('refuses an object naming a top-level member twice, however the name is escaped', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1 }),
        fc.jsonValue(),
        (object, value) => {
          const name = Object.keys(object)[0] as string;
          const escaped = JSON.stringify(name).replace(/[a-z]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
          const text = `${JSON.stringify(object).slice(0, -1)},${escaped}:${JSON.stringify(value)}}`;
          expect(accepts(() => assertNoDuplicateMembers(text, 'payload'))).toBe(false);
        },
      ),
    );
  });
});
