// Review s14 (R2, attacker's review of session 14's changes), a JWK as an INI section (recognizers-key-files.ts
// JWK_SECTION_OPENING, e136256: a section's other lines are bounded, at most 137 characters: key 32, 100 after `=`,
// a comment 100, in the pattern and the stream's hold alike). Controls: the section, and with a 90-character kid line
// between its crv and x lines, is refused, answered withheld and streamed withheld.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CLOSED, fates } from './round9-helpers.ts';

const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as Record<
  string,
  string
>;
/** The section with `between` after its crv line. */
const section = (between: string[]) =>
  ['[jwk]', 'kty = EC', 'crv = P-256', ...between, `x = ${jwk.x}`, `y = ${jwk.y}`, `d = ${jwk.d}`].join('\n');
/** A piece only d holds. */
const PROBE = (jwk.d as string).slice(8, 30);

describe('a JWK section with a member line past the bound between crv and d', () => {
  it.each([
    ['no line', section([])],
    ['a 90-character kid', section([`kid = ${'k'.repeat(90)}`])],
  ])('control: the section with %s between is refused, answered and streamed withheld', async (_name, text) => {
    expect(await fates(text, PROBE)).toEqual(CLOSED);
  });

  // Closed (recognizers-key-files.ts SECTION_LINE_MOST): a member line over 100 characters after `=` ended the
  // section, so a JWK's x5c certificate chain (1,000+ characters of base64), a kid that is a URL or a long comment line
  // between crv and d left d unread; a section's lines are now up to 4,096 characters each, counted in code (the
  // refiner jwkSectionValue, and stream-key-file-holds.ts for a stream's hold).
  it.each([
    ['an x5c certificate of 1,200 characters', section([`x5c = MII${'A'.repeat(1200)}`])],
    ['a kid URL of 140 characters', section([`kid = https://auth.example.com/.well-known/jwks/${'a'.repeat(100)}`])],
    ['a comment of 120 characters', section([`# ${'c'.repeat(120)}`])],
  ])('the section with %s between is refused, answered and streamed withheld', async (_name, text) => {
    expect(await fates(text, PROBE)).toEqual(CLOSED);
  });
});
