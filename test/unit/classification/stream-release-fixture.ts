// Shared by the stream scanner's release tests (stream-scanner-release*.test.ts): the labelled corpus's examples and
// documents, the embeddings of a value in prose, and the guarantee checked on one chunking: a stream reports exactly
// what classifying the whole text reports, each finding in the one chunk that holds all of its characters.
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { createBase58check } from '@scure/base';
import { expect } from 'vitest';
import {
  createClassifier,
  createStreamScanner,
  DEFAULT_RECOGNIZERS,
  type Classifier,
  type Finding,
  type ScannedChunk,
} from '../../../src/classification/index.ts';

export const key = new Uint8Array(32).fill(7);
export const classifier = createClassifier({ fingerprintKey: key });
export const PATH = 'choices[0].delta.content';

const corpus = JSON.parse(
  readFileSync(new URL('../../fixtures/classification/corpus.json', import.meta.url), 'utf8'),
) as { documents: { id: string; text: string }[] };
const MARK = /⟦([A-Z_0-9]+)\|([\s\S]*?)⟧/g;
export const examples = corpus.documents.flatMap((d) =>
  [...d.text.matchAll(MARK)].map((m) => ({ type: m[1] as string, value: m[2] as string })),
);
export const documents = corpus.documents.map((d) => ({ id: d.id, text: d.text.replace(MARK, '$2') }));

/** A context word of each finding type (the first one its recognizers list), for the "with context" embeddings. */
const contextWord = new Map<string, string>();
for (const r of DEFAULT_RECOGNIZERS)
  if (!contextWord.has(r.type) && r.contextWords?.[0] !== undefined) contextWord.set(r.type, r.contextWords[0]);
// Their labels are part of their patterns.
contextWord.set('AWS_SECRET_KEY', 'aws secret key');
contextWord.set('GENERIC_API_KEY', 'api_key');
contextWord.set('MEDICAL_RECORD_NUMBER', 'MRN');
contextWord.set('PASSWORD', 'password');

/**
 * A key's material as tools print it (recognizers-key-text.ts): 48 bytes drawn from it as openssl's -text hex under
 * `prime1:` and `priv:`, as certtool's under `private key:`, as a decimal d (three times over: 300 digits or more) and
 * as a COSE_Key's -4, an OpenSSH key file's body and a PGP secret-key packet holding them as their secret, and
 * the value as a JWK's member under a `jwk` prefix, in a query after `kty=`, as an XML element and in a CSV row,
 * 32 of the bytes as a WireGuard configuration's `PrivateKey =` and under `$ wg genkey` (recognizers-key-lines.ts),
 * and as the seed of an
 * Ed25519 keypair of 64 byte values and a decimal d as an (n, e, d) tuple's third (recognizers-key-numbers.ts), and
 * 32 of them as a BIP32 xprv, a WIF key, hex under `Private key:`, a clear signify key file and a Tink keyset's value
 * (recognizers-key-wallets.ts).
 */
function keyTextForms(value: string): string[] {
  // 48 bytes drawn from the value, random as a key's: a PEM example's own bytes in hex would decode to its BEGIN line.
  const bytes = createHash('sha384').update(value).digest();
  const hex = bytes.toString('hex');
  const cells = (hex.match(/../g) as string[]).join(':');
  /** An SSH wire string: a 4-byte big-endian length, then the bytes. */
  const wire = (b: Buffer | string) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(Buffer.byteLength(b));
    return Buffer.concat([length, Buffer.from(b)]);
  };
  const head = [Buffer.from('openssh-key-v1\0'), wire('none'), wire('none'), wire(''), Buffer.from([0, 0, 0, 1])];
  const body = Buffer.concat([...head, wire(wire('ssh-ed25519')), wire(bytes)]).toString('base64');
  // An OpenPGP v4 EdDSA secret-key packet (old format, tag 5): OID, public point, S2K usage 0, the secret MPI.
  const oid = Buffer.from('092b06010401da470f01', 'hex');
  const key = Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 22]), oid, Buffer.from([1, 7, 0x40]), bytes.subarray(16)]);
  const secret = Buffer.concat([key, Buffer.from([0, 1, 0]), bytes.subarray(0, 32), Buffer.from([0, 0])]);
  const pgp = Buffer.concat([Buffer.from([0x94, secret.length]), secret]).toString('base64');
  const seed = bytes.subarray(0, 32);
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const x = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })).export({ format: 'jwk' }).x;
  const keypair = [...seed, ...Buffer.from(x as string, 'base64url')];
  const b58 = createBase58check(sha256);
  const xprv = b58.encode(
    Buffer.concat([Buffer.from('0488ade4', 'hex'), Buffer.alloc(9), bytes.subarray(16), Buffer.from([0]), seed]),
  );
  const wif = b58.encode(Buffer.concat([Buffer.from([0x80]), seed, Buffer.from([1])]));
  const signify = Buffer.concat([Buffer.from('EdBK\0\0\0\0', 'latin1'), bytes, bytes]); // 104 bytes: a clear signify key
  return [
    `prime1:\n    ${cells}\npriv:\n    ${cells}\n`,
    `private key:\n\t${cells}\n`,
    `>>> nums.d\n${BigInt(`0x${hex.repeat(3)}`)}\n`,
    `key block:\n${pgp}\n`,
    `{1: 1, -4: h'${hex}'}`,
    `key file:\n${body}\n`,
    `JWK_D=${value}\n`,
    `?kty=OKP&d=${value} ok`,
    `<jwk><kty>OKP</kty><d>${value}</d></jwk>`,
    `kty,d\nOKP,${value}\n`,
    `[Interface]\nPrivateKey = ${bytes.subarray(0, 32).toString('base64')}\nListenPort = 51820\n`,
    `id.json: [${keypair.join(',')}]\n`,
    `solana keypair ${Buffer.from(keypair).toString('hex')}\n`,
    `$ wg genkey\n${bytes.subarray(0, 32).toString('base64')}\n`,
    `PrivateKey(${BigInt(`0x${hex}`)}, 65537, ${BigInt(`0x${hex.repeat(3)}`)})`,
    `BIP32 root key: ${xprv}\nWIF: ${wif}\nPrivate key: ${seed.toString('hex')}\n`,
    `untrusted comment: signify secret key\n${signify.toString('base64')}\n`,
    `{"value": "${bytes.toString('base64')}", "keyMaterialType": "SYMMETRIC"}`,
  ];
}

