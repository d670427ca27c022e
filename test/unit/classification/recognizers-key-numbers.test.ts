// Private keys written as numbers (recognizers-key-numbers.ts): RSA's d in decimal under its label with any
// language's assignment or wrapped bc's way, d as an (n, e, d, …) tuple's third item, and an Ed25519 keypair as 64
// byte values (Solana's id.json) are PRIVATE_KEY over the number(s); a public (n, e), a long number alone and a list
// of 64 small numbers that is no keypair are not. Streams hold them while they may still grow.
import { generateKeyPairSync } from 'node:crypto';
import { base58 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { isEd25519Keypair } from '../../../src/classification/recognizers-key-numbers.ts';
import { check } from './stream-release-fixture.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(4) });
const keys = (text: string) =>
  classifier
    .classify([{ path: 'p', text }])
    .findings.filter((f) => f.type === 'PRIVATE_KEY')
    .map((f) => text.slice(f.start, f.end));

// RSA-1024: d has ~308 digits, the smallest a label reads on one line.
const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' }) as Record<
  string,
  string
>;
const decimal = (member: string) =>
  BigInt(`0x${Buffer.from(rsa[member] as string, 'base64url').toString('hex')}`).toString();
const [N, D, P, Q] = ['n', 'd', 'p', 'q'].map(decimal) as [string, string, string, string];
/** `number` as bc prints it: 69 digits a line, a backslash before each break. */
const bc = (number: string) => (number.match(/.{1,69}/g) as string[]).join('\\\n');
const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as Record<string, string>;
const KEYPAIR = [...Buffer.from(ed.d as string, 'base64url'), ...Buffer.from(ed.x as string, 'base64url')];

describe("RSA's d in decimal", () => {
  it.each([
    ["Go's :=", `d := ${D}`],
    ["R's <-", `d <- ${D}`],
    ["R's <<-", `D <<- ${D}`],
    ["Perl's and PHP's =>", `'d' => '${D}',`],
    ["bc's wrapped lines (a 1024-bit d: five lines)", `d = ${bc(D)}\n`],
  ])('under its label, %s: the number is the finding', (_name, text) => {
    expect(keys(text).map((k) => k.replace(/\\\n/g, ''))).toEqual([D]);
  });

  it.each([
    ["python-rsa's PrivateKey(n, e, d, p, q)", `PrivateKey(${N}, 65537, ${D}, ${P}, ${Q})`],
    ['RSA.construct((n, e, d)) over lines', `RSA.construct((\n  ${N},\n  65537,\n  ${D},\n))`],
  ])('unlabelled, %s: d and what follows it are the finding', (_name, text) => {
    const [found] = keys(text);
    expect(found?.startsWith(D)).toBe(true);
    expect(keys(text)).toHaveLength(1);
  });

  it.each([
    ['a public key (n, e)', `PublicKey(${N}, 65537)`],
    ['a public key (e, n)', `(65537, ${N})`],
    ['n wrapped bc-style under n', `n = ${bc(N)}`],
    ['d of 239 digits wrapped', `d = ${bc(D.slice(0, 239))}`],
    ['a long number then a small one then a short one', `(${N}, 3, 12345)`],
    ['d <- a small number', 'd <- 12345'],
  ])('control: %s is no PRIVATE_KEY', (_name, text) => {
    expect(keys(text)).toEqual([]);
  });
});

describe('an Ed25519 keypair as 64 byte values', () => {
  it.each([
    ["Solana's id.json", JSON.stringify(KEYPAIR)],
    ['a list with blanks over lines', `secretKey: [\n  ${KEYPAIR.join(', ')}\n]`],
  ])('%s: the numbers are the finding', (_name, text) => {
    expect(keys(text)).toEqual([KEYPAIR.join(text.includes(', ') ? ', ' : ',')]);
  });

  it.each([
    ['64 numbers that are no keypair', JSON.stringify(Array.from({ length: 64 }, (_, i) => (i * 37) % 256))],
    ['the seed twice', JSON.stringify([...KEYPAIR.slice(0, 32), ...KEYPAIR.slice(0, 32)])],
    ['63 of the numbers', JSON.stringify(KEYPAIR.slice(1))],
    ['65 numbers', JSON.stringify([7, ...KEYPAIR])],
  ])('control: %s is no PRIVATE_KEY', (_name, text) => {
    expect(keys(text)).toEqual([]);
  });

  const hexBytes = KEYPAIR.map((n) => `0x${n.toString(16).padStart(2, '0')}`);
  it.each([
    ['a trailing comma over lines', `[\n${KEYPAIR.map((n) => `  ${n},`).join('\n')}\n]`, KEYPAIR.join(',\n  ')],
    ["C's braces", `uint8_t k[64] = {${KEYPAIR.join(', ')}};`, KEYPAIR.join(', ')],
    ['hex bytes', `[${hexBytes.join(', ')}]`, hexBytes.join(', ')],
    ["numpy's print", `[${KEYPAIR.join(' ')}]`, KEYPAIR.join(' ')],
    ['128 hex digits', `key ${Buffer.from(KEYPAIR).toString('hex')}.`, Buffer.from(KEYPAIR).toString('hex')],
    ['base58', `key: ${base58.encode(Uint8Array.from(KEYPAIR))}`, base58.encode(Uint8Array.from(KEYPAIR))],
  ])('%s: the values are the finding', (_name, text, finding) => {
    expect(keys(text)).toEqual([finding]);
  });

  it.each([
    ['a 129-hex-digit run', `${Buffer.from(KEYPAIR).toString('hex')}a`],
    ['base58 glued to a longer word', `${base58.encode(Uint8Array.from(KEYPAIR))}_x`],
    ['hex bytes over 0xff', `[${hexBytes.map((b, i) => (i === 5 ? '0x100' : b)).join(', ')}]`],
  ])('control: %s is no PRIVATE_KEY', (_name, text) => {
    expect(keys(text)).toEqual([]);
  });

  it('the check wants bytes: a value over 255 is none', () => {
    expect(isEd25519Keypair(KEYPAIR.join(','))).toBe(true);
    expect(isEd25519Keypair([256, ...KEYPAIR.slice(1)].join(','))).toBe(false);
  });
});

describe('a stream holds them while they may grow', () => {
  it.each([
    ['d := …', `x\nd := ${D}\nok`],
    ['bc lines', `d = ${bc(D)}\nok`],
    ['a tuple', `PrivateKey(${N}, 65537, ${D}, ${P})`],
    ['a keypair', `id.json: ${JSON.stringify(KEYPAIR)} ok`],
    ['a keypair of hex bytes in braces', `k := []byte{${KEYPAIR.map((n) => `0x${n.toString(16)}`).join(', ')}} ok`],
    ["a keypair as numpy's print", `[${KEYPAIR.join(' ')}] ok`],
    ['a keypair in base58', `key ${base58.encode(Uint8Array.from(KEYPAIR))} ok`],
    ['a keypair in hex', `key ${Buffer.from(KEYPAIR).toString('hex')} ok`],
  ])('%s, cut at every 7th character and in chunks of 50', (_name, text) => {
    for (let at = 0; at <= text.length; at += 7) check(text, [text.slice(0, at), text.slice(at)]);
    check(text, text.match(/[\s\S]{1,50}/g) as string[]);
  });
});
