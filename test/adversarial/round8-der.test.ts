// Round 8 of the attacker's review (session 10), a private key without its PEM armor (decode-der.ts, 6d9751f): the
// DER is read from a base64 run at its first four offsets or after a word ending in `_`/`-`, and from a hex run that
// is one line of hex digits. SECURITY.md claims "a private key's DER without its PEM armor, in base64 at any alignment
// or in hex, is a PRIVATE_KEY", and docs/classification.md names `xxd -p` as the hex form read. Each attack below
// writes the same RSA PKCS#8 key as a tool or a reader writes it; nothing else is changed.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { anthropicAnswer, prompt } from './fixtures.ts';
import { CHAT, forwarded, screened } from './round7-helpers.ts';

const DER = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
  type: 'pkcs8',
  format: 'der',
}) as Buffer;
const BASE64 = DER.toString('base64');
const HEX = DER.toString('hex');
const BYTES = HEX.match(/../g) as string[];
/** `text` in lines of `width` characters joined by `between`. */
const wrapped = (text: string, width: number, between = '\n') =>
  (text.match(new RegExp(`.{1,${width}}`, 'g')) as string[]).join(between);

/** Whether the key is forwarded in a chat message, and relayed in an Anthropic answer whose rules block it. */
async function outcome(text: string) {
  const sent = await forwarded(CHAT, { model: 'echo-1', messages: [{ role: 'user', content: text }] });
  const answer = anthropicAnswer([{ type: 'text', text }]);
  const relayed = await screened('anthropic.messages', answer, { redact: [], block: ['PRIVATE_KEY'] });
  return { forwarded: sent !== '', relayed: relayed !== 'null' };
}
const CLOSED = { forwarded: false, relayed: false };

describe('a DER private key in hex as dump tools write it', () => {
  // closed: hex is read across its line breaks, lines of any width (decode-der-notations.ts hexReader).
  it.each([
    ['xxd -p (60 a line)', wrapped(HEX, 60)],
    ['64 a line', wrapped(HEX, 64)],
  ])('hex in lines, %s, is neither forwarded nor relayed', async (_name, text) => {
    expect(await outcome(text)).toEqual(CLOSED);
  });
  // closed: separated hex bytes, `0x`/`\x` prefixes and one-digit bytes are read as DER too (hexReader).
  it.each([
    ['a C array (xxd -i)', BYTES.map((b) => `0x${b}`).join(', ')],
    ['bytes split by colons', BYTES.join(':')],
    ['bytes split by spaces', BYTES.join(' ')],
    ['one 0x literal', `0x${HEX}`],
  ])('%s is neither forwarded nor relayed', async (_name, text) => {
    expect(await outcome(text)).toEqual(CLOSED);
  });
  it('control: hex on one line, and the base64 body alone, are refused and withheld', async () => {
    expect(await outcome(HEX)).toEqual(CLOSED);
    expect(await outcome(BASE64)).toEqual(CLOSED);
    expect(await outcome(wrapped(BASE64, 64))).toEqual(CLOSED);
  });
});

describe('a DER private key in base64 past the four offsets read', () => {
  // closed: a DER opening is looked for at every offset of the text, not a run's first four (decode-der.ts).
  it.each([
    ['a word of five letters', `privk${BASE64}`],
    ['a path', `keys/${BASE64}`],
    ['a word and a plus', `rsakey+${BASE64}`],
    ['a word with two underscores', `private_key_${BASE64}`],
  ])('glued after %s, it is neither forwarded nor relayed', async (_name, text) => {
    expect(await outcome(text)).toEqual(CLOSED);
  });
  // closed: base64 is read across gaps of up to MAX_KEY_GAP (indents, spaces, quotes: base64Reader).
  it.each([
    ['lines of 40 indented by two spaces', `key: |\n  ${wrapped(BASE64, 40, '\n  ')}`],
    ['groups of four split by spaces', wrapped(BASE64, 4, ' ')],
  ])('%s is neither forwarded nor relayed', async (_name, text) => {
    expect(await outcome(text)).toEqual(CLOSED);
  });
  it('control: glued after three letters or `key_`, or in lines of 32 or 76 (CRLF), it is refused', async () => {
    for (const text of [`xyz${BASE64}`, `key_${BASE64}`, wrapped(BASE64, 32), wrapped(BASE64, 76, '\r\n')]) {
      expect(await outcome(text)).toEqual(CLOSED);
    }
  });
});

describe('a DER private key cut between two messages', () => {
  const sent = (first: string, second: string) => forwarded(CHAT, prompt(first, second));
  // closed: join-decode.ts reads a window's DER keys across its boundaries.
  it.each([
    ['an RSA key after 40 characters', BASE64.slice(0, 40), BASE64.slice(40)],
    [
      'an Ed25519 key in two halves',
      ...((b: string) => [b.slice(0, 32), b.slice(32)])(
        (generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer).toString(
          'base64',
        ),
      ),
    ],
  ])('%s is refused', async (_name, first, second) => {
    expect(await sent(first as string, second as string)).toBe('');
  });
  it('control: an RSA key cut after its first 300 characters is refused (the first half opens it)', async () => {
    expect(await sent(BASE64.slice(0, 300), BASE64.slice(300))).toBe('');
  });
});
