// Private keys as key files hold them (recognizers-key-files.ts): a JSON Web Key's private members and a PuTTY .ppk's
// Private-Lines are PRIVATE_KEY over the key material, however the container is written; a public JWK, a .ppk's
// Public-Lines, dates, short strings, JWTs and query strings are not. Streams hold them while they may still grow.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { mayOpenKey } from '../../../src/classification/key-starts.ts';
import {
  JWK_PRIVATE_KEY,
  JWK_PRIVATE_KEY_BASE64,
  JWK_PRIVATE_KEY_LINE,
  PUTTY_PRIVATE_KEY,
  XML_RSA_PRIVATE_KEY,
} from '../../../src/classification/recognizers.ts';
import { normalizeText } from '../../../src/classification/normalize.ts';
import { keyHolds } from '../../../src/classification/stream-key-hold.ts';
import { check, everySplit, stream } from './stream-release-fixture.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(4) });
const found = (text: string) =>
  classifier.classify([{ path: 'p', text }]).findings.map((f) => [f.type, text.slice(f.start, f.end)]);
const keys = (text: string) => found(text).filter(([type]) => type === 'PRIVATE_KEY');

type Jwk = Record<string, string>;
const jwkOf = (pair: { privateKey: { export(o: { format: 'jwk' }): unknown } }) =>
  pair.privateKey.export({ format: 'jwk' }) as Jwk;
const JWKS = {
  'EC P-256': jwkOf(generateKeyPairSync('ec', { namedCurve: 'P-256' })),
  'EC P-384': jwkOf(generateKeyPairSync('ec', { namedCurve: 'P-384' })),
  'EC P-521': jwkOf(generateKeyPairSync('ec', { namedCurve: 'P-521' })),
  'EC secp256k1': jwkOf(generateKeyPairSync('ec', { namedCurve: 'secp256k1' })),
  Ed25519: jwkOf(generateKeyPairSync('ed25519')),
  Ed448: jwkOf(generateKeyPairSync('ed448')),
  X25519: jwkOf(generateKeyPairSync('x25519')),
  X448: jwkOf(generateKeyPairSync('x448')),
  'RSA 2048': jwkOf(generateKeyPairSync('rsa', { modulusLength: 2048 })),
};
const RSA = JWKS['RSA 2048'];
const PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi'];
/** The private members' values a JWK holds, in member order. */
const secrets = (jwk: Jwk) => Object.keys(jwk).flatMap((k) => (PRIVATE.includes(k) ? [jwk[k] as string] : []));
/** 32 random bytes in standard base64, with a `+` or `/` in it (three draws in four have one). */
const STD = stdBase64(32);

/** `n` random bytes in standard base64 with a `+` or `/` in it: never also base64url (a JWK member's own reading). */
function stdBase64(n: number): string {
  for (;;) {
    const v = randomBytes(n).toString('base64');
    if (/[+/]/.test(v)) return v;
  }
}
const publicOf = (jwk: Jwk) => Object.fromEntries(Object.entries(jwk).filter(([k]) => !PRIVATE.includes(k)));

