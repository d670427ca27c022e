// Review s15 (R3, attacker's review of session 15's changes), an Ed25519 keypair as 64 byte values (162d573,
// recognizers-key-numbers.ts ED25519_KEYPAIR_BYTES: `[` 64 decimal numbers apart by commas `]`, the last 32 the public
// key of the first 32). Each text is one Solana keypair (a fixed Ed25519 seed and its public key) written as a wallet,
// a program or a debugger prints it, one step aside from that list.
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isForwarded } from './round9-helpers.ts';

/** Fixed bytes (no test depends on a random draw): SHA-512 of a label, cut to `length`. */
const fixed = (label: string, length: number) => createHash('sha512').update(label).digest().subarray(0, length);
const SEED = fixed('review-s15 solana seed', 32);
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, SEED]), format: 'der', type: 'pkcs8' });
const PUB = Buffer.from(createPublicKey(privateKey).export({ format: 'jwk' }).x as string, 'base64url');
const PAIR = Buffer.concat([SEED, PUB]);
const BYTES = [...PAIR];

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
/** Bitcoin's base58 (Solana's): the bytes as one big number in base 58, a `1` for each leading zero byte. */
function base58(bytes: Buffer): string {
  let n = BigInt(`0x${bytes.toString('hex')}`);
  let text = '';
  for (; n > 0n; n /= 58n) text = ALPHABET[Number(n % 58n)] + text;
  for (let i = 0; i < bytes.length && bytes[i] === 0; i += 1) text = `1${text}`;
  return text;
}

describe('a Solana keypair (64 bytes: seed, then public key) one step aside from a JSON list of numbers', () => {
  it.each([
    ['id.json (a JSON list)', JSON.stringify(BYTES)],
    ["Node's Uint8Array(64) [ … ]", `Uint8Array(64) [\n${BYTES.map((n) => `  ${n}`).join(',\n')}\n]`],
    ['base64 after secretKey', `secretKey: ${PAIR.toString('base64')}`],
  ])('control: the keypair as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  it('control: 64 other byte values (no keypair) are forwarded', async () => {
    expect(await isForwarded(JSON.stringify([...fixed('review-s15 no keypair', 64)]))).toBe(true);
  });

  // HOLE closed in src/classification/recognizers-key-numbers.ts (ED25519_KEYPAIR_BYTES): the list was only `[`
  // decimal, comma, `]`; a trailing comma (rustfmt's and Prettier's multi-line arrays), C's and Go's braces, hex bytes
  // (`0x0c`), and numpy's blank-separated print are lists now, the validator telling a keypair from other 64 bytes.
  it.each([
    ['a multi-line list with a trailing comma', `[\n${BYTES.map((n) => `    ${n},`).join('\n')}\n]`],
    ["C's uint8_t secret[64] = { … }", `uint8_t secret[64] = {${BYTES.join(', ')}};`],
    ["Go's []byte{ … }", `key := []byte{${BYTES.join(', ')}}`],
    ['a list of hex bytes [0x0c, …]', `[${BYTES.map((n) => `0x${n.toString(16).padStart(2, '0')}`).join(', ')}]`],
    ["numpy's [ 12 250 … ]", `[${BYTES.join(' ')}]`],
  ])('the keypair as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // HOLE closed in src/classification/recognizers-key-numbers.ts (ED25519_KEYPAIR_WORD): the 64 bytes as one base58
  // string (88 characters: Phantom's and Solflare's "export private key", `solana-keygen` pubkey's alphabet) or as 128
  // hex digits were no finding, with or without a context word; the same check (public key of the first 32 bytes in
  // the last 32) reads them now, after a base58 or hex decode.
  it.each([
    ['base58 after "private key"', `Phantom private key: ${base58(PAIR)}`],
    ['base58 alone', base58(PAIR)],
    ['128 hex digits after "solana keypair"', `solana keypair ${PAIR.toString('hex')}`],
  ])('the keypair as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  const OTHER = fixed('review-s15 no keypair', 64);
  it.each([
    ['64 other bytes with a trailing comma', `[\n${[...OTHER].map((n) => `    ${n},`).join('\n')}\n]`],
    [
      '64 other bytes as hex bytes in braces',
      `{${[...OTHER].map((n) => `0x${n.toString(16).padStart(2, '0')}`).join(', ')}}`,
    ],
    ["64 other bytes as numpy's print", `[${[...OTHER].join(' ')}]`],
    ['64 other bytes as base58 after "private key"', `Phantom private key: ${base58(OTHER)}`],
    ['a SHA-512 in hex after "solana keypair"', `solana keypair ${createHash('sha512').update('x').digest('hex')}`],
    ['the public key alone in base58', `solana pubkey ${base58(PUB)}`],
    ['the seed twice as base58', base58(Buffer.concat([SEED, SEED]))],
  ])('control: %s is forwarded', async (_name, text) => {
    expect(await isForwarded(text)).toBe(true);
  });
});
