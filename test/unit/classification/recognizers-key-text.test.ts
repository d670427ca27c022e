// Private keys as tools print them (recognizers-key-text.ts): openssl's -text blocks of a key's private numbers, an
// OpenSSH key file's body without its armour, a COSE_Key's -4 in CBOR diagnostic notation and a JWK's private member
// under a `jwk` prefix, in a query, as XML elements and in a CSV row are PRIVATE_KEY over the private part only; public
// numbers, certificates, public COSE keys, a body cut before its private section and unlabelled data are not. Streams
// hold them while they may still grow.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import {
  holdsOpensshPrivateSection,
  holdsPgpSecretKey,
  KEY_TEXT_RECOGNIZERS,
} from '../../../src/classification/recognizers-key-text.ts';
import { opensshBody, opensslField } from '../../adversarial/round11-helpers.ts';
import { check, everySplit } from './stream-release-fixture.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(5) });
const found = (text: string) =>
  classifier.classify([{ path: 'p', text }]).findings.map((f) => [f.type, text.slice(f.start, f.end)]);
const keys = (text: string) => found(text).filter(([type]) => type === 'PRIVATE_KEY');

type Jwk = Record<string, string>;
const jwkOf = (pair: { privateKey: { export(o: { format: 'jwk' }): unknown } }) =>
  pair.privateKey.export({ format: 'jwk' }) as Jwk;
const RSA = jwkOf(generateKeyPairSync('rsa', { modulusLength: 2048 }));
const EC = jwkOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }));
const ED = jwkOf(generateKeyPairSync('ed25519'));
const bytes = (member: string | undefined) => Buffer.from(member as string, 'base64url');
/** What opensslField prints under its label: the hex rows alone. */
const rows = (label: string, value: Buffer) =>
  opensslField(label, value)
    .slice(label.length + 1)
    .trimStart();

const RSA_PRIVATE = ['privateExponent', 'prime1', 'prime2', 'exponent1', 'exponent2', 'coefficient'] as const;
const RSA_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;
const RSA_TEXT = [
  'Private-Key: (2048 bit, 2 primes)',
  opensslField('modulus', bytes(RSA.n)),
  'publicExponent: 65537 (0x10001)',
  ...RSA_PRIVATE.map((label, i) => opensslField(label, bytes(RSA[RSA_MEMBERS[i] as string]))),
].join('\n');
const EC_PUB = Buffer.concat([Buffer.from([4]), bytes(EC.x), bytes(EC.y)]);
const EC_TEXT = ['Private-Key: (256 bit)', opensslField('priv', bytes(EC.d)), opensslField('pub', EC_PUB)].join('\n');

describe("openssl's -text output", () => {
  it("an RSA key's six private numbers are each a finding; its modulus and exponent are not", () => {
    expect(keys(RSA_TEXT)).toEqual(
      RSA_PRIVATE.map((label, i) => ['PRIVATE_KEY', rows(label, bytes(RSA[RSA_MEMBERS[i] as string]))]),
    );
  });

  it("an EC and an Ed25519 key's priv is the finding, pub is not; escaped in a JSON string too", () => {
    expect(keys(EC_TEXT)).toEqual([['PRIVATE_KEY', rows('priv', bytes(EC.d))]]);
    const ed = ['ED25519 Private-Key:', opensslField('priv', bytes(ED.d)), opensslField('pub', bytes(ED.x))].join('\n');
    expect(keys(ed)).toEqual([['PRIVATE_KEY', rows('priv', bytes(ED.d))]]);
    const json = JSON.stringify({ content: EC_TEXT });
    expect(keys(json)).toEqual([['PRIVATE_KEY', JSON.stringify(rows('priv', bytes(EC.d))).slice(1, -1)]]);
  });

  it('controls: a public key, a certificate, a placeholder and a short number are no PRIVATE_KEY', () => {
    const pub = ['Public-Key: (2048 bit)', opensslField('Modulus', bytes(RSA.n)), 'Exponent: 65537 (0x10001)'];
    const cert = [
      'Certificate:',
      '    Data:',
      '        Subject Public Key Info:',
      '            Public Key Algorithm: rsaEncryption',
      '                Public-Key: (2048 bit)',
      opensslField('                Modulus', bytes(RSA.n)),
      '                Exponent: 65537 (0x10001)',
    ];
    const ecPub = ['Public-Key: (256 bit)', opensslField('pub', EC_PUB), 'ASN1 OID: prime256v1'];
    for (const text of [pub.join('\n'), cert.join('\n'), ecPub.join('\n')]) expect(keys(text)).toEqual([]);
    expect(keys(opensslField('priv', Buffer.alloc(32)))).toEqual([]);
    expect(keys(opensslField('priv', randomBytes(8)))).toEqual([]);
  });

  it('a number whose last row holds 8 bytes is no IP_ADDRESS (they are bytes); an address still is', () => {
    const modulus = Buffer.concat([Buffer.from([0x35]), randomBytes(127)]);
    const text = ['Public-Key: (1024 bit)', opensslField('Modulus', modulus), 'Exponent: 65537 (0x10001)'].join('\n');
    expect(found(text)).toEqual([]);
    expect(found('server 2606:4700:4700::1111 answers')).toEqual([['IP_ADDRESS', '2606:4700:4700::1111']]);
  });
});