describe('JWK private members', () => {
  it.each(Object.entries(JWKS))('%s: every private member, pretty and on one line', (_name, jwk) => {
    const expected = secrets(jwk).map((v) => ['PRIVATE_KEY', v]);
    expect(expected.length).toBeGreaterThan(0);
    expect(keys(JSON.stringify(jwk, null, 2))).toEqual(expected);
    expect(keys(JSON.stringify(jwk))).toEqual(expected);
  });

  it.each(Object.entries(JWKS))('%s: its public JWK is no finding (control)', (_name, jwk) => {
    expect(found(JSON.stringify(publicOf(jwk), null, 2))).toEqual([]);
    expect(found(JSON.stringify({ keys: [publicOf(jwk)] }))).toEqual([]);
  });

  // Public P-521 keys drawn at random whose x or y ended in a capital after a digit, `-` or `_` (`…DC4Zvdety`, `…2Dq`
  // glued to the next name `crv`), with a people word inside the base64 (`w9told2`): ~4 keys in 600 read a
  // PERSON_NAME before match-context.ts took a capital inside a token for no name's start.
  it.each([
    ['x', 'ALfeoOUsqduVzpFLXf8stt1REAZywZ_SEXkNiPCzZlr1S6WlpbjNmZT8gVU7vy-TDRsj8igsHeZK8ckDC4Zvdety'],
    ['y', 'AdkyYKLATyC3lZ2uqx2C1G0Fxeouqimie7BdIhZQBTlHUCVUTaqMdzoiuQOqzuaIyQ6cpAfaU4MovE_w9told2Dq'],
    ['y', 'AL2UvaCpsRO9exnR-1PMYa0YtWfNGF6EWstVgctKY5noyT3IT9liw0Mu5xBffDVD01BHe7werNOJiAzxzzBjLZ_V'],
    ['y', 'Ae1MOijBR6HoOZsf777JU0_owxnn4AhAmIpC0iiV5NWJ7PludXTjHeN6jXHC4PLNmzg4WFJ02Ky5qsg_1k355n-O'],
  ])('a public P-521 JWK whose %s is %s is no finding (control)', (member, value) => {
    const jwk = { kty: 'EC', [member]: value, crv: 'P-521' };
    expect(found(JSON.stringify(jwk, null, 2))).toEqual([]);
    expect(found(JSON.stringify({ keys: [jwk] }))).toEqual([]);
  });

  it('any member order, a JWKS, and the RSA factors without d', () => {
    const ec = JWKS['EC P-256'];
    const reversed = Object.fromEntries(Object.entries(ec).reverse());
    expect(keys(JSON.stringify(reversed))).toEqual([['PRIVATE_KEY', ec.d]]);
    const set = JSON.stringify({ keys: [publicOf(RSA), ec, JWKS.Ed25519] });
    expect(keys(set)).toEqual([
      ['PRIVATE_KEY', ec.d],
      ['PRIVATE_KEY', JWKS.Ed25519.d],
    ]);
    const { d: _d, ...factors } = RSA;
    expect(keys(JSON.stringify(factors)).map(([, v]) => v)).toEqual(['p', 'q', 'dp', 'dq', 'qi'].map((k) => RSA[k]));
  });

  it('escaped inside a JSON string (a tool call arguments), once and twice', () => {
    const d = JWKS.Ed25519.d as string;
    const once = JSON.stringify({ path: 'keys/sig.jwk', content: JSON.stringify(JWKS.Ed25519) });
    expect(keys(once)).toEqual([['PRIVATE_KEY', d]]);
    expect(keys(JSON.stringify({ arguments: once }))).toEqual([['PRIVATE_KEY', d]]);
  });

  it('as YAML, a JavaScript or Python object literal, PHP and TOML', () => {
    const { d, x } = JWKS.Ed25519 as { d: string; x: string };
    const texts = [
      `signing:\n  kty: OKP\n  crv: Ed25519\n  x: ${x}\n  d: ${d}\n`,
      `keys:\n  - kty: OKP\n    d: "${d}"\n`,
      `const key = { kty: 'OKP', crv: 'Ed25519', d: '${d}', x: '${x}' };`,
      `key = {'kty': 'OKP', 'crv': 'Ed25519', 'd': '${d}'}`,
      `$jwk = ['kty' => 'OKP', 'd' => '${d}'];`,
      `[jwk]\nkty = "OKP"\nd = "${d}"\n`,
      `d=\`${d}\``,
    ];
    for (const text of texts) expect(keys(text), text).toEqual([['PRIVATE_KEY', d]]);
  });

  it('the value is the finding, at its exact place', () => {
    const d = JWKS['EC P-256'].d as string;
    const text = `{"kty":"EC","d":"${d}"}`;
    const [f] = classifier.classify([{ path: 'p', text }]).findings;
    expect([f?.start, f?.end]).toEqual([text.indexOf(d), text.indexOf(d) + d.length]);
    expect(f?.confidence).toBe(100); // kty in reach
    expect(classifier.classify([{ path: 'p', text: `{"d":"${d}"}` }]).findings[0]?.confidence).toBe(95);
  });

  it.each([
    ['a date', '{"d": "2024-01-01", "t": "09:30"}'],
    ['a short string', `{"d": "${'Ab3_'.repeat(9)}", "p": "page-2", "q": "search"}`],
    ['a slug of 40+ characters (one case)', '{"q": "how-to-install-nodejs-on-ubuntu-22-04-and-keep-it-updated"}'],
    ['a hex digest (one case)', `{"d": "${randomBytes(32).toString('hex')}"}`],
    ['standard base64 data (+ and / in it), no JWK word in reach', `{"id": 7, "d": "${STD}", "p": "${STD}"}`],
    ['a URL query', `https://cdn.example.net/a?d=${randomBytes(32).toString('base64url')} then`],
    ['a placeholder', '{"kty": "EC", "d": "YOUR_PRIVATE_KEY_D_VALUE_GOES_HERE_BASE64URL_ENCODED"}'],
    ['a name ending in d, p or q', `{"kid": "${randomBytes(32).toString('base64url')}", "jwks_uri": "x"}`],
  ])('%s: no PRIVATE_KEY (control)', (_name, text) => {
    expect(keys(text)).toEqual([]);
  });

  it('a value in standard base64 (+, /, padding) with a JWK word in reach: kty, crv, AQAB', () => {
    const std = (v: string) => Buffer.from(v, 'base64url').toString('base64');
    const ec = { ...JWKS['EC P-256'], d: STD };
    expect(keys(JSON.stringify(ec, null, 2))).toEqual([['PRIVATE_KEY', STD]]);
    expect(keys(`d: ${STD}\nkty: EC\n`)).toEqual([['PRIVATE_KEY', STD]]);
    const rsa = Object.fromEntries(Object.entries(RSA).map(([k, v]) => [k, k === 'kty' ? v : std(v)]));
    // d (AQAB before it), read with p beside it as a pair (RSA_PRIVATE_KEY_PAIR): one finding from d's name to p's value.
    // The later private members (q, dp, dq, qi) may be findings of their own (~2 % of random keys: q or dp read as a
    // pair or a key alone): never a public member.
    const [first, ...rest] = keys(JSON.stringify(rsa)).map(([, v]) => v);
    expect(first).toBe(`d":"${rsa.d}","p":"${rsa.p}`);
    const json = JSON.stringify(rsa);
    for (const value of rest) expect(json.indexOf(value as string)).toBeGreaterThan(json.indexOf('"q":'));
  });

  it('in source code: Kotlin\'s "d" to "…", a Go struct\'s D: "…", a builder\'s .d(new Base64URL("…")), streamed too', () => {
    const { d, x } = JWKS['EC P-256'] as { d: string; x: string };
    for (const text of [
      `mapOf("kty" to "EC", "x" to "${x}", "d" to "${d}")`,
      `JWK{Kty: "EC", X: "${x}", D: "${d}"}`,
      `new ECKey.Builder(Curve.P_256, x, y)\n    .d(new Base64URL("${d}"))\n    .build();`,
    ]) {
      expect(keys(text), text).toEqual([['PRIVATE_KEY', d]]);
      check(text, text.match(/[\s\S]{1,7}/g) as string[]);
    }
    // A drive letter and a `to` in prose are no member (controls).
    expect(keys(`copy D:\\Users\\${x} then go to "${x}"`)).toEqual([]);
  });

  it('a JWT under "d" is a JWT, not a key; a JWT alone is a JWT', () => {
    const jwt = `${Buffer.from('{"alg":"HS256","typ":"JWT","kid":"2024-07-signing"}').toString('base64url')}.${Buffer.from('{"sub":"1234567890","iat":1516239022}').toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    expect(found(`{"d": "${jwt}"}`).map(([t]) => t)).toEqual(['JWT']);
    expect(found(`Authorization: Bearer ${jwt}`).map(([t]) => t)).toEqual(['JWT']);
  });

  it('an OAuth client_secret is the generic recognizer, not a key', () => {
    const secret = randomBytes(32).toString('base64url');
    expect(found(`{"client_id": "app-7", "client_secret": "${secret}"}`)).toEqual([['GENERIC_API_KEY', secret]]);
  });
});

/** `bytes` as an SSH string (uint32 length, then the bytes). */
const ssh = (bytes: Buffer) => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
};
/** `bytes` as an SSH string (uint32 length, then the bytes); a JWK integer as an SSH mpint. */
const mpint = (b64url: string) => {
  const raw = Buffer.from(b64url, 'base64url');
  return ssh((raw[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), raw]) : raw);
};
const lines = (b64: string) => b64.match(/.{1,64}/g) as string[];

interface Ppk {
  text: string;
  priv: string;
}
/** A .ppk file of `version` around a public and a private blob (the MAC is not checked by anyone here). */
function ppk(version: 2 | 3, alg: string, pub: Buffer, priv: Buffer, encrypted: boolean): Ppk {
  const body = (encrypted ? randomBytes(Math.ceil(priv.length / 16) * 16) : priv).toString('base64');
  const kdf =
    version === 3 && encrypted
      ? `Key-Derivation: Argon2id\nArgon2-Memory: 8192\nArgon2-Passes: 13\nArgon2-Parallelism: 1\nArgon2-Salt: ${randomBytes(16).toString('hex')}\n`
      : '';
  const text = [
    `PuTTY-User-Key-File-${version}: ${alg}`,
    `Encryption: ${encrypted ? 'aes256-cbc' : 'none'}`,
    'Comment: deploy@build-07',
    `Public-Lines: ${lines(pub.toString('base64')).length}`,
    ...lines(pub.toString('base64')),
    `${kdf}Private-Lines: ${lines(body).length}`,
    ...lines(body),
    `Private-MAC: ${randomBytes(version === 3 ? 32 : 20).toString('hex')}`,
    '',
  ].join('\n');
  return { text, priv: lines(body).join('\n') };
}
const ed = generateKeyPairSync('ed25519');
const edPub = Buffer.concat([
  ssh(Buffer.from('ssh-ed25519')),
  ssh((ed.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).subarray(12)),
]);
const edPriv = ssh((ed.privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer).subarray(16));
const rsaPub = Buffer.concat([ssh(Buffer.from('ssh-rsa')), mpint(RSA.e as string), mpint(RSA.n as string)]);
const rsaPriv = Buffer.concat(['d', 'p', 'q', 'qi'].map((k) => mpint(RSA[k] as string)));
const PPKS: [string, Ppk][] = [
  ['v3 Ed25519, unencrypted', ppk(3, 'ssh-ed25519', edPub, edPriv, false)],
  ['v3 Ed25519, encrypted (Argon2id)', ppk(3, 'ssh-ed25519', edPub, edPriv, true)],
  ['v2 RSA 2048, unencrypted', ppk(2, 'ssh-rsa', rsaPub, rsaPriv, false)],
  ['v2 RSA 2048, encrypted', ppk(2, 'ssh-rsa', rsaPub, rsaPriv, true)],
  ['v3 RSA 2048, encrypted', ppk(3, 'ssh-rsa', rsaPub, rsaPriv, true)],
];

describe('PuTTY .ppk Private-Lines', () => {
  it.each(PPKS)('%s: the private lines are the finding', (_name, { text, priv }) => {
    expect(keys(text)).toEqual([['PRIVATE_KEY', priv]]);
    expect(keys(`Pageant refuses this key:\n\n${text}\nWhy?`)).toEqual([['PRIVATE_KEY', priv]]);
  });

  it.each(PPKS)('%s: CRLF, indented as YAML, escaped in a JSON string', (_name, { text, priv }) => {
    expect(keys(text.replace(/\n/g, '\r\n'))).toEqual([['PRIVATE_KEY', priv.replace(/\n/g, '\r\n')]]);
    const yaml = `deploy_key: |\n${text.replace(/^(?=.)/gm, '  ')}`;
    expect(keys(yaml)).toEqual([['PRIVATE_KEY', priv.replace(/\n/g, '\n  ')]]);
    const json = JSON.stringify({ path: 'deploy.ppk', content: text });
    expect(keys(json)).toEqual([['PRIVATE_KEY', priv.replace(/\n/g, '\\n')]]);
  });

  it.each(PPKS)('%s: quoted as a mail or Markdown reply (`> ` or `> > ` before each line)', (_name, { text, priv }) => {
    for (const mark of ['> ', '> > ', '>']) {
      const quoted = text.replace(/^(?=.)/gm, mark);
      expect(keys(quoted)).toEqual([['PRIVATE_KEY', priv.replace(/\n/g, `\n${mark}`)]]);
    }
  });

  it.each(PPKS)('%s: its header and Public-Lines alone are no finding (control)', (_name, { text }) => {
    expect(found(text.slice(0, text.indexOf('Private-Lines:')))).toEqual([]);
    expect(found(text.slice(0, text.indexOf('Private-Lines:')).replace(/\n/g, '\\n'))).toEqual([]);
  });

  it.each([
    ['a placeholder body', 'Private-Lines: 1\n<base64 of the private blob>\nPrivate-MAC: <hex>\n'],
    ['a filler body', `Private-Lines: 1\n${'A'.repeat(64)}\nPrivate-MAC: 00\n`],
    ['a short body', 'Private-Lines: 1\nAAAAIHk3Yx9=\n'],
    ['prose after the label', 'Private-Lines: the number of base64 lines in the private section that follows.\n'],
  ])('%s: no PRIVATE_KEY (control)', (_name, text) => {
    expect(keys(text)).toEqual([]);
  });
});

/** `b64url` (a JWK member) in standard base64, as .NET's XML and a rewritten JWK write it. */
const std64 = (b64url: string) => Buffer.from(b64url, 'base64url').toString('base64');
/** RSA's private key as .NET's RSA.ToXmlString(true) writes it; `priv`: its private elements only. */
const xmlOf = (jwk: Jwk, priv = true) => {
  const el = (name: string, member: string) => `<${name}>${std64(jwk[member] as string)}</${name}>`;
  const privates = [el('P', 'p'), el('Q', 'q'), el('DP', 'dp'), el('DQ', 'dq'), el('InverseQ', 'qi'), el('D', 'd')];
  return `<RSAKeyValue>${el('Modulus', 'n')}<Exponent>AQAB</Exponent>${priv ? privates.join('') : ''}</RSAKeyValue>`;
};

describe('JWK members set by index, as an INI line, and RSA keys as .NET XML', () => {
  const ec = JWKS['EC P-256'] as { d: string; x: string; y: string };

  it('jwk["d"] = "…" and jwk[\'d\'] = \'…\' (a script building a key) are keys; jwk[d] = x (no quote) is not', () => {
    expect(keys(`jwk["kty"] = "EC"\njwk["d"] = "${ec.d}"`)).toEqual([['PRIVATE_KEY', ec.d]]);
    expect(keys(`$jwk['d'] = '${ec.d}';`)).toEqual([['PRIVATE_KEY', ec.d]]);
    expect(keys(`arr[d] = "${ec.d}"`)).toEqual([]);
  });

  it('an INI or .env line d = <value> unquoted, base64url or standard base64, with a JWK word in reach', () => {
    expect(keys(`[jwk]\nkty = EC\ncrv = P-256\nd = ${ec.d}\nx = ${ec.x}\ny = ${ec.y}`)).toEqual([
      ['PRIVATE_KEY', ec.d],
    ]);
    // x and y between kty and d: the word is past the 62 characters before, the section's anchor reads it
    expect(keys(`[jwk]\nkty = EC\ncrv = P-256\nx = ${ec.x}\ny = ${ec.y}\nd = ${ec.d}`)).toEqual([
      ['PRIVATE_KEY', ec.d],
    ]);
    expect(keys(`[jwk]\r\nd=${STD}\r\n`)).toEqual([['PRIVATE_KEY', STD]]);
    const p = std64(RSA.p as string);
    expect(keys(`kty = RSA\n  p = ${p}\n`)).toEqual([['PRIVATE_KEY', p]]);
  });

  it.each([
    ['d = 3 in an INI section', '[jwk]\nkty = EC\nd = 3\n'],
    ['an unquoted d = <value> with no JWK word in reach', `[cache]\nd = ${randomBytes(32).toString('base64url')}\n`],
    ['a public JWK as INI', `[jwk]\nkty = EC\ncrv = P-256\nx = ${ec.x}\ny = ${ec.y}\n`],
    ['a URL query after kty', `kty: EC, see https://x.example/a?d=${randomBytes(32).toString('base64url')}`],
  ])('%s: no PRIVATE_KEY (control)', (_name, text) => {
    expect(keys(text)).toEqual([]);
  });

  it('.NET XML (<RSAKeyValue>): each private element is the finding, in order', () => {
    const xml = xmlOf(RSA);
    expect(keys(xml).map(([, v]) => v)).toEqual(['p', 'q', 'dp', 'dq', 'qi', 'd'].map((k) => std64(RSA[k] as string)));
    expect(keys(xmlOf(RSA).replace(/></g, '>\n  <')).length).toBe(6);
  });

  it.each([
    ['the public key (<Modulus>, <Exponent> only)', xmlOf(RSA, false)],
    ['an HTML paragraph <p> around a token', `<p>${randomBytes(64).toString('base64')}</p>`],
    ['<P> around prose', '<P>The private exponent D is written in base64 between these two tags, always.</P>'],
  ])('%s: no PRIVATE_KEY (control)', (_name, text) => {
    expect(keys(text)).toEqual([]);
  });
});

