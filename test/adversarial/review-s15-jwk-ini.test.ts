// Review s15 (R3, attacker's review of session 15's changes), a JWK as an INI section with a long line between crv and
// d (1c72cd1, recognizers-key-files.ts SECTION_LINE_MOST: a section's lines up to 4,096 characters, counted by the
// jwk_section_value refiner and the stream's hold). An x5c chain of three certificates on one line is ~4,500
// characters of base64; the key is a fixed P-256 key, PROBE a piece only its d holds.
import { createECDH, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isForwarded, isRelayed, isStreamed } from './round9-helpers.ts';

const D = createHash('sha256').update('review-s15 p256 ini').digest();
const ecdh = createECDH('prime256v1');
ecdh.setPrivateKey(D);
const POINT = ecdh.getPublicKey();
const b64 = (bytes: Buffer) => bytes.toString('base64url');
const JWK = { x: b64(POINT.subarray(1, 33)), y: b64(POINT.subarray(33)), d: b64(D) };
/** The section with `between` after its crv line. */
const section = (between: string[]) =>
  ['[jwk]', 'kty = EC', 'crv = P-256', ...between, `x = ${JWK.x}`, `y = ${JWK.y}`, `d = ${JWK.d}`].join('\n');
const PROBE = JWK.d.slice(8, 30);
/** Three certificates' base64 on one line (a chain as one x5c value), 4,506 characters after `x5c = `. */
const CHAIN = section([`x5c = ${['A', 'B', 'C'].map((c) => `MII${c.repeat(1500)}`).join(',')}`]);

describe('a JWK section whose x5c chain line between crv and d is over 4,096 characters', () => {
  it('control: three 1,500-character x5c lines between are refused; the one long line is withheld in an answer', async () => {
    const lines = section(['A', 'B', 'C'].map((c) => `x5c = MII${c.repeat(1500)}`));
    expect(await isForwarded(lines)).toBe(false);
    expect(await isStreamed(lines, PROBE)).toBe(false);
    expect(await isRelayed(CHAIN, PROBE)).toBe(false);
  });

  // HOLE closed in src/classification/recognizers-key-files.ts (jwkSectionValue): a line over 4,096 characters ended
  // the section for a whole text too, where no stream hold needs the bound: the request forwarded d. The refiner counts
  // no line now; only the stream's hold (stream-key-file-holds.ts) is bounded.
  it('the section with one 4,506-character x5c line between is refused', async () => {
    expect(await isForwarded(CHAIN)).toBe(false);
  });
  it.each([
    ['no private member (a public JWK)', section([`x5c = ${'MIIA'.repeat(1200)}`]).replace(/\nd = .*$/, '')],
    ['d = 3', section([`x5c = ${'MIIA'.repeat(1200)}`]).replace(/\nd = .*$/, '\nd = 3')],
    [
      'a long prose line, then d = a lower-case slug',
      section([`# ${'note '.repeat(1000)}`]).replace(
        /\nd = .*$/,
        '\nd = billing-service-signing-key-for-the-north-region',
      ),
    ],
  ])('control: the section with a long line and %s is forwarded', async (_name, text) => {
    expect(await isForwarded(text)).toBe(true);
  });
  // HOLE closed in src/classification/stream-section-lead.ts: a stream released a section's opening once a line after
  // its anchor ran past 4,096 characters (rather than hold a minified blob after a `crv:` line to its limit), and its
  // anchor fell out of the 64-character look-behind, so d after the x5c chain was relayed. The scanner now keeps the
  // open section's lines (long ones as their names) before its context while the section's opening runs to the cut.
  it('the section with one 4,506-character x5c line between is withheld from a stream', async () => {
    expect(await isStreamed(CHAIN, PROBE)).toBe(false);
  });
  const LONG = (c: string) => `x5c = MII${c.repeat(4600)}`;
  it.each([
    ['two long lines between, in deltas of 3', section([LONG('A'), `kid = ${'k'.repeat(5000)}`]), 3],
    [
      'colons, a kty anchor and no header',
      section([LONG('B')])
        .replace('[jwk]\n', '')
        .replaceAll(' = ', ': '),
      7,
    ],
    ['CRLF line breaks and a blank line', section(['', LONG('C')]).replaceAll('\n', '\r\n'), 5],
    ['a long comment line between', section([`# ${'note '.repeat(1000)}`]), 11],
  ])('variant: %s is withheld from a stream', async (_name, text, width) => {
    expect(await isRelayed(text, PROBE)).toBe(false);
    expect(await isStreamed(text, PROBE, width)).toBe(false);
  });
  it('control: a public section with a long line streams its members', async () => {
    const text = `${section([LONG('D')]).replace(/\nd = .*$/, '')}\n${'Plain prose after the key. '.repeat(30)}`;
    expect(await isStreamed(text, JWK.y.slice(4, 30), 7)).toBe(true);
  });
});