/** An openssh-key-v1 file's bytes with `cipher`, `kdf` and `secret` as the private section (encrypted or not). */
function opensshFile(cipher: string, kdf: string, kdfOptions: Buffer, secret: Buffer): string {
  const string = (b: Buffer | string) => {
    const body = Buffer.from(b);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    return Buffer.concat([length, body]);
  };
  const pub = Buffer.concat([string('ssh-ed25519'), string(bytes(ED.x))]);
  const one = Buffer.from([0, 0, 0, 1]);
  const parts = [Buffer.from('openssh-key-v1\0'), string(cipher), string(kdf), string(kdfOptions), one];
  return Buffer.concat([...parts, string(pub), string(secret)]).toString('base64');
}

describe("an OpenSSH key file's body without its armour", () => {
  const body = opensshBody(bytes(ED.d), bytes(ED.x));

  it('in lines, on one line and escaped in JSON: the body is the finding', () => {
    expect(keys(body)).toEqual([['PRIVATE_KEY', body]]);
    const line = body.replace(/\n/g, '');
    expect(keys(`key: ${line}\nnext`)).toEqual([['PRIVATE_KEY', line]]);
    expect(keys(JSON.stringify({ key: body }))).toEqual([['PRIVATE_KEY', body.replace(/\n/g, '\\n')]]);
  });

  it('an encrypted body (aes256-ctr, bcrypt) holds its private section too', () => {
    const kdf = Buffer.concat([Buffer.from([0, 0, 0, 16]), randomBytes(16), Buffer.from([0, 0, 0, 16])]);
    const file = opensshFile('aes256-ctr', 'bcrypt', kdf, randomBytes(144));
    expect(keys(file)).toEqual([['PRIVATE_KEY', file]]);
  });

  it("cut inside an unencrypted section: a key once the first private field's first 32 bytes are there", () => {
    const file = Buffer.from(body.replace(/\n/g, ''), 'base64');
    const seedEnd = file.indexOf(bytes(ED.d)) + 32;
    const upTo = (n: number) => file.subarray(0, n).toString('base64');
    expect(keys(upTo(seedEnd))).toEqual([['PRIVATE_KEY', upTo(seedEnd)]]);
    expect(keys(upTo(seedEnd - 3))).toEqual([]);
    const kdf = Buffer.concat([Buffer.from([0, 0, 0, 16]), randomBytes(16), Buffer.from([0, 0, 0, 16])]);
    expect(keys(opensshFile('aes256-ctr', 'bcrypt', kdf, randomBytes(144)).slice(0, -40))).toEqual([]);
  });

  it('controls: the first lines alone, a body cut inside its private section, and another magic are none', () => {
    const lines = body.split('\n');
    expect(keys(lines.slice(0, 2).join('\n'))).toEqual([]);
    const cut = opensshFile('none', 'none', Buffer.alloc(0), randomBytes(144)).slice(0, -40);
    expect(holdsOpensshPrivateSection(cut)).toBe(false);
    expect(keys(cut)).toEqual([]);
    expect(holdsOpensshPrivateSection(Buffer.from('openssh-key-v2\0').toString('base64') + body.slice(20))).toBe(false);
  });
});

describe('a COSE_Key in CBOR diagnostic notation', () => {
  const hex = (member: string | undefined) => bytes(member).toString('hex');
  const cose = `{1: 2, -1: 1, -2: h'${hex(EC.x)}', -3: h'${hex(EC.y)}', -4: h'${hex(EC.d)}'}`;

  it('-4 is the finding, pretty and on one line; the public key alone is none', () => {
    expect(keys(cose)).toEqual([['PRIVATE_KEY', hex(EC.d)]]);
    expect(keys(cose.replace(/, /g, ',\n  '))).toEqual([['PRIVATE_KEY', hex(EC.d)]]);
    expect(keys(`{1: 2, -1: 1, -2: h'${hex(EC.x)}', -3: h'${hex(EC.y)}'}`)).toEqual([]);
    expect(keys(`{1: 1, -1: 6, -4: h'${'00'.repeat(32)}'}`)).toEqual([]);
  });
});