describe('a JWK as an INI section: its anchor line ([jwk], kty, crv) reads the member line after its other lines', () => {
  const p521 = JWKS['EC P-521'] as { d: string; x: string; y: string };
  const ed = JWKS.Ed25519 as { d: string; x: string };

  it.each([
    [
      'kty first, x and y between, CRLF',
      `kty = EC\r\ncrv = P-521\r\nx = ${p521.x}\r\ny = ${p521.y}\r\nd = ${p521.d}\r\n`,
    ],
    [
      'a [JWK] header, a comment and a blank line',
      `[JWK]\nuse = sig\n# the curve\nx = ${ed.x}\n\nkid = k1\nd = ${ed.d}`,
    ],
    ['crv first, indented', `  crv = Ed25519\n  x = ${ed.x}\n  kid = 2024-key\n  d = ${ed.d}\n`],
  ])('%s: the member is the finding', (_name, text) => {
    const value = text.includes(p521.d) ? p521.d : ed.d;
    expect(keys(text)).toEqual([['PRIVATE_KEY', value]]);
  });

  it.each([
    ['a public JWK section (x, y, no private member)', `[jwk]\nkty = EC\ncrv = P-521\nx = ${p521.x}\ny = ${p521.y}\n`],
    ['d = 3 after x', `[jwk]\nkty = OKP\nx = ${ed.x}\nd = 3\n`],
    [
      'an unquoted d in another section',
      `[jwk]\nkty = OKP\nx = ${ed.x}\n[cache]\nd = ${randomBytes(32).toString('base64url')}\n`,
    ],
    ['kty in prose, then lines', `the kty = EC line\nx = ${ed.x}\nd = ${randomBytes(32).toString('base64url')}\n`],
    [
      'seven other lines between',
      `kty = OKP\na = 1\nb = 2\nc = 3\nx = ${ed.x}\ne = 5\nf = 6\ng = 7\nd = ${randomBytes(32).toString('base64url')}`,
    ],
  ])('%s: no PRIVATE_KEY (control)', (_name, text) => {
    expect(keys(text)).toEqual([]);
  });

  it('a whole text reads a section past a line of any length (a comment, an x5c chain); a stream holds 4,096 at most', () => {
    const comment = (n: number) => `# ${'signing key for the billing service '.repeat(120).slice(0, n - 2)}`;
    const x5c = (n: number) => `x5c = MII${'A'.repeat(n - 9)}`;
    for (const line of [comment(150), comment(4096), comment(4097), x5c(1200), x5c(4096), x5c(4097), x5c(20_000)]) {
      expect(keys(`crv = Ed25519\n${line}\nd = ${ed.d}\n`), String(line.length)).toEqual([['PRIVATE_KEY', ed.d]]);
    }
  });

  it('a stream holds a section as the whole text reads it, whatever its lines (property)', () => {
    const line = fc.oneof(
      // Words: one long hyphenated token reads a context word past the stream's look-behind (JWK_PRIVATE_KEY_LINE).
      fc.integer({ min: 0, max: 150 }).map((n) => `kid = ${'k1 '.repeat(60).slice(0, n)}`),
      fc.integer({ min: 0, max: 150 }).map((n) => `# ${'note '.repeat(40).slice(0, n)}`),
      fc.constantFrom('', '  ', `x = ${ed.x}`),
      // Up to the longest line a stream holds of a section (SECTION_LINE_MOST): past it a whole text reads the section
      // and a stream releases it (review-s15-jwk-ini's open hole).
      fc.constantFrom(4095, 4096).map((n) => `x5c = ${'MIIB'.repeat(1100).slice(0, n - 6)}`),
    );
    const section = fc.record({
      anchor: fc.constantFrom('[jwk]', 'kty = OKP', 'crv: Ed25519'),
      lines: fc.array(line, { maxLength: 7 }),
      member: fc.constantFrom(`d = ${ed.d}`, `d = ${ed.d}  # private`, 'd = 3', ''),
      size: fc.integer({ min: 7, max: 97 }),
    });
    fc.assert(
      fc.property(section, ({ anchor, lines, member, size }) => {
        const whole = `Here:\n${[anchor, ...lines, member].join('\n')}\nok`;
        check(whole, whole.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) as string[]);
      }),
      { numRuns: 25 },
    );
  });

  it('a stream of an anchor line, then a line of 70,000 characters, is released whole (no hold to the limit)', () => {
    const text = `crv: P-256\n${'the quick brown fox jumps over the lazy dog. '.repeat(1600).slice(0, 70_000)}`;
    const out = stream(text.match(/[\s\S]{1,64}/g) as string[]);
    expect(out.map((c) => c.text).join('')).toBe(text);
    expect(out.flatMap((c) => c.findings)).toEqual([]);
  });
});

