// OPA's bundle-file digests (bundle/hash.go), computed by hand here: raw bytes for non-JSON files; for JSON, a walk
// with keys in byte order, compact separators, Go string escapes (no HTML escaping) and number literals as written.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashBundleFile, isHashAlgorithm } from '../../../src/policy/opa-hash.ts';

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

describe('hashBundleFile', () => {
  it('hashes non-JSON members as raw bytes', () => {
    const wasm = Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]);
    expect(hashBundleFile('policy.wasm', wasm, 'SHA-256')).toBe(sha256(wasm));
    expect(hashBundleFile('src/x.rego', Buffer.from('package x\n'), 'SHA-256')).toBe(sha256('package x\n'));
  });

  it('hashes JSON members structurally: sorted keys, compact, whatever the layout', () => {
    const expected = sha256('{"a":[1,2,{"c":true,"d":null}],"b":"x"}');
    expect(
      hashBundleFile('data.json', Buffer.from('{ "b": "x",\n "a": [1, 2, {"d": null, "c": true}] }'), 'SHA-256'),
    ).toBe(expected);
    expect(hashBundleFile('.manifest', Buffer.from('{"b":"x","a":[1,2,{"c":true,"d":null}]}'), 'SHA-256')).toBe(
      expected,
    );
  });

  it('keeps number literals as written (Go json.Number)', () => {
    expect(hashBundleFile('data.json', Buffer.from('{"n":[1.50,1e3,-0]}'), 'SHA-256')).toBe(
      sha256('{"n":[1.50,1e3,-0]}'),
    );
  });

  it("escapes strings as Go's encoder does without HTML escaping", () => {
    const text = JSON.stringify({ s: '<&>"\\\n\t\u0001\u2028é😀' });
    expect(hashBundleFile('data.json', Buffer.from(text), 'SHA-256')).toBe(
      sha256('{"s":"<&>\\"\\\\\\n\\t\\u0001\\u2028é😀"}'),
    );
  });

  it('orders keys by UTF-8 bytes, not UTF-16 units', () => {
    // U+FF5E (3 UTF-8 bytes, EF BD 9E) sorts before U+1F600 (F0 9F 98 80) in bytes, after it in UTF-16 units.
    const text = '{"😀":1,"～":2}';
    expect(hashBundleFile('data.json', Buffer.from(text), 'SHA-256')).toBe(sha256('{"～":2,"😀":1}'));
  });

  it('supports the SHA-2 family and refuses MD5 and SHA-1', () => {
    expect(isHashAlgorithm('SHA-512')).toBe(true);
    expect(isHashAlgorithm('MD5')).toBe(false);
    expect(isHashAlgorithm('SHA-1')).toBe(false);
    expect(hashBundleFile('x.rego', Buffer.from('a'), 'SHA-512')).toBe(createHash('sha512').update('a').digest('hex'));
  });

  it('throws on a JSON member that is not JSON', () => {
    expect(() => hashBundleFile('data.json', Buffer.from('{'), 'SHA-256')).toThrow(SyntaxError);
  });
});