describe("a JWK's private member in config, URL, markup and CSV forms", () => {
  const { d, x, y } = EC as { d: string; x: string; y: string };

  it.each([
    ['Java properties', `jwk.kty=EC\njwk.crv=P-256\njwk.x=${x}\njwk.d=${d}`],
    ['.env variables', `JWK_KTY=EC\nJWK_CRV=P-256\nJWK_D=${d}`],
    ['a query string', `https://app.example/cb?kty=EC&crv=P-256&x=${x}&d=${d}`],
    ['XML elements', `<jwk><kty>EC</kty><crv>P-256</crv><d>${d}</d></jwk>`],
  ])('%s: d is the finding', (_name, text) => {
    expect(keys(text)).toEqual([['PRIVATE_KEY', d]]);
  });

  it('a CSV row under a header naming kty and d (or d before kty, semicolons): the row is the finding', () => {
    expect(keys(`kty,crv,x,y,d\nEC,P-256,${x},${y},${d}`)).toEqual([['PRIVATE_KEY', `EC,P-256,${x},${y},${d}`]]);
    expect(keys(`d;kty;crv\n${d};EC;P-256\n`)).toEqual([['PRIVATE_KEY', `${d};EC;P-256`]]);
  });

  it('controls: no kty/crv parameter, an HTML paragraph, a public CSV, a jwk prefix on a public member', () => {
    const data = randomBytes(32).toString('base64url');
    expect(keys(`https://app.example/cb?state=ok&d=${data}`)).toEqual([]);
    expect(keys(`kty: EC, see https://x.example/a?d=${data}`)).toEqual([]);
    expect(keys(`<p>${data}</p>`)).toEqual([]);
    expect(keys(`kty,crv,x,y\nEC,P-256,${x},${y}`)).toEqual([]);
    expect(keys(`jwk.x=${x}\njwk.y=${y}`)).toEqual([]);
  });
});

/** A JWK member as the decimal integer Python, Go and Java print. */
const decimal = (member: string | undefined) => BigInt(`0x${bytes(member).toString('hex')}`).toString();
/** `digits` digits of pi after `3.` (Machin's formula in BigInt, 10 guard digits). */
function piDigits(digits: number): string {
  const scale = 10n ** BigInt(digits + 10);
  const atanInv = (x: bigint) => {
    let sum = 0n;
    let term = scale / x;
    for (let k = 1n; term !== 0n; k += 2n, term /= x * x) sum += ((k & 3n) === 1n ? 1n : -1n) * (term / k);
    return sum;
  };
  const pi = (16n * atanInv(5n) - 4n * atanInv(239n)).toString();
  return `3.${pi.slice(1, digits + 1)}`;
}

describe("RSA's private exponent in decimal", () => {
  const D = decimal(RSA.d);
  const N = decimal(RSA.n);

  it.each([
    ['Python private_numbers().d', `>>> nums = key.private_numbers()\n>>> nums.d\n${D}\n>>> nums.p\n`],
    ['Python RSAPrivateNumbers repr', `RSAPrivateNumbers(p=${decimal(RSA.p)}, q=${decimal(RSA.q)}, d=${D}, dmp1=1)`],
    ["Go's %+v", `&{PublicKey:{N:+${N} E:65537} D:+${D} Primes:[+${decimal(RSA.p)} +${decimal(RSA.q)}]}`],
    ["JDK 8's toString", `SunRsaSign RSA private CRT key, 2048 bits\n  modulus: ${N}\n  private exponent: ${D}`],
    ['JSON', `{"n": "${N}", "e": 65537, "d": "${D}"}`],
    ['a label then a break', `privateExponent:\n  ${D}\n`],
  ])('%s: d is the finding, n and the primes are not', (_name, text) => {
    expect(keys(text)).toEqual([['PRIVATE_KEY', D]]);
  });

  it('escaped in a JSON string', () => {
    expect(keys(JSON.stringify({ content: `>>> nums.d\n${D}\n` }))).toEqual([['PRIVATE_KEY', D]]);
  });

  it('controls: a modulus, a long number alone, pi, 2^1024, a 299-digit d and a short d are no PRIVATE_KEY', () => {
    const long = D.slice(0, 300);
    expect(keys(`n = ${N}\nmodulus: ${N}\nN:+${N}`)).toEqual([]);
    expect(keys(`The number ${long} is long.\n${long}`)).toEqual([]);
    expect(keys(`pi = ${piDigits(400)}`)).toEqual([]);
    expect(keys(`2^1024 = ${(2n ** 1024n).toString()}, so the bound holds.`)).toEqual([]);
    expect(keys(`d = ${D.slice(0, 299)}\nd = 12345`)).toEqual([]);
  });
});

