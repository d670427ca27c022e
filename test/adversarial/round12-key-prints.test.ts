// Round 12 of the attacker's review (session 14), private keys as other tools print them, past the openssl -text
// blocks recognizers-key-text.ts (23a47a3) reads: an RSA key's private numbers in decimal (Python's
// `private_numbers()`, Go's `%v` of an *rsa.PrivateKey, JDK 8's RSAPrivateCrtKey toString), and GnuTLS
// `certtool -k` output, whose labels (`private exponent:`, `private key:`) are not openssl's. A model reads each back
// into the key (`n`, `d`, `p`, `q` rebuild it). Controls: openssl rsa -text and certtool's whole RSA block are refused.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { opensslField } from './round11-helpers.ts';
import { isForwarded, isStreamed } from './round9-helpers.ts';

const RSA = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) as Record<
  string,
  string
>;
const ED = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as Record<string, string>;
const EC = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as Record<
  string,
  string
>;
const bytes = (member: string | undefined) => Buffer.from(member as string, 'base64url');
/** A JWK member as the decimal integer Python, Go and Java print. */
const decimal = (member: string | undefined) => BigInt(`0x${bytes(member).toString('hex')}`).toString();
const D = decimal(RSA.d);

/** `certtool -k`'s number: `label:` then tab-indented rows of 16 bytes, hex with colons (a leading 00 when high). */
const certtoolField = (label: string, value: Buffer) => {
  const padded = (value[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value;
  const cells = padded.toString('hex').match(/../g) as string[];
  const rows = Array.from({ length: Math.ceil(cells.length / 16) }, (_, i) => cells.slice(i * 16, i * 16 + 16));
  return [`${label}:`, ...rows.map((row, i) => `\t${row.join(':')}${i < rows.length - 1 ? ':' : ''}`)].join('\n');
};

describe("an RSA key's private numbers in decimal", () => {
  it('control: the key as openssl rsa -text (privateExponent:, prime1:, prime2:) is refused', async () => {
    const text = [
      opensslField('modulus', bytes(RSA.n)),
      'publicExponent: 65537 (0x10001)',
      opensslField('privateExponent', bytes(RSA.d)),
      opensslField('prime1', bytes(RSA.p)),
      opensslField('prime2', bytes(RSA.q)),
    ].join('\n');
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed (recognizers-key-text.ts DECIMAL_PRIVATE_EXPONENT): a number of 300 digits or more under `d`, `D` or a
  // private-exponent label (`nums.d` and a break, Go's `D:+`, Java's `private exponent: `) is a key.
  it.each([
    [
      'Python (private_numbers().d, then .p, .q)',
      `>>> nums = key.private_numbers()\n>>> nums.d\n${D}\n>>> nums.p, nums.q\n(${decimal(RSA.p)}, ${decimal(RSA.q)})`,
    ],
    [
      "Go's %+v of an *rsa.PrivateKey",
      `&{PublicKey:{N:+${decimal(RSA.n)} E:65537} D:+${D} Primes:[+${decimal(RSA.p)} +${decimal(RSA.q)}] ` +
        `Precomputed:{Dp:+${decimal(RSA.dp)} Dq:+${decimal(RSA.dq)} Qinv:+${decimal(RSA.qi)} CRTValues:[]}}`,
    ],
    [
      "JDK 8's RSAPrivateCrtKey toString",
      `SunRsaSign RSA private CRT key, 2048 bits\n  params: null\n  modulus: ${decimal(RSA.n)}\n` +
        `  private exponent: ${D}`,
    ],
  ])('the key as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed (recognizers-key-text.ts DECIMAL_PRIVATE_EXPONENT's partial): the stream holds the label's digits.
  it("an answer streaming Python's decimal d does not reach the client whole", async () => {
    expect(await isStreamed(`Here it is:\n>>> nums.d\n${D}\n`, D.slice(200, 260))).toBe(false);
  });
});

describe("GnuTLS certtool -k's private numbers", () => {
  it("control: certtool's whole RSA block (prime1:, prime2: as openssl writes them) is refused", async () => {
    const text = [
      certtoolField('modulus', bytes(RSA.n)),
      'public exponent:\n\t01:00:01',
      certtoolField('private exponent', bytes(RSA.d)),
      certtoolField('prime1', bytes(RSA.p)),
      certtoolField('prime2', bytes(RSA.q)),
      certtoolField('coefficient', bytes(RSA.qi)),
      certtoolField('exp1', bytes(RSA.dp)),
      certtoolField('exp2', bytes(RSA.dq)),
    ].join('\n\n');
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed (recognizers-key-text.ts CERTTOOL_TEXT_PRIVATE_KEY): certtool's `private exponent:` (RSA's d), `private
  // key:` (an Ed25519 seed, an EC scalar) and `exp1:`/`exp2:` over tab-indented hex rows are read as openssl's labels.
  it.each([
    ['an RSA d alone (private exponent:)', certtoolField('private exponent', bytes(RSA.d))],
    [
      'an Ed25519 key (curve, private key:, x:)',
      `curve:\tEd25519\n${certtoolField('private key', bytes(ED.d))}\n\n${certtoolField('x', bytes(ED.x))}`,
    ],
    [
      'a P-256 key (curve, private key:, x:, y:)',
      [
        'curve:\tSECP256R1',
        certtoolField('private key', bytes(EC.d)),
        certtoolField('x', bytes(EC.x)),
        certtoolField('y', bytes(EC.y)),
      ].join('\n\n'),
    ],
  ])('%s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed (recognizers-key-text.ts CERTTOOL_TEXT_PRIVATE_KEY's partial): the stream holds the label's rows.
  it("an answer streaming certtool's Ed25519 private key: does not reach the client whole", async () => {
    const text = `curve:\tEd25519\n${certtoolField('private key', bytes(ED.d))}\n`;
    expect(await isStreamed(text, (bytes(ED.d).toString('hex').match(/../g) as string[]).slice(16, 26).join(':'))).toBe(
      false,
    );
  });
});