describe('RSA member pairs in standard base64 with no JWK word: p and q, n and d are the whole key', () => {
  const sizes = [1024, 2048, 4096].map((bits) => jwkOf(generateKeyPairSync('rsa', { modulusLength: bits })));
  const std = (jwk: Jwk, member: string) => std64(jwk[member] as string);
  /** The pair's finding: from the first member's name to the end of the second's value. */
  const span = (text: string, a: string, b: string) => text.slice(text.indexOf(a), text.indexOf(b) + b.length);

  it.each(sizes.map((k) => [Buffer.from(k.n as string, 'base64url').length * 8, k] as const))(
    'RSA-%d: p+q, q+p, n+d, d+n as JSON',
    (_bits, k) => {
      for (const [a, b] of [
        ['p', 'q'],
        ['q', 'p'],
        ['n', 'd'],
        ['d', 'n'],
      ] as const) {
        const text = JSON.stringify({ [a]: std(k, a), [b]: std(k, b) });
        expect(keys(text), `${a}+${b}`).toEqual([['PRIVATE_KEY', span(text, `"${a}"`.slice(1), std(k, b))]]);
      }
    },
  );

  it('as YAML, an INI section, JSON escaped in a string, pretty JSON with a short member between', () => {
    const k = sizes[1] as Jwk;
    const [p, q, n, d] = ['p', 'q', 'n', 'd'].map((m) => std(k, m)) as [string, string, string, string];
    expect(keys(`p: ${p}\nq: ${q}\n`)).toEqual([['PRIVATE_KEY', `p: ${p}\nq: ${q}`]]);
    expect(keys(`[rsa]\nn = ${n}\nd = ${d}\n`)).toEqual([['PRIVATE_KEY', `n = ${n}\nd = ${d}`]]);
    const escaped = JSON.stringify({ args: JSON.stringify({ p, q }) });
    expect(keys(escaped)).toHaveLength(1);
    const pretty = JSON.stringify({ n, kid: 'k-1', d }, null, 2);
    expect(keys(pretty)).toEqual([['PRIVATE_KEY', span(pretty, 'n"', d)]]);
  });

  it('nested deep (indent 4, 6 levels), up to three short members or comment lines between, a // comment', () => {
    const k = sizes[1] as Jwk;
    const [p, q] = [std(k, 'p'), std(k, 'q')];
    const nest = (o: unknown, depth: number): unknown => (depth === 0 ? o : { cfg: nest(o, depth - 1) });
    for (const text of [
      JSON.stringify(nest({ p, q }, 6), null, 4),
      JSON.stringify({ p, kid: 'k-1', alg: 'RS256', use: 'sig', q }, null, 2),
      `p: ${p}\n# second prime\nq: ${q}\n`,
      `const key = {\n  p: '${p}', // first prime\n  // the second\n  q: '${q}',\n};`,
    ]) {
      expect(keys(text), text).toEqual([['PRIVATE_KEY', span(text, text.includes('"p"') ? 'p"' : 'p:', q)]]);
    }
  });

  it('a stream holds a pair with comments between; a first value past 1,400 characters holds nothing', () => {
    const k = sizes[1] as Jwk;
    const yaml = `Key:\np: ${std(k, 'p')}\n# second prime\nq: ${std(k, 'q')}\nok`;
    check(yaml, yaml.match(/[\s\S]{1,7}/g) as string[]);
    check(yaml, yaml.split(/(?<=\n)/));
    // No `M` in the value: no DER opening in it holds anything (stream-key-hold.ts reads keys from `M`).
    const run = (n: number) => 'QWxhZGRpbjpvcGVuIHNlc2FtZQ+/'.repeat(60).slice(0, n);
    const heldFrom = (text: string) =>
      keyHolds({ original: text, normalized: normalizeText(text), bytes: Buffer.alloc(0) });
    for (const [text, from] of [
      [`d: ${run(1400)}`, 0],
      [`d: ${run(1401)}`, 1404],
      [`n: ${run(1366)}\nd: ${run(1084)}`, 0],
      [`n: ${run(1366)}\nd: ${run(1085)}`, 1370],
    ] as const) {
      expect(heldFrom(text).from, text.slice(0, 20)).toBe(from);
    }
  });

  it.each([
    ['p and q as short strings', JSON.stringify({ p: 'page two', q: 'what is the question?' })],
    ['"d": "<base64 data>" alone', JSON.stringify({ d: randomBytes(256).toString('base64') })],
    ['a public RSA key, n and e', JSON.stringify({ n: std(sizes[1] as Jwk, 'n'), e: 'AQAB' })],
    [
      'base64 images under p and q (too long)',
      JSON.stringify({ p: randomBytes(1500).toString('base64'), q: randomBytes(1500).toString('base64') }),
    ],
    [
      'p and q of 60 bytes (too short)',
      // Standard base64 with a + or /: 8 % of 80-character draws have none and are base64url, which a JWK's q is.
      JSON.stringify({ p: stdBase64(60), q: stdBase64(60) }),
    ],
    ['p and q whose top bit is clear', JSON.stringify({ p: `A${stdBase64(127)}`, q: `B${stdBase64(127)}` })],
    ['two moduli (n, n2)', JSON.stringify({ n: std(sizes[1] as Jwk, 'n'), n2: std(sizes[2] as Jwk, 'n') })],
    [
      'p and q with four short members between',
      JSON.stringify({ p: std(sizes[1] as Jwk, 'p'), a: '1', b: '2', c: '3', f: '4', q: std(sizes[1] as Jwk, 'q') }),
    ],
    [
      'p and q in two objects',
      `${JSON.stringify({ p: std(sizes[1] as Jwk, 'p') })} and later {"q": "${std(sizes[1] as Jwk, 'q')}"}`,
    ],
  ])('%s: no PRIVATE_KEY (control)', (_name, text) => {
    expect(keys(text)).toEqual([]);
  });
});

