// Private keys as wallets and key tools print them (recognizers-key-wallets.ts): a BIP32 xprv/tprv and a WIF key
// (base58check verified), a 64-hex-digit key under a private-key label, signify's and minisign's clear secret key
// files and a Tink cleartext keyset's key are PRIVATE_KEY over the key; an xpub, a bad checksum, a hash with no label,
// an encrypted signify key and a Tink public key are not. Streams hold each while it may still grow.
import { createHash, randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { createBase58check } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { isClearSignifyKey } from '../../../src/classification/recognizers-key-wallets.ts';
import { check } from './stream-release-fixture.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(4) });
const keys = (text: string) =>
  classifier
    .classify([{ path: 'p', text }])
    .findings.filter((f) => f.type === 'PRIVATE_KEY')
    .map((f) => text.slice(f.start, f.end));

const b58 = createBase58check(sha256);
const SECRET = createHash('sha256').update('wallet test key').digest();
const extended = (version: string, key: Buffer) =>
  b58.encode(Buffer.concat([Buffer.from(version, 'hex'), Buffer.alloc(9), randomBytes(32), key]));
const XPRV = extended('0488ade4', Buffer.concat([Buffer.from([0]), SECRET]));
const TPRV = extended('04358394', Buffer.concat([Buffer.from([0]), SECRET]));
const XPUB = extended('0488b21e', Buffer.concat([Buffer.from([2]), SECRET]));
const WIF = b58.encode(Buffer.concat([Buffer.from([0x80]), SECRET, Buffer.from([1])]));
const WIF_OLD = b58.encode(Buffer.concat([Buffer.from([0x80]), SECRET]));
const HEX = SECRET.toString('hex');
const signify = (rounds: number) => {
  const head = Buffer.from('EdBK\0\0\0\0', 'latin1');
  head.writeUInt32BE(rounds, 4);
  return Buffer.concat([head, randomBytes(96)]).toString('base64');
};
const tink = (value: string, material: string) =>
  JSON.stringify(
    {
      key: [
        { keyData: { typeUrl: 'type.googleapis.com/google.crypto.tink.AesGcmKey', value, keyMaterialType: material } },
      ],
    },
    null,
    2,
  );
const AES = Buffer.concat([Buffer.from('1a10', 'hex'), randomBytes(16)]).toString('base64');

describe('wallet keys', () => {
  it.each([
    ['a BIP32 xprv', `root: ${XPRV}`, XPRV],
    ['a testnet tprv', `tprv key ${TPRV}.`, TPRV],
    ['a compressed WIF', `WIF: ${WIF}`, WIF],
    ['an uncompressed WIF', `${WIF_OLD}`, WIF_OLD],
    ['hex under Private key:', `Private key: ${HEX}`, HEX],
    ['0x hex under private_key =', `private_key = "0x${HEX}"`, `0x${HEX}`],
    ['hex under Private Key (hex):', `Private Key (hex): ${HEX}`, HEX],
  ])('%s is the finding', (_name, text, key) => {
    expect(keys(text)).toEqual([key]);
  });

  it.each([
    ['an xpub', `root: ${XPUB}`],
    [
      'an xprv with one character changed',
      `root: ${XPRV.slice(0, 60)}${XPRV[60] === 'a' ? 'b' : 'a'}${XPRV.slice(61)}`,
    ],
    ['a WIF with a bad checksum', `WIF: ${WIF.slice(0, -1)}${WIF.endsWith('a') ? 'b' : 'a'}`],
    ['a SHA-256 with no label', `sha256: ${HEX}`],
    ['a commit hash under its label', `commit ${HEX}`],
    ['hex of zeros under the label', `Private key: ${'0'.repeat(64)}`],
    ['hex past the group order', `Private key: ${'f'.repeat(63)}e`],
  ])('control: %s is no key', (_name, text) => {
    expect(keys(text)).toEqual([]);
  });
});

describe('signify and Tink files', () => {
  it('a clear signify secret key is the finding; the check fails an encrypted one (42 rounds)', () => {
    const clear = signify(0);
    expect(keys(`untrusted comment: signify secret key\n${clear}\n`)).toEqual([clear]);
    // An encrypted file is none here (another recognizer may still read a `secret key` comment's line).
    expect(isClearSignifyKey(signify(42))).toBe(false);
  });

  it("a Tink keyset's SYMMETRIC value is the finding; an ASYMMETRIC_PUBLIC one is none", () => {
    expect(keys(tink(AES, 'SYMMETRIC'))).toEqual([AES]);
    expect(keys(tink(AES, 'ASYMMETRIC_PUBLIC'))).toEqual([]);
  });

  it('streamed in two pieces at every 11th position and in 9-character deltas, each is reported as whole', () => {
    for (const text of [
      `untrusted comment: signify secret key\n${signify(0)}\n`,
      tink(AES, 'ASYMMETRIC_PRIVATE'),
      `keys: ${XPRV} and ${WIF}; Private key: 0x${HEX}\n`,
    ]) {
      for (let at = 0; at <= text.length; at += 11) check(text, [text.slice(0, at), text.slice(at)]);
      check(text, text.match(/[\s\S]{1,9}/g) as string[]);
    }
  });
});
