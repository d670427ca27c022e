// stream-section-lead.ts: a JWK section's lines kept before a stream's context past a long line.
import { describe, expect, it } from 'vitest';
import { sectionContextAt } from '../../../src/classification/stream-section-lead.ts';

const LONG = `x5c = MII${'A'.repeat(5000)}`;

describe('sectionContextAt', () => {
  it('keeps the anchor and the long line as its name before the look-behind', () => {
    const text = `[jwk]\nkty = EC\ncrv = P-256\n${LONG}`;
    expect(sectionContextAt(text, text.length, 66)).toBe(`[jwk]\nkty = EC\ncrv = P-256\nx5c = ${'A'.repeat(66)}`);
  });
  it('keeps a long line between as its name once later lines come', () => {
    const text = `crv: P-256\n${LONG}\n${'y: abc\n'.repeat(3)}`;
    const kept = sectionContextAt(text, text.length, 10) as string;
    expect(kept.startsWith('crv: P-256\nx5c = \ny: abc\n')).toBe(true);
    expect(kept.length).toBeLessThan(60);
  });
  it.each([
    ['prose', `Some prose ${'word '.repeat(200)}`],
    ['an anchor within the look-behind', `${'word '.repeat(200)}\nkty = EC\nx = 1`],
    ['a section past its lines', `kty = EC\n${LONG}\n${'a = 1\n'.repeat(9)}${'b'.repeat(100)}`],
  ])('control: %s keeps no lead', (_name, text) => {
    expect(sectionContextAt(text, text.length, 66)).toBeUndefined();
  });
});
