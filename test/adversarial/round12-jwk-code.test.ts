// Round 12 of the attacker's review (session 14), a JWK's private member written in source code, past the member
// forms recognizers-key-files.ts and recognizers-key-text.ts read (JSON-like `"d": …`, `d: …`, `d = …`, `'d' => …`,
// `d='…'` keyword arguments): Kotlin's `mapOf("d" to "…")`, a Go struct literal's exported field (`D: "…"`), and the
// Nimbus JOSE builder's `.d(new Base64URL("…"))`. Each is a P-256 private key in the code a developer pastes to ask
// about it. Controls: the same key as a Ruby hash, a PHP array and a JavaScript object is refused.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isForwarded } from './round9-helpers.ts';

const { x, y, d } = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as Record<
  string,
  string
>;

describe("a P-256 JWK's d in source code", () => {
  it('control: the key as a Ruby hash, a PHP array and a JavaScript object is refused', async () => {
    const texts = [
      `key = { kty: 'EC', crv: 'P-256', x: '${x}', y: '${y}', d: '${d}' }`,
      `$key = ['kty' => 'EC', 'crv' => 'P-256', 'x' => '${x}', 'y' => '${y}', 'd' => '${d}'];`,
      `const key = { kty: "EC", crv: "P-256", x: "${x}", y: "${y}", d: "${d}" };`,
    ];
    for (const text of texts) expect(await isForwarded(text)).toBe(false);
  });

  // Closed (recognizers-key-files.ts MEMBER): a member was a lower-case name then `:`, `=` or `=>`; the name is now
  // read in any case (Go's `D`), and Kotlin's infix `to` and a builder's `.d("…")` / `.d(new Base64URL("…"))` separate it
  it.each([
    [
      'Kotlin\'s mapOf(… "d" to "…")',
      `val key = mapOf("kty" to "EC", "crv" to "P-256", "x" to "${x}", "y" to "${y}", "d" to "${d}")`,
    ],
    ['a Go struct literal (D: "…")', `key := JWK{Kty: "EC", Crv: "P-256", X: "${x}", Y: "${y}", D: "${d}"}`],
    [
      "Nimbus JOSE's ECKey.Builder(…).d(…)",
      [
        `ECKey key = new ECKey.Builder(Curve.P_256, new Base64URL("${x}"), new Base64URL("${y}"))`,
        `    .d(new Base64URL("${d}"))`,
        '    .build();',
      ].join('\n'),
    ],
  ])('the key as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });
});