/** `certtool -k`'s number: `label:` then tab-indented rows of 16 bytes, hex with colons (a leading 00 when high). */
const certtoolField = (label: string, value: Buffer) => {
  const padded = (value[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value;
  const cells = padded.toString('hex').match(/../g) as string[];
  const lines = Array.from({ length: Math.ceil(cells.length / 16) }, (_, i) => cells.slice(i * 16, i * 16 + 16));
  return [`${label}:`, ...lines.map((row, i) => `\t${row.join(':')}${i < lines.length - 1 ? ':' : ''}`)].join('\n');
};
const certtoolRows = (label: string, value: Buffer) =>
  certtoolField(label, value)
    .slice(label.length + 2)
    .trimStart();

describe("GnuTLS certtool -k's private numbers", () => {
  const labels = [
    ['private exponent', 'd'],
    ['prime1', 'p'],
    ['prime2', 'q'],
    ['coefficient', 'qi'],
    ['exp1', 'dp'],
    ['exp2', 'dq'],
  ] as const;

  it("an RSA key's six private numbers are each a finding; modulus and public exponent are not", () => {
    const text = [
      certtoolField('modulus', bytes(RSA.n)),
      'public exponent:\n\t01:00:01',
      ...labels.map(([label, member]) => certtoolField(label, bytes(RSA[member]))),
    ].join('\n\n');
    expect(keys(text)).toEqual(
      labels.map(([label, member]) => ['PRIVATE_KEY', certtoolRows(label, bytes(RSA[member]))]),
    );
  });

  it('an Ed25519 and a P-256 key: private key: is the finding, x: and y: are not', () => {
    const ed = `curve:\tEd25519\n${certtoolField('private key', bytes(ED.d))}\n\n${certtoolField('x', bytes(ED.x))}`;
    expect(keys(ed)).toEqual([['PRIVATE_KEY', certtoolRows('private key', bytes(ED.d))]]);
    const ec = ['curve:\tSECP256R1', certtoolField('private key', bytes(EC.d)), certtoolField('x', bytes(EC.x))];
    expect(keys(ec.join('\n\n'))).toEqual([['PRIVATE_KEY', certtoolRows('private key', bytes(EC.d))]]);
  });

  it('controls: a public key and a placeholder private key: are no PRIVATE_KEY', () => {
    const pub = [certtoolField('modulus', bytes(RSA.n)), 'public exponent:\n\t01:00:01'].join('\n\n');
    expect(keys(pub)).toEqual([]);
    expect(keys(`curve:\tEd25519\n${certtoolField('x', bytes(ED.x))}`)).toEqual([]);
    expect(keys(certtoolField('private key', Buffer.alloc(32)))).toEqual([]);
  });
});

/** An OpenPGP MPI: its bit count (2 bytes) and its bytes. */
const mpi = (value: Buffer) => {
  const bits = Buffer.alloc(2);
  bits.writeUInt16BE(value.length * 8 - Math.clz32(value[0] as number) + 24);
  return Buffer.concat([bits, value]);
};
/**
 * A v4 EdDSA key packet (tag 5 secret, 6 public) as gpg exports it, in the old format (one-byte length) or the new,
 * then a user ID packet; `secret` follows the public point after S2K usage `usage`.
 */
function pgpPacket(tag: number, secret: Buffer | undefined, format: 'old' | 'new', usage = 0): Buffer {
  const pub = Buffer.from([4, 0x6b, 0x16, 0xdd, 0x64, 22, 9, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01]);
  const tail = secret === undefined ? [] : [Buffer.from([usage]), secret];
  const body = Buffer.concat([pub, mpi(Buffer.concat([Buffer.from([0x40]), bytes(ED.x)])), ...tail]);
  const head = format === 'old' ? [0x80 | (tag << 2), body.length] : [0xc0 | tag, body.length];
  const uid = Buffer.from('Dev <dev@example.com>');
  return Buffer.concat([Buffer.from(head), body, Buffer.from([0x80 | (13 << 2), uid.length]), uid]);
}
const lines64 = (b: Buffer) => (b.toString('base64').match(/.{1,64}/g) as string[]).join('\n');

describe('a PGP secret key block body without its armour', () => {
  const clear = Buffer.concat([mpi(bytes(ED.d)), Buffer.from([0x12, 0x34])]);
  const body = lines64(pgpPacket(5, clear, 'old'));

  it('in lines (the CRC line after is not the finding), on one line, escaped in JSON: the body is the finding', () => {
    expect(body.slice(0, 4)).toBe('lFgE');
    expect(keys(`${body}\n=AbCd`)).toEqual([['PRIVATE_KEY', body]]);
    const line = body.replace(/\n/g, '');
    expect(keys(`key: ${line} ok`)).toEqual([['PRIVATE_KEY', line]]);
    expect(keys(JSON.stringify({ key: body }))).toEqual([['PRIVATE_KEY', body.replace(/\n/g, '\\n')]]);
  });

  it('the new packet format and an encrypted secret (S2K usage 254) are keys too', () => {
    const fresh = lines64(pgpPacket(5, clear, 'new'));
    expect(fresh[0]).toBe('x');
    expect(keys(fresh)).toEqual([['PRIVATE_KEY', fresh]]);
    const sealed = lines64(pgpPacket(5, Buffer.concat([Buffer.from([9, 3, 8]), randomBytes(60)]), 'old', 254));
    expect(keys(sealed)).toEqual([['PRIVATE_KEY', sealed]]);
  });

  it('controls: a public key packet, a packet cut short, no secret material and random base64 are none', () => {
    expect(keys(lines64(pgpPacket(6, undefined, 'old')))).toEqual([]);
    expect(keys(lines64(pgpPacket(5, undefined, 'old')))).toEqual([]);
    const cut = body.replace(/\n/g, '').slice(0, 80);
    expect(holdsPgpSecretKey(cut)).toBe(false);
    expect(keys(cut)).toEqual([]);
    expect(holdsPgpSecretKey(`lFgE${randomBytes(90).toString('base64')}`)).toBe(false);
  });
});

describe('streams hold them while they may still grow', () => {
  const ed = ['ED25519 Private-Key:', opensslField('priv', bytes(ED.d)), opensslField('pub', bytes(ED.x))].join('\n');
  const hex = (member: string | undefined) => bytes(member).toString('hex');

  it('openssl -text, a COSE_Key and the JWK forms, split at every position and a character a push', () => {
    everySplit(`Here:\n${ed}\ndone`);
    everySplit(`Key: {1: 1, -1: 6, -2: h'${hex(ED.x)}', -4: h'${hex(ED.d)}'} ok`);
    everySplit(`JWK_KTY=OKP\nJWK_D=${ED.d}\nok`);
    everySplit(`See ?kty=OKP&crv=Ed25519&d=${ED.d} ok`);
    everySplit(`<jwk><kty>OKP</kty><d>${ED.d}</d></jwk> ok`);
    everySplit(`kty,crv,d\nOKP,Ed25519,${ED.d}\nok`);
  });

  it("certtool's private key:, a decimal d and a PGP body, split at every position and a character a push", () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' }) as Jwk;
    everySplit(`curve:\tEd25519\n${certtoolField('private key', bytes(ED.d))}\nok`);
    everySplit(`>>> nums.d\n${decimal(small.d)}\n>>> ok`);
    everySplit(`Key:\n${lines64(pgpPacket(5, Buffer.concat([mpi(bytes(ED.d)), Buffer.from([1, 2])]), 'old'))}\n=AbCd`);
  });

  it("an RSA key's -text and an OpenSSH body, in 7-character pushes, by lines and escaped in JSON", () => {
    const body = opensshBody(bytes(ED.d), bytes(ED.x));
    for (const whole of [`Key:\n${RSA_TEXT}\ndone`, `Key:\n${body}\ndone`, JSON.stringify({ content: EC_TEXT })]) {
      check(whole, whole.match(/[\s\S]{1,7}/g) as string[]);
      check(whole, whole.split(/(?<=\n)/));
      check(whole, whole.split(/(?=\\|\n)/));
    }
  });

  it('each declares the partial that holds it', () => {
    for (const r of KEY_TEXT_RECOGNIZERS) expect(r.partial).toBeDefined();
  });
});
