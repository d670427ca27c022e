// Round 11 of the attacker's review (session 13), private keys as tools print and store them outside PEM armour and
// JSON: `openssl rsa|ec|pkey -text -noout` (the key's numbers in hex with colons under `privateExponent:`, `prime1:`,
// `priv:`), an OpenSSH key file's base64 with its armour lines left out, and a JWK's `d` in the forms config files,
// URLs and markup write (recognizers-key-files.ts, 8159c98/006cd9f, reads JSON-like members, an INI line and .NET XML).
// Controls: the same keys as PEM or as JSON are refused.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isForwarded, isStreamed } from './round9-helpers.ts';
import { opensshBody, opensslField } from './round11-helpers.ts';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const RSA = rsa.privateKey.export({ format: 'jwk' }) as Record<string, string>;
const ed = generateKeyPairSync('ed25519');
const ED = ed.privateKey.export({ format: 'jwk' }) as Record<string, string>;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const EC = ec.privateKey.export({ format: 'jwk' }) as Record<string, string>;
const bytes = (member: string | undefined) => Buffer.from(member as string, 'base64url');

/** `openssl rsa -text -noout` of the RSA key. */
const RSA_TEXT = [
  'Private-Key: (2048 bit, 2 primes)',
  opensslField('modulus', bytes(RSA.n)),
  'publicExponent: 65537 (0x10001)',
  opensslField('privateExponent', bytes(RSA.d)),
  opensslField('prime1', bytes(RSA.p)),
  opensslField('prime2', bytes(RSA.q)),
  opensslField('exponent1', bytes(RSA.dp)),
  opensslField('exponent2', bytes(RSA.dq)),
  opensslField('coefficient', bytes(RSA.qi)),
].join('\n');
/** `openssl pkey -text -noout` of the Ed25519 key. */
const ED_TEXT = ['ED25519 Private-Key:', opensslField('priv', bytes(ED.d)), opensslField('pub', bytes(ED.x))].join(
  '\n',
);
/** `openssl ec -text -noout` of the P-256 key. */
const EC_TEXT = [
  'Private-Key: (256 bit)',
  opensslField('priv', bytes(EC.d)),
  opensslField('pub', Buffer.concat([Buffer.from([4]), bytes(EC.x), bytes(EC.y)])),
  'ASN1 OID: prime256v1',
  'NIST CURVE: P-256',
].join('\n');

describe("a private key as openssl's -text output", () => {
  it('control: the same keys as PEM are refused', async () => {
    for (const key of [rsa, ed, ec])
      expect(await isForwarded(key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)).toBe(false);
  });

  // Closed (recognizers-key-text.ts OPENSSL_TEXT_PRIVATE_KEY, OPENSSL_TEXT_PRIV): a private number's label over its
  // colon-separated hex rows is a key; `modulus:`, `publicExponent:` and `pub:` alone are not.
  it.each([
    ['openssl rsa -text -noout (RSA 2048)', RSA_TEXT],
    ['openssl pkey -text -noout (Ed25519)', ED_TEXT],
    ['openssl ec -text -noout (P-256)', EC_TEXT],
  ])('%s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed (the same recognizers, with their partials): an answer's private block is held until it is read.
  it('an answer streaming openssl rsa -text output does not reach the client whole', async () => {
    expect(await isStreamed(RSA_TEXT, opensslField('prime1', bytes(RSA.p)))).toBe(false);
  });
});

describe('an OpenSSH private key file without its armour lines', () => {
  const body = opensshBody(bytes(ED.d), bytes(ED.x));

  it('control: the file with its BEGIN/END OPENSSH PRIVATE KEY lines is refused', async () => {
    expect(await isForwarded(`-----BEGIN OPENSSH PRIVATE KEY-----\n${body}\n-----END OPENSSH PRIVATE KEY-----\n`)).toBe(
      false,
    );
  });

  // Closed (recognizers-key-text.ts OPENSSH_BODY_PRIVATE_KEY): the body opening with 'b3BlbnNzaC1rZXktdjEA'
  // (openssh-key-v1\0) is read whole, and a body whose decoded structure holds the private section is a key.
  it.each([
    ['as its lines', body],
    ['on one line', body.replace(/\n/g, '')],
  ])('the body %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });
});

describe("a JWK's private member in config, URL and markup forms", () => {
  it('control: the JWK as JSON, as a Python dict, as YAML and as HCL is refused', async () => {
    const texts = [
      JSON.stringify(EC),
      `{'kty': 'EC', 'crv': 'P-256', 'x': '${EC.x}', 'y': '${EC.y}', 'd': '${EC.d}'}`,
      `kty: EC\ncrv: P-256\nx: ${EC.x}\ny: ${EC.y}\nd: ${EC.d}`,
      `jwk {\n  kty = "EC"\n  crv = "P-256"\n  d   = "${EC.d}"\n}`,
    ];
    for (const text of texts) expect(await isForwarded(text)).toBe(false);
  });

  // Closed (recognizers-key-text.ts JWK_PREFIXED_PRIVATE_KEY, JWK_QUERY_PRIVATE_KEY, JWK_XML_PRIVATE_KEY,
  // JWK_CSV_PRIVATE_KEY): a `jwk`-prefixed name, a query parameter and a lower-case element beside kty/crv, and a CSV
  // row under a header naming kty/crv and d, are read as a JWK's private member.
  it.each([
    ['Java properties (jwk.d=)', `jwk.kty=EC\njwk.crv=P-256\njwk.x=${EC.x}\njwk.d=${EC.d}`],
    ['.env variables (JWK_D=)', `JWK_KTY=EC\nJWK_CRV=P-256\nJWK_D=${EC.d}`],
    ['a query string (&d=)', `https://app.example/callback?kty=EC&crv=P-256&x=${EC.x}&d=${EC.d}`],
    ['XML elements (<d>)', `<jwk><kty>EC</kty><crv>P-256</crv><d>${EC.d}</d></jwk>`],
    ['a CSV row', `kty,crv,x,y,d\nEC,P-256,${EC.x},${EC.y},${EC.d}`],
  ])('the EC JWK as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed (recognizers-key-text.ts COSE_PRIVATE_KEY): label -4 (d) written h'<hex>' is a key.
  it('an EC key as a COSE_Key in CBOR diagnostic notation is refused', async () => {
    const hex = (member: string | undefined) => bytes(member).toString('hex');
    expect(await isForwarded(`{1: 2, -1: 1, -2: h'${hex(EC.x)}', -3: h'${hex(EC.y)}', -4: h'${hex(EC.d)}'}`)).toBe(
      false,
    );
  });
});
