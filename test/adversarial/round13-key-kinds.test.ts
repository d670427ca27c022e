// Round 13 of the attacker's review (session 15), private keys as the tools that hold them print them, beyond PEM, DER,
// JWK and the key texts recognizers-key-text.ts reads: a Tink cleartext keyset (the JSON Tink's `tinkey` and its
// CleartextKeysetHandle write, checked into repositories for tests and CI), a Bitcoin wallet's BIP32 extended private
// key (`xprv…`: every key of the wallet) and WIF key, an Ethereum account's 32-byte private key in hex under its label,
// and signify/minisign secret key files written without a passphrase. A model holding any of them holds the key.
// Controls: the RSA key as Terraform's state and a Kubernetes Secret, an age secret key, are refused.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { upstreamHolds } from './round10-helpers.ts';

const RSA_PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
  type: 'pkcs1',
  format: 'pem',
}) as string;
const ED = generateKeyPairSync('ed25519').privateKey;
const SEED = Buffer.from((ED.export({ format: 'jwk' }) as { d: string }).d, 'base64url');
const PUBLIC = Buffer.from((ED.export({ format: 'jwk' }) as { x: string }).x, 'base64url');
/** 32 random bytes: a secp256k1 private key (any value below the group order is one). */
const SECRET = randomBytes(32);
/** A probe of `text`: the 12 characters from `at` (inside the key only its own text holds). */
const piece = (text: string, at = 20) => text.slice(at, at + 12);

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
/** Bitcoin's base58check of `payload`. */
function base58check(payload: Buffer): string {
  const bytes = Buffer.concat([payload, sha256(sha256(payload)).subarray(0, 4)]);
  let n = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  while (n > 0n) {
    out = BASE58[Number(n % 58n)] + out;
    n /= 58n;
  }
  return out;
}
/** A BIP32 master extended private key: version, depth 0, no parent, chain code, 0x00 and the key. */
const XPRV = base58check(
  Buffer.concat([Buffer.from('0488ade4', 'hex'), Buffer.alloc(9), randomBytes(32), Buffer.from([0]), SECRET]),
);
/** The key in Wallet Import Format (compressed). */
const WIF = base58check(Buffer.concat([Buffer.from([0x80]), SECRET, Buffer.from([1])]));
/** An age secret key: Bech32 of 32 bytes under `AGE-SECRET-KEY-`, upper case (as age-keygen writes it). */
const AGE = (() => {
  const charset = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
  const generators = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  const polymod = (values: number[]) =>
    values.reduce((chk, v) => {
      const top = chk >>> 25;
      let next = ((chk & 0x1ffffff) << 5) ^ v;
      for (let i = 0; i < 5; i += 1) if ((top >>> i) & 1) next ^= generators[i] as number;
      return next;
    }, 1);
  const words: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const byte of randomBytes(32)) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) words.push((acc >>> (bits -= 5)) & 31);
  }
  if (bits > 0) words.push((acc << (5 - bits)) & 31);
  const hrp = 'age-secret-key-';
  const expanded = [...hrp]
    .map((c) => c.charCodeAt(0) >> 5)
    .concat(
      0,
      [...hrp].map((c) => c.charCodeAt(0) & 31),
    );
  const check = polymod([...expanded, ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  const sum = [0, 1, 2, 3, 4, 5].map((i) => (check >>> (5 * (5 - i))) & 31);
  return `${hrp}1${[...words, ...sum].map((w) => charset[w]).join('')}`.toUpperCase();
})();

describe('keys as the tools that hold them print them', () => {
  it('control: an RSA key in Terraform state and a Kubernetes Secret, and an age secret key, are refused', async () => {
    const state = JSON.stringify({
      version: 4,
      resources: [{ type: 'tls_private_key', name: 'k', instances: [{ attributes: { private_key_pem: RSA_PEM } }] }],
    });
    const body = RSA_PEM.split('\n')[5] as string;
    expect(await upstreamHolds(state, piece(body, 0))).toBe(false);
    const secret = `kind: Secret\ntype: kubernetes.io/tls\ndata:\n  tls.key: ${Buffer.from(RSA_PEM).toString('base64')}`;
    expect(await upstreamHolds(secret, piece(Buffer.from(RSA_PEM).toString('base64'), 200))).toBe(false);
    expect(await upstreamHolds(`# public key: age1qyqszqgpqyqs\n${AGE}`, piece(AGE))).toBe(false);
  });

  // Closed (recognizers-key-wallets.ts): a Tink keyset's key is its keyData's `value`, base64 of
  // a protobuf holding the key bytes (an Ed25519PrivateKey's seed after `12 22 1a 20`, an AesGcmKey's after `1a 20`),
  // beside `"typeUrl": "type.googleapis.com/google.crypto.tink.…PrivateKey"` and `"keyMaterialType":
  // "ASYMMETRIC_PRIVATE"` / `"SYMMETRIC"`; no recognizer reads a keyset, and the value is 44-48 characters of base64.
  it("a Tink cleartext keyset's Ed25519 private key is refused", async () => {
    const value = Buffer.concat([Buffer.from('12221a20', 'hex'), SEED, Buffer.from('1a20', 'hex'), PUBLIC]);
    const keyset = {
      primaryKeyId: 1931667682,
      key: [
        {
          keyData: {
            typeUrl: 'type.googleapis.com/google.crypto.tink.Ed25519PrivateKey',
            value: value.toString('base64'),
            keyMaterialType: 'ASYMMETRIC_PRIVATE',
          },
          status: 'ENABLED',
          keyId: 1931667682,
          outputPrefixType: 'TINK',
        },
      ],
    };
    expect(await upstreamHolds(JSON.stringify(keyset, null, 2), piece(value.toString('base64')))).toBe(false);
  });

  // Closed (recognizers-key-wallets.ts): no recognizer reads a Bitcoin key: a BIP32 extended private
  // key (111 base58 characters opening `xprv`, a checksum to verify) is every key of the wallet, a WIF key (52 opening
  // K or L) one; and a 64-hex-digit key after `private key:` (an Ethereum account as wallets export it) is no key unless
  // an env name calls it one (GENERIC_API_KEY reads `BTC_PRIVATE_KEY=…`, not the label in prose).
  it.each([
    ['a BIP32 extended private key', `BIP32 root key: ${XPRV}`, piece(XPRV, 40)],
    ['a WIF key under its label', `Private key (WIF): ${WIF}`, piece(WIF)],
    [
      'an Ethereum private key under its label',
      `Private key: ${SECRET.toString('hex')}`,
      piece(SECRET.toString('hex')),
    ],
  ])('%s is refused', async (_name, text, probe) => {
    expect(await upstreamHolds(text, probe)).toBe(false);
  });

  // Closed (recognizers-key-wallets.ts): signify's (`signify -G -n`) and minisign's (`minisign -G
  // -W`) secret key files with no passphrase hold the Ed25519 seed in the clear: one base64 line after an `untrusted
  // comment: … secret key` line (signify: `Ed` `BK` and 0 KDF rounds, salt, checksum, then seed and public key at bytes
  // 40-103). Neither is PEM, DER nor a JWK, so it is forwarded.
  it("signify's unencrypted secret key file is refused", async () => {
    const file = Buffer.concat([Buffer.from('EdBK'), Buffer.alloc(4), randomBytes(32), SEED, PUBLIC]);
    const text = `untrusted comment: signify secret key\n${file.toString('base64')}\n`;
    expect(await upstreamHolds(text, piece(file.toString('base64'), 60))).toBe(false);
  });
});
