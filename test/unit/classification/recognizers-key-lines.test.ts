// Private keys alone on a line under what names them (recognizers-key-lines.ts): a WireGuard `PrivateKey =` line
// written or in a JSON string and `wg genkey`'s output under its prompt and command; `wg pubkey`'s output and prose
// over a key-sized value are none. Streams hold them.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { check } from './stream-release-fixture.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(4) });
const keys = (text: string) =>
  classifier
    .classify([{ path: 'p', text }])
    .findings.filter((f) => f.type === 'PRIVATE_KEY')
    .map((f) => text.slice(f.start, f.end));

const x = generateKeyPairSync('x25519').privateKey.export({ format: 'jwk' }) as Record<string, string>;
const PRIVATE = Buffer.from(x.d as string, 'base64url').toString('base64');
const PUBLIC = Buffer.from(x.x as string, 'base64url').toString('base64');
const CONF = `[Interface]\nPrivateKey = ${PRIVATE}\nAddress = 10.8.0.2/32\n\n[Peer]\nPublicKey = ${PUBLIC}\n`;

describe('keys alone on a line', () => {
  it.each([
    ['a wg0.conf in a JSON string', JSON.stringify({ config: CONF }), PRIVATE],
    ["wg genkey's output under its prompt", `me@vpn:~$ wg genkey\n${PRIVATE}\n`, PRIVATE],
    ['wg genkey into tee, then cat privatekey', `$ wg genkey | tee privatekey\n$ cat privatekey\n${PRIVATE}`, PRIVATE],
  ])('%s: the key is the finding', (_name, text, key) => {
    expect(keys(text)).toEqual([key]);
  });

  it.each([
    ['wg genkey | wg pubkey', `$ wg genkey | wg pubkey\n${PUBLIC}\n`],
    ['a public key from the private file', `$ cat privatekey | wg pubkey\n${PUBLIC}\n`],
    ['prose naming a private key over a value', `The private key looks like this\n${PUBLIC}\n`],
    ['a PublicKey line in a JSON string', JSON.stringify({ peer: `[Peer]\nPublicKey = ${PUBLIC}\n` })],
  ])('control: %s is no PRIVATE_KEY', (_name, text) => {
    expect(keys(text)).toEqual([]);
  });

  it.each([
    ['a JSON string', JSON.stringify({ config: CONF })],
    ['a shell session', `$ wg genkey\n${PRIVATE}\nok`],
  ])('a stream holds %s as the whole text reads it (cut at every 5th character, chunks of 40)', (_name, text) => {
    for (let at = 0; at <= text.length; at += 5) check(text, [text.slice(0, at), text.slice(at)]);
    check(text, text.match(/[\s\S]{1,40}/g) as string[]);
  });
});
