// Round 12 of the attacker's review (session 14), private keys in files other tools write, outside PEM armour: the
// body of `gpg --export-secret-keys --armor` without its BEGIN/END PGP PRIVATE KEY BLOCK lines (as OpenSSH's body is
// read since 23a47a3), a WireGuard config's `PrivateKey =` line, and a Solana CLI keypair file (id.json: the 64 bytes
// of seed and public key as a JSON array). Each is a usable private key as it stands. Control: the PGP block with its
// armour is refused.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isForwarded, pieces } from './round9-helpers.ts';

const ED = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as Record<string, string>;
const SEED = Buffer.from(ED.d as string, 'base64url');
const PUB = Buffer.from(ED.x as string, 'base64url');

/** An OpenPGP MPI: its bit count (2 bytes) and its bytes. */
const mpi = (bytes: Buffer) => {
  const bits = Buffer.alloc(2);
  bits.writeUInt16BE(bytes.length * 8 - Math.clz32(bytes[0] as number) + 24);
  return Buffer.concat([bits, bytes]);
};
/** An old-format OpenPGP packet of `tag` with a one-byte length. */
const packet = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([0x80 | (tag << 2), body.length]), body]);
/** A v4 EdDSA secret-key packet (tag 5, unencrypted: S2K usage 0) and a user ID, as gpg exports them. */
const PGP = (() => {
  const secret = mpi(SEED);
  const checksum = Buffer.alloc(2);
  checksum.writeUInt16BE([...secret].reduce((sum, b) => (sum + b) & 0xffff, 0));
  const key = Buffer.concat([
    Buffer.from([4, 0x6b, 0x16, 0xdd, 0x64, 22, 9, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01]),
    mpi(Buffer.concat([Buffer.from([0x40]), PUB])),
    Buffer.from([0]),
    secret,
    checksum,
  ]);
  return Buffer.concat([packet(5, key), packet(13, Buffer.from('Dev <dev@example.com>'))]);
})();
/** The armoured block's body: base64 in lines of 64, then the CRC line gpg writes (a stand-in value). */
const CRC = createHash('sha1').update(PGP).digest('base64').slice(0, 4);
const PGP_BODY = `${pieces(PGP.toString('base64'), 64).join('\n')}\n=${CRC}`;

describe('private keys in files other tools write', () => {
  it('control: the PGP block with its armour lines is refused', async () => {
    expect(
      await isForwarded(`-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${PGP_BODY}\n-----END PGP PRIVATE KEY BLOCK-----\n`),
    ).toBe(false);
  });

  // Closed (recognizers-key-text.ts PGP_BODY_PRIVATE_KEY): a base64 run opening with a secret-key packet (tag 5,
  // 'lF…E'/'lQ…B' old format, 'x…' new) is read as OpenSSH's body is, and is a key when the packet decodes whole with
  // its secret material (pgp_secret_key validator).
  it('the PGP secret key block body without its armour lines is refused', async () => {
    expect(await isForwarded(PGP_BODY)).toBe(false);
  });

  // Closed (recognizers-key-files.ts WIREGUARD_PRIVATE_KEY): WireGuard's [Interface] PrivateKey (a Curve25519 key,
  // 32 bytes in base64) was no finding; a `PrivateKey = <32 bytes in base64>` line now is
  it('a WireGuard config (PrivateKey = <base64>) is refused', async () => {
    const text = [
      '[Interface]',
      `PrivateKey = ${SEED.toString('base64')}`,
      'Address = 10.8.0.2/24',
      '',
      '[Peer]',
      `PublicKey = ${PUB.toString('base64')}`,
      'Endpoint = vpn.example.com:51820',
    ].join('\n');
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed (recognizers-key-numbers.ts ED25519_KEYPAIR_BYTES): a Solana keypair file (seed and public key as 64 JSON
  // numbers) was no finding; a list of 64 byte values whose last 32 are the Ed25519 public key of the first 32 now is.
  it('a Solana keypair file (id.json) is refused', async () => {
    expect(await isForwarded(JSON.stringify([...SEED, ...PUB]))).toBe(false);
  });
});