describe('a WireGuard private key', () => {
  const priv = randomBytes(32).toString('base64');
  const config = `[Interface]\nPrivateKey = ${priv}\nAddress = 10.8.0.2/24\n\n[Peer]\nPublicKey = ${STD}\n`;
  it('[Interface] PrivateKey = <32 bytes in base64> is the finding, streamed too; PublicKey, PresharedKey none', () => {
    expect(keys(config)).toEqual([['PRIVATE_KEY', priv]]);
    check(config, config.match(/[\s\S]{1,7}/g) as string[]);
    expect(keys(`[Peer]\nPublicKey = ${priv}\nPresharedKey = ${priv}\n`)).toEqual([]);
  });
});

describe('the DER skip (key-starts.ts) does not gate them', () => {
  // Keys drawn until their text holds no DER opening by chance (`MC…`, `30 2e`: about one text in five does).
  const unopened = <T extends { text: string }>(draw: () => T): T => {
    for (;;) {
      const t = draw();
      if (!mayOpenKey(t.text)) return t;
    }
  };
  it('a text holding only a JWK or a .ppk, alone and cut inside its value between two parts of a message', () => {
    const jwk = unopened(() => {
      const key = jwkOf(generateKeyPairSync('ed25519'));
      return { text: JSON.stringify(key), priv: key.d as string };
    });
    const ppkFile = unopened(() => {
      const pair = generateKeyPairSync('ed25519');
      const priv = ssh((pair.privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer).subarray(16));
      return ppk(3, 'ssh-ed25519', edPub, priv, false);
    });
    for (const { text, priv: value } of [jwk, ppkFile]) {
      expect(mayOpenKey(text), 'no DER opening: privateKeysIn is skipped').toBe(false);
      expect(keys(text)).toEqual([['PRIVATE_KEY', value]]);
      const cut = text.indexOf(value) + 20;
      const parts = [text.slice(0, cut), text.slice(cut)].map((t, i) => ({ path: `m[0].content[${i}]`, text: t }));
      const found = classifier.classify(parts.map((p) => ({ ...p, location: 'user' }))).findings;
      expect(found.map((f) => [f.type, f.segment])).toEqual([
        ['PRIVATE_KEY', 0],
        ['PRIVATE_KEY', 1],
      ]);
    }
  });
});