export function embeddings(type: string, value: string): string[] {
  const word = contextWord.get(type) ?? 'note';
  return [
    value,
    `Summarise the quarterly report. ${value} was mentioned, then the north region.`,
    `Please keep the ${word}: ${value}\nThe next line is ordinary prose about sales.`,
    `See ${value} (${word}) and the rest of the answer follows.`,
    // A password is also found where a connection URL holds it.
    ...(type === 'PASSWORD' ? [`Connect with postgres://orders:${value}@db.internal:5432/orders today.`] : []),
    // A lone name is also found where words about people are near it, a name on a card's first line too.
    ...(type === 'PERSON_NAME'
      ? [
          `Then ${value} said she would call back about the report.`,
          `${value}\nNorthwind Traders Ltd.\n`,
          // Spoken to, affiliated with a company, led by a particle where a sentence starts.
          `Do not go to town, ${value.split(' ').pop()}!`,
          `${value.split(' ').pop()}, can you call me back?`,
          `Hi ${value}, thanks for writing.`,
          `${value} is from Northwind Traders Ltd. and called.`,
          `That was all. de ${value.split(' ').pop()} flew home.`,
          // After a naming phrase, called a person, a possessor of an address, one item of a series of names.
          `My name is ${value}. ${value.split(' ')[0]} is a kind person; here is ${value.split(' ')[0]}'s address: ` +
            `none. They had 4: Mateo, ${value.split(' ')[0]}, Flavio and Florencia.`,
        ]
      : []),
    // A private key's material is also found as a JWK's private member (JSON, an INI line), as a PuTTY key file's
    // Private-Lines, as a .NET XML key's element, and as an RSA member pair (d of 170 characters or more, then p; from
    // a value of a line, not a PEM block: four of those are a 1,600-character text split at every position).
    ...(type === 'PRIVATE_KEY'
      ? [
          `{"kty": "OKP", "crv": "Ed25519", "d": "${value}"}`,
          `Private-Lines: 1\n${value}\nPrivate-MAC: 0a1b\n`,
          `[jwk]\nkty = OKP\nd = ${value}\n`,
          `<RSAKeyValue><D>${value}</D></RSAKeyValue>`,
          ...(value.length <= 64 ? [`{"d": "${value.repeat(4)}", "p": "${value.repeat(2)}"}`] : []),
          ...keyTextForms(value),
        ]
      : []),
    // A routing number is also found between the MICR transit symbols of a cheque line.
    ...(type === 'US_BANK_ROUTING' ? [`Cheque line \u2446${value}\u2446 000123456789\u2448 0042.`] : []),
  ];
}

type Seen = Pick<Finding, 'type' | 'category' | 'start' | 'end' | 'confidence' | 'fingerprint'>;
const seen = (f: Finding, at = 0): Seen => ({
  type: f.type,
  category: f.category,
  start: f.start + at,
  end: f.end + at,
  confidence: f.confidence,
  fingerprint: f.fingerprint,
});
const order = (a: Seen, b: Seen) =>
  a.start - b.start || a.end - b.end || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0);

export function stream(chunks: readonly string[], c: Classifier = classifier, window?: number): ScannedChunk[] {
  const scanner = createStreamScanner({ classifier: c, path: PATH, ...(window === undefined ? {} : { window }) });
  return [...chunks.map((x) => scanner.push(x)), scanner.end()];
}

/** The guarantee, checked on one chunking of `whole`. */
export function check(whole: string, chunks: readonly string[], c: Classifier = classifier, window?: number): void {
  const out = stream(chunks, c, window);
  const where = `text ${JSON.stringify(whole)} chunked ${JSON.stringify(chunks)}`;
  expect(out.map((c) => c.text).join(''), where).toBe(whole);
  const expected = c
    .classify([{ path: PATH, text: whole }])
    .findings.map((f) => seen(f))
    .sort(order);
  const reported = out.flatMap((c) => c.findings.map((f) => seen(f, c.offset))).sort(order);
  expect(reported, where).toEqual(expected);
  for (const c of out) {
    const from = c.offset;
    const to = c.offset + c.text.length;
    for (const f of expected) {
      if (f.start < to && f.end > from) {
        // A chunk holding any character of a finding holds all of it and reports it.
        expect(
          c.findings.map((x) => seen(x, from)),
          `${where}: ${f.type} at ${f.start} in chunk at ${from}`,
        ).toContainEqual(f);
      }
    }
  }
}

export function everySplit(whole: string, c: Classifier = classifier): void {
  for (let at = 0; at <= whole.length; at += 1) check(whole, [whole.slice(0, at), whole.slice(at)], c);
  check(whole, [...whole], c);
}