describe('streams hold them while they may still grow', () => {
  const { text: edPpk } = PPKS[0]?.[1] as Ppk;
  const { text: rsaPpk } = PPKS[3]?.[1] as Ppk;
  const jwk = JSON.stringify(JWKS.Ed25519, null, 2);
  it('an Ed25519 .ppk and JWK, split at every position and a character a push', () => {
    everySplit(`Key file:\n${edPpk}done`);
    everySplit(`Here: ${jwk} ok`);
  });
  it('an RSA .ppk (14 private lines), an RSA JWK and one in standard base64, in 7-character pushes and by lines', () => {
    const std = JSON.stringify({ ...JWKS['EC P-256'], d: STD }, null, 2);
    for (const whole of [`Key file:\n${rsaPpk}done`, `Here: ${JSON.stringify(RSA, null, 2)} ok`, `Here: ${std} ok`]) {
      check(whole, whole.match(/[\s\S]{1,7}/g) as string[]);
      check(whole, whole.split(/(?<=\n)/));
      check(whole, whole.split(/(?=\\|\n|\r)/));
    }
  });
  it('a CRLF .ppk whose pushes end between CR and LF, and one escaped in JSON cut inside its `\\n`', () => {
    const crlf = rsaPpk.replace(/\n/g, '\r\n');
    check(crlf, crlf.split(/(?<=\r)/));
    const json = JSON.stringify({ content: rsaPpk });
    check(json, json.split(/(?<=\\)/));
    check(json, json.split(/(?<=\\n)/));
  });
  it('a quoted .ppk, a JWK as an INI section and as index assignments, and .NET XML, split at every position', () => {
    const { d, x } = JWKS.Ed25519 as { d: string; x: string };
    everySplit(`Key file:\n${edPpk.replace(/^(?=.)/gm, '> ')}done`);
    everySplit(`[jwk]\nkty = OKP\ncrv = Ed25519\nx = ${x}\nd = ${d}\nok`);
    everySplit(`jwk["kty"] = "OKP"\njwk["d"] = "${d}"\nok`);
    const xml = xmlOf(RSA);
    check(xml, xml.match(/[\s\S]{1,7}/g) as string[]);
    check(xml, xml.split(/(?=<)/));
  });
  it('a JWK as an INI section with x and y between kty and d (held from its anchor), split at every position', () => {
    const ec = JWKS['EC P-256'] as { d: string; x: string; y: string };
    everySplit(`[jwk]\nkty = EC\ncrv = P-256\nx = ${ec.x}\ny = ${ec.y}\nd = ${ec.d}\nok`);
  });
  it('RSA member pairs in standard base64 (RSA-2048 p+q, RSA-4096 n+d: longer than a partial holds), 7 a push', () => {
    const k4096 = jwkOf(generateKeyPairSync('rsa', { modulusLength: 4096 }));
    const pq = JSON.stringify({ p: std64(RSA.p as string), q: std64(RSA.q as string) }, null, 2);
    const nd = `n: ${std64(k4096.n as string)}\nd: ${std64(k4096.d as string)}\nok`;
    for (const whole of [`Here: ${pq} ok`, nd]) {
      expect(keys(whole)).toHaveLength(1);
      check(whole, whole.match(/[\s\S]{1,7}/g) as string[]);
      check(whole, whole.split(/(?<=\n)/));
    }
  });
  it('both declare the partials that hold them', () => {
    expect(JWK_PRIVATE_KEY_LINE.partial).toBeDefined();
    expect(XML_RSA_PRIVATE_KEY.partial).toBeDefined();
    expect(JWK_PRIVATE_KEY.partial).toBeDefined();
    expect(JWK_PRIVATE_KEY_BASE64.partial).toBe(JWK_PRIVATE_KEY.partial);
    expect(PUTTY_PRIVATE_KEY.partial).toBeDefined();
  });
});
