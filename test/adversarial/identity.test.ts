// Attack suite for the identify stage, written as an attacker would (RFC 8725 §3, RFC 9700, RFC 9449, RFC 7662):
// every crafted token, header set or IdP answer must be refused with its stable code, and nothing an attacker names
// (jku, x5u, a foreign issuer) may be fetched. Each row is one attack; `ok` rows are the controls.
import { exportSPKI } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/http/index.ts';
import { createAuthenticator, IdentityError } from '../../src/identity/index.ts';
import type { Authenticator } from '../../src/identity/index.ts';
import type { IncomingRequest, Reply, RequestHandler } from '../../src/pipeline/index.ts';
import type { IdentityErrorCode, IssuerConfig, RequestHeaders } from '../../src/identity/index.ts';
import { AUDIENCE, config, fakeIdp, ISSUER, newKey, NOW, NOW_S } from '../unit/identity/fake-idp.ts';
import type { FakeIdp } from '../unit/identity/fake-idp.ts';
import { b64u, clientKey, dpopHeaders, dpopProof, signHmac, signRaw } from './identity-tokens.ts';
import type { ClientKey } from './identity-tokens.ts';

interface Kit {
  idp: FakeIdp;
  attacker: { privateKey: CryptoKey; publicJwk: JWK };
  client: ClientKey;
}
interface Attack {
  name: string;
  headers(kit: Kit): Promise<RequestHeaders>;
  config?: Partial<IssuerConfig>;
  expected: IdentityErrorCode | 'ok';
}

const bearer = (token: string): RequestHeaders => ({ authorization: [`Bearer ${token}`] });
const header = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ alg: 'ES256', kid: 'k1', typ: 'at+jwt', ...extra });
const payload = (kit: Kit, extra: Record<string, unknown> = {}) => JSON.stringify(kit.idp.claims(extra));
const signed = (kit: Kit, claims: Record<string, unknown> = {}, head: Record<string, unknown> = {}) =>
  kit.idp.sign(kit.idp.claims(claims), head).then(bearer);
const raw = (kit: Kit, headerText: string, payloadText: string) =>
  signRaw(headerText, payloadText, kit.idp.signingKey).then(bearer);
/** Rewrites one segment of a valid token. */
const tamper = (kit: Kit, segment: 0 | 1 | 2, edit: (s: string) => string) =>
  kit.idp.sign(kit.idp.claims()).then((t) => {
    const parts = t.split('.');
    parts[segment] = edit(parts[segment] as string);
    return bearer(parts.join('.'));
  });
const DAY = 86_400;

const ATTACKS: Attack[] = [
  { name: 'control: a valid token', headers: (k) => signed(k), expected: 'ok' },
  // RFC 8725 §3.1: algorithm verification
  {
    name: 'alg none, empty signature',
    headers: async (k) => bearer(`${b64u('{"alg":"none"}')}.${b64u(payload(k))}.`),
    expected: 'ERR_TOKEN_ALGORITHM',
  },
  {
    name: 'alg NoNe spelled otherwise',
    headers: async (k) => bearer(`${b64u('{"alg":"NoNe"}')}.${b64u(payload(k))}.`),
    expected: 'ERR_TOKEN_ALGORITHM',
  },
  {
    name: 'alg missing',
    headers: (k) => raw(k, '{"kid":"k1","typ":"at+jwt"}', payload(k)),
    expected: 'ERR_TOKEN_ALGORITHM',
  },
  {
    name: 'HS256 keyed with the issuer public key as PEM (HS/RS confusion)',
    headers: async (k) => bearer(await signHmac(k.idp.claims(), { kid: 'k1', typ: 'at+jwt' }, await spki(k))),
    expected: 'ERR_TOKEN_ALGORITHM',
  },
  {
    name: 'HS256 keyed with the issuer JWK text',
    headers: async (k) =>
      bearer(await signHmac(k.idp.claims(), { kid: 'k1', typ: 'at+jwt' }, JSON.stringify(k.idp.jwks.keys[0]))),
    expected: 'ERR_TOKEN_ALGORITHM',
  },
  {
    name: 'RS256 claimed over an ES256 key',
    headers: (k) => raw(k, header({ alg: 'RS256' }), payload(k)),
    expected: 'ERR_TOKEN_SIGNATURE',
  },
  {
    name: 'an allowed alg not allowed for this issuer',
    headers: (k) => signed(k, {}, { alg: 'ES256' }),
    config: { algorithms: ['RS256'] },
    expected: 'ERR_TOKEN_ALGORITHM',
  },
  // §3.5-3.6: key injection and kid tricks
  {
    name: 'embedded jwk header with the attacker key',
    headers: async (k) =>
      bearer(await k.idp.sign(k.idp.claims(), { jwk: k.attacker.publicJwk }, k.attacker.privateKey)),
    expected: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'jku to an attacker URL',
    headers: (k) => signed(k, {}, { jku: 'https://evil.test/jwks' }),
    expected: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'x5u to an attacker URL',
    headers: (k) => raw(k, header({ x5u: 'https://evil.test/cert' }), payload(k)),
    expected: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'x5c chain in the header',
    headers: (k) => raw(k, header({ x5c: ['MIIB'] }), payload(k)),
    expected: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'the real kid, signed by the attacker',
    headers: async (k) => bearer(await k.idp.sign(k.idp.claims(), {}, k.attacker.privateKey)),
    expected: 'ERR_TOKEN_SIGNATURE',
  },
  {
    name: 'kid path traversal',
    headers: (k) => signed(k, {}, { kid: '../../../../dev/null' }),
    expected: 'ERR_TOKEN_SIGNATURE',
  },
  {
    name: 'kid SQL injection',
    headers: (k) => signed(k, {}, { kid: "k1' OR '1'='1" }),
    expected: 'ERR_TOKEN_SIGNATURE',
  },
  {
    name: 'kid of another type',
    headers: (k) => raw(k, header({ kid: 1 }), payload(k)),
    expected: 'ERR_TOKEN_SIGNATURE',
  },
  // crit, typ, nesting
  {
    name: 'crit naming an unknown extension',
    headers: (k) => raw(k, header({ crit: ['urn:x'], 'urn:x': 1 }), payload(k)),
    expected: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'crit b64=false (RFC 7797)',
    headers: (k) => raw(k, header({ crit: ['b64'], b64: false }), payload(k)),
    expected: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'typ JWT where at+jwt is required',
    headers: (k) => signed(k, {}, { typ: 'JWT' }),
    expected: 'ERR_TOKEN_CLAIMS',
  },
  {
    name: 'typ dpop+jwt (a proof as a token)',
    headers: (k) => signed(k, {}, { typ: 'dpop+jwt' }),
    config: { requiredTyp: undefined },
    expected: 'ERR_TOKEN_CLAIMS',
  },
  {
    name: 'typ logout+jwt',
    headers: (k) => signed(k, {}, { typ: 'logout+jwt' }),
    config: { requiredTyp: undefined },
    expected: 'ERR_TOKEN_CLAIMS',
  },
  {
    name: 'control: typ JWT when none is required',
    headers: (k) => signed(k, {}, { typ: 'JWT' }),
    config: { requiredTyp: undefined },
    expected: 'ok',
  },
  { name: 'nested JWT (cty JWT)', headers: (k) => signed(k, {}, { cty: 'JWT' }), expected: 'ERR_TOKEN_MALFORMED' },
  {
    name: 'a JWT as the payload',
    headers: async (k) => raw(k, header(), JSON.stringify(await k.idp.sign(k.idp.claims()))),
    expected: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'a JWE (five segments)',
    headers: async () => bearer('eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d'),
    expected: 'ERR_TOKEN_MALFORMED',
  },
  // canonical base64url
  { name: 'signature with = padding', headers: (k) => tamper(k, 2, (s) => `${s}==`), expected: 'ERR_TOKEN_MALFORMED' },
  { name: 'signature with stray low bits', headers: (k) => tamper(k, 2, strayBits), expected: 'ERR_TOKEN_MALFORMED' },
  {
    name: 'payload in base64 (+ and /)',
    headers: (k) => tamper(k, 1, (s) => `${s}+/`),
    expected: 'ERR_TOKEN_MALFORMED',
  },
  { name: 'header with stray low bits', headers: (k) => tamper(k, 0, strayBits), expected: 'ERR_TOKEN_MALFORMED' },
  { name: 'an empty payload segment', headers: (k) => tamper(k, 1, () => ''), expected: 'ERR_TOKEN_MALFORMED' },
  // duplicate members
  {
    name: 'duplicate alg in the header',
    headers: (k) => raw(k, '{"alg":"ES256","kid":"k1","typ":"at+jwt","alg":"none"}', payload(k)),
    expected: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'duplicate sub in the claims',
    headers: (k) => raw(k, header(), payload(k).replace('"sub":"alice"', '"sub":"alice","sub":"admin"')),
    expected: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'control: the same name nested twice is fine',
    headers: (k) => raw(k, header(), payload(k, { x: { a: 1 }, y: { a: 2 } })),
    expected: 'ok',
  },
  {
    name: 'a payload that is not UTF-8',
    headers: (k) => tamper(k, 1, () => Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')),
    expected: 'ERR_TOKEN_MALFORMED',
  },
  // time
  {
    name: 'exp 1e309 (Infinity)',
    headers: (k) => raw(k, header(), payload(k).replace(/"exp":\d+/, '"exp":1e309')),
    expected: 'ERR_TOKEN_CLAIMS',
  },
  { name: 'exp fractional', headers: (k) => signed(k, { exp: NOW_S + 300.5 }), expected: 'ERR_TOKEN_CLAIMS' },
  { name: 'exp as a string', headers: (k) => signed(k, { exp: String(NOW_S + 300) }), expected: 'ERR_TOKEN_CLAIMS' },
  { name: 'exp ten years ahead', headers: (k) => signed(k, { exp: NOW_S + 3650 * DAY }), expected: 'ERR_TOKEN_CLAIMS' },
  { name: 'exp beyond year 9999', headers: (k) => signed(k, { exp: 1e15 }), expected: 'ERR_TOKEN_CLAIMS' },
  {
    name: 'iat 400 days ago, exp valid (issue 16)',
    headers: (k) => signed(k, { iat: NOW_S - 400 * DAY }),
    expected: 'ERR_TOKEN_CLAIMS',
  },
  {
    name: 'iat two days ago within a long allowed lifetime (max age)',
    headers: (k) => signed(k, { iat: NOW_S - 2 * DAY, exp: NOW_S + DAY }),
    config: { maxTokenLifetimeSeconds: 30 * DAY },
    expected: 'ERR_TOKEN_EXPIRED',
  },
  { name: 'iat negative', headers: (k) => signed(k, { iat: -1 }), expected: 'ERR_TOKEN_CLAIMS' },
  {
    name: 'iat in the future',
    headers: (k) => signed(k, { iat: NOW_S + 120, exp: NOW_S + 600 }),
    expected: 'ERR_TOKEN_NOT_YET_VALID',
  },
  { name: 'nbf in the future', headers: (k) => signed(k, { nbf: NOW_S + 120 }), expected: 'ERR_TOKEN_NOT_YET_VALID' },
  {
    name: 'nbf 1e309',
    headers: (k) => raw(k, header(), payload(k).replace('"sub"', '"nbf":-1e309,"sub"')),
    expected: 'ERR_TOKEN_CLAIMS',
  },
  {
    name: 'exp before iat (within the skew)',
    headers: (k) => signed(k, { iat: NOW_S, exp: NOW_S - 1 }),
    expected: 'ERR_TOKEN_CLAIMS',
  },
  { name: 'expired', headers: (k) => signed(k, { iat: NOW_S - 900, exp: NOW_S - 600 }), expected: 'ERR_TOKEN_EXPIRED' },
  // audience
  {
    name: 'aud array with a foreign audience beside ours',
    headers: (k) => signed(k, { aud: [AUDIENCE, 'https://other.api'] }),
    expected: 'ERR_TOKEN_AUDIENCE',
  },
  {
    name: 'control: the same with audiencePolicy any',
    headers: (k) => signed(k, { aud: [AUDIENCE, 'https://other.api'] }),
    config: { audiencePolicy: 'any' },
    expected: 'ok',
  },
  { name: 'aud empty array', headers: (k) => signed(k, { aud: [] }), expected: 'ERR_TOKEN_AUDIENCE' },
  { name: 'aud missing', headers: (k) => signed(k, { aud: undefined }), expected: 'ERR_TOKEN_AUDIENCE' },
  { name: 'aud a number', headers: (k) => signed(k, { aud: 7 }), expected: 'ERR_TOKEN_AUDIENCE' },
  {
    name: 'aud a case variant',
    headers: (k) => signed(k, { aud: AUDIENCE.toUpperCase() }),
    expected: 'ERR_TOKEN_AUDIENCE',
  },
  // issuer
  {
    name: 'iss with a trailing slash',
    headers: (k) => signed(k, { iss: `${ISSUER}/` }),
    expected: 'ERR_TOKEN_ISSUER_UNTRUSTED',
  },
  { name: 'iss an array', headers: (k) => signed(k, { iss: [ISSUER] }), expected: 'ERR_TOKEN_ISSUER_UNTRUSTED' },
  // size
  { name: 'a 12 KB token', headers: (k) => signed(k, { pad: 'x'.repeat(12 * 1024) }), expected: 'ERR_TOKEN_MALFORMED' },
  {
    name: 'control: a 12 KB token with maxTokenBytes 20000',
    headers: (k) => signed(k, { pad: 'x'.repeat(12 * 1024) }),
    config: { maxTokenBytes: 20_000 },
    expected: 'ok',
  },
  // claims that reach a record
  { name: 'sub with NUL', headers: (k) => signed(k, { sub: 'alice\u0000admin' }), expected: 'ERR_TOKEN_CLAIMS' },
  { name: 'sub with a newline', headers: (k) => signed(k, { sub: 'alice\nadmin' }), expected: 'ERR_TOKEN_CLAIMS' },
  { name: 'sub with DEL', headers: (k) => signed(k, { sub: 'alice\u007f' }), expected: 'ERR_TOKEN_CLAIMS' },
  { name: 'sub with a C1 control', headers: (k) => signed(k, { sub: 'alice\u0085' }), expected: 'ERR_TOKEN_CLAIMS' },
  {
    name: 'sub with a bidi override',
    headers: (k) => signed(k, { sub: 'alice\u202enimda' }),
    expected: 'ERR_TOKEN_CLAIMS',
  },
  {
    name: 'sub with a lone surrogate',
    headers: (k) => raw(k, header(), payload(k).replace('"sub":"alice"', '"sub":"al\\ud800ice"')),
    expected: 'ERR_TOKEN_CLAIMS',
  },
  { name: 'sub of 257 characters', headers: (k) => signed(k, { sub: 'a'.repeat(257) }), expected: 'ERR_TOKEN_CLAIMS' },
  {
    name: 'control: sub of 256 characters, astral letters',
    headers: (k) => signed(k, { sub: `${'a'.repeat(254)}😀` }),
    expected: 'ok',
  },
  {
    name: 'a group with NUL',
    headers: (k) => signed(k, { groups: ['eng', 'admin\u0000'] }),
    expected: 'ERR_TOKEN_CLAIMS',
  },
  {
    name: 'a group of 300 characters',
    headers: (k) => signed(k, { groups: ['g'.repeat(300)] }),
    expected: 'ERR_TOKEN_CLAIMS',
  },
  {
    name: 'tenant with a line separator',
    headers: (k) => signed(k, { tenant: 'acme\u2028evil' }),
    expected: 'ERR_TOKEN_CLAIMS',
  },
  { name: 'azp with a tab', headers: (k) => signed(k, { azp: 'web\tapp' }), expected: 'ERR_TOKEN_CLAIMS' },
  {
    name: 'client_id of 300 characters',
    headers: (k) => signed(k, { client_id: 'c'.repeat(300) }),
    expected: 'ERR_TOKEN_CLAIMS',
  },
  { name: 'sub an object', headers: (k) => signed(k, { sub: { id: 'alice' } }), expected: 'ERR_TOKEN_CLAIMS' },
  // clients
  {
    name: 'azp not on the allowlist',
    headers: (k) => signed(k, { azp: 'other-app' }),
    config: { allowedClients: ['web-app'] },
    expected: 'ERR_TOKEN_CLIENT',
  },
  {
    name: 'no azp nor client_id with an allowlist',
    headers: (k) => signed(k),
    config: { allowedClients: ['web-app'] },
    expected: 'ERR_TOKEN_CLIENT',
  },
  {
    name: 'control: client_id on the allowlist',
    headers: (k) => signed(k, { client_id: 'web-app' }),
    config: { allowedClients: ['web-app'] },
    expected: 'ok',
  },
  // carriers
  {
    name: 'two Authorization lines, alice then bob',
    headers: async (k) => ({
      authorization: [
        ...((await signed(k)).authorization as string[]),
        ...((await signed(k, { sub: 'bob' })).authorization as string[]),
      ],
    }),
    expected: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'two x-api-key lines',
    headers: async (k) => ({ 'x-api-key': [await k.idp.sign(k.idp.claims()), 'garbage'] }),
    expected: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'Bearer and x-api-key differ',
    headers: async (k) => ({ ...(await signed(k)), 'x-api-key': ['other'] }),
    expected: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'Basic scheme',
    headers: async (k) => ({ authorization: [`Basic ${await k.idp.sign(k.idp.claims())}`] }),
    expected: 'ERR_TOKEN_MALFORMED',
  },
  {
    name: 'an opaque token with no introspecting issuer',
    headers: async () => bearer('2YotnFZFEjr1zCsicMWpAA'),
    expected: 'ERR_TOKEN_MALFORMED',
  },
  // DPoP (RFC 9449)
  { name: 'control: DPoP-bound token with a valid proof', headers: (k) => dpopRequest(k), expected: 'ok' },
  {
    name: 'DPoP-bound token sent as Bearer',
    headers: (k) => dpopRequest(k, { scheme: 'Bearer' }),
    expected: 'ERR_TOKEN_DPOP',
  },
  {
    name: 'DPoP-bound token without a proof',
    headers: (k) => dpopRequest(k, { noProof: true }),
    expected: 'ERR_TOKEN_DPOP',
  },
  {
    name: 'proof signed by another key',
    headers: (k) => dpopRequest(k, { otherKey: true }),
    expected: 'ERR_TOKEN_DPOP',
  },
  {
    name: 'proof naming the bound key, signed by another',
    headers: (k) => dpopRequest(k, { borrowedJwk: true }),
    expected: 'ERR_TOKEN_DPOP',
  },
  { name: 'proof for another method', headers: (k) => dpopRequest(k, { htm: 'GET' }), expected: 'ERR_TOKEN_DPOP' },
  {
    name: 'proof for another URL',
    headers: (k) => dpopRequest(k, { htu: 'https://proctor.test/v1/embeddings' }),
    expected: 'ERR_TOKEN_DPOP',
  },
  {
    name: 'proof for another host',
    headers: (k) => dpopRequest(k, { htu: 'https://evil.test/v1/chat/completions' }),
    expected: 'ERR_TOKEN_DPOP',
  },
  {
    name: 'proof for another token (ath)',
    headers: (k) => dpopRequest(k, { ath: 'x'.repeat(43) }),
    expected: 'ERR_TOKEN_DPOP',
  },
  { name: 'proof without ath', headers: (k) => dpopRequest(k, { ath: null }), expected: 'ERR_TOKEN_DPOP' },
  { name: 'proof ten minutes old', headers: (k) => dpopRequest(k, { iat: NOW_S - 600 }), expected: 'ERR_TOKEN_DPOP' },
  {
    name: 'proof with typ JWT',
    headers: (k) => dpopRequest(k, { header: { typ: 'JWT' } }),
    expected: 'ERR_TOKEN_DPOP',
  },
  {
    name: 'proof with a jku',
    headers: (k) => dpopRequest(k, { header: { jku: 'https://evil.test/k' } }),
    expected: 'ERR_TOKEN_DPOP',
  },
  {
    name: 'proof with a private key in jwk',
    headers: (k) => dpopRequest(k, { privateJwk: true }),
    expected: 'ERR_TOKEN_DPOP',
  },
  {
    name: 'unbound token with the DPoP scheme',
    headers: async (k) => dpopHeaders(await k.idp.sign(k.idp.claims()), undefined),
    expected: 'ERR_TOKEN_DPOP',
  },
  {
    name: 'unbound token where DPoP is required',
    headers: (k) => signed(k),
    config: { dpop: { required: true } },
    expected: 'ERR_TOKEN_DPOP',
  },
  {
    name: 'cnf with an mTLS thumbprint only',
    headers: (k) => signed(k, { cnf: { 'x5t#S256': 'x'.repeat(43) } }),
    expected: 'ERR_TOKEN_DPOP',
  },
  {
    name: 'proof origin not configured',
    headers: (k) => dpopRequest(k),
    config: { dpop: { origins: ['https://gw.example'] } },
    expected: 'ERR_TOKEN_DPOP',
  },
];

function strayBits(segment: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = segment.at(-1) as string;
  // The last character of a segment whose length is 2 or 3 mod 4 carries unused low bits: set one of them.
  return `${segment.slice(0, -1)}${alphabet[alphabet.indexOf(last) | 1]}`;
}

async function spki(kit: Kit): Promise<string> {
  const { importJWK } = await import('jose');
  return exportSPKI((await importJWK(kit.idp.jwks.keys[0] as JWK, 'ES256')) as CryptoKey);
}

interface DpopTweaks {
  scheme?: string;
  noProof?: boolean;
  otherKey?: boolean;
  htm?: string;
  htu?: string;
  ath?: string | null;
  iat?: number;
  header?: Record<string, unknown>;
  privateJwk?: boolean;
  borrowedJwk?: boolean;
}

async function dpopRequest(kit: Kit, t: DpopTweaks = {}): Promise<RequestHeaders> {
  const token = await kit.idp.sign(kit.idp.claims({ cnf: { jkt: kit.client.jkt } }));
  const other = await clientKey();
  // otherKey: a self-consistent proof by another key; borrowedJwk: the bound key's jwk, signed by another key.
  const signer = t.otherKey ? other : t.borrowedJwk ? { ...other, publicJwk: kit.client.publicJwk } : kit.client;
  const header = t.privateJwk ? { jwk: { ...kit.client.publicJwk, d: 'AAAA' }, ...t.header } : t.header;
  const proof = await dpopProof(signer, {
    token,
    iat: t.iat ?? NOW_S,
    ...(t.htm === undefined ? {} : { htm: t.htm }),
    ...(t.htu === undefined ? {} : { htu: t.htu }),
    ...(t.ath === undefined ? {} : { ath: t.ath }),
    ...(header === undefined ? {} : { header }),
  });
  return dpopHeaders(token, t.noProof ? undefined : proof, t.scheme);
}

async function kit(): Promise<Kit> {
  return { idp: await fakeIdp(), attacker: await newKey(), client: await clientKey() };
}

async function outcome(promise: Promise<unknown>): Promise<IdentityErrorCode | 'ok'> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(IdentityError);
    return (error as IdentityError).code;
  }
}

describe('identity attack suite', () => {
  it.each(ATTACKS.map((a) => [a.name, a] as const))('%s', async (_name, attack) => {
    const k = await kit();
    const auth = createAuthenticator({
      issuers: [config(attack.config)],
      clock: { now: () => NOW },
      fetch: k.idp.fetch,
    });
    expect(await outcome(auth.authenticate(await attack.headers(k)))).toBe(attack.expected);
    expect(k.idp.calls.filter((url) => !url.startsWith(ISSUER))).toEqual([]);
  });

  it('refuses a replayed DPoP proof, also for a token the cache remembers', async () => {
    const k = await kit();
    const auth = createAuthenticator({ issuers: [config()], clock: { now: () => NOW }, fetch: k.idp.fetch });
    const headers = await dpopRequest(k);
    await expect(auth.authenticate(headers)).resolves.toMatchObject({ sub: 'alice' });
    expect(await outcome(auth.authenticate(headers))).toBe('ERR_TOKEN_DPOP');
    const token = (headers['authorization'] as string[])[0]?.slice(5) as string;
    const fresh = await dpopProof(k.client, { token, iat: NOW_S });
    await expect(auth.authenticate(dpopHeaders(token, fresh))).resolves.toMatchObject({ sub: 'alice' });
    expect(await outcome(auth.authenticate(dpopHeaders(token, fresh, 'Bearer')))).toBe('ERR_TOKEN_DPOP');
  });

  it('never fetches a jku or x5u, nor anything for an untrusted issuer', async () => {
    const k = await kit();
    const auth = createAuthenticator({ issuers: [config()], clock: { now: () => NOW }, fetch: k.idp.fetch });
    await outcome(auth.authenticate(await signed(k, {}, { jku: 'https://evil.test/jwks' })));
    await outcome(auth.authenticate(await signed(k, { iss: 'https://evil.test' })));
    expect(k.idp.calls).toEqual([]);
  });

  it('refuses a 60 KiB token of nested brackets as malformed (read in time linear in its size)', async () => {
    const k = await kit();
    const auth = createAuthenticator({
      issuers: [config({ maxTokenBytes: 65_536 })],
      clock: { now: () => NOW },
      fetch: k.idp.fetch,
    });
    const deep = `{"iss":"${ISSUER}","x":${'['.repeat(40_000)}${']'.repeat(40_000)}}`;
    // No wall-clock bound (a busy CI box stretches it): a recursive or quadratic read of 80,000 brackets would fail or
    // not end within the test timeout.
    expect(await outcome(auth.authenticate(bearer(`${b64u(header())}.${b64u(deep)}.${b64u('s')}`)))).toBe(
      'ERR_TOKEN_MALFORMED',
    );
  });

  it('keeps the token out of every error message', async () => {
    const k = await kit();
    const auth = createAuthenticator({ issuers: [config()], clock: { now: () => NOW }, fetch: k.idp.fetch });
    for (const attack of ATTACKS.slice(0, 30)) {
      const headers = await attack.headers(k);
      const error = await auth.authenticate(headers).catch((e: unknown) => e);
      if (!(error instanceof IdentityError)) continue;
      const token = String((headers['authorization'] as string[] | undefined)?.[0] ?? '').split(' ')[1] ?? '';
      if (token.length > 8) expect(error.message).not.toContain(token);
      expect(error.message).not.toContain('alice\u0000');
    }
  });
});

/** One raw HTTP/1.1 request (header lines exactly as given); resolves with the response text. */
function rawRequest(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    const body = '{}';
    // write, not end: a half-closed client makes Node drop the connection before a slower answer is sent
    socket.write(
      [
        ...lines,
        'host: proctor.test',
        'content-type: application/json',
        `content-length: ${body.length}`,
        'connection: close',
        '',
        body,
      ].join('\r\n'),
    );
  });
}

describe('identity through the HTTP transport (raw header lines)', () => {
  let port = 0;
  let k: Kit;
  let close: () => Promise<void> = async () => {};

  beforeAll(async () => {
    k = await kit();
    const auth: Authenticator = createAuthenticator({
      issuers: [config()],
      clock: { now: () => NOW },
      fetch: k.idp.fetch,
    });
    const identify = async (incoming: Omit<IncomingRequest, 'body'>): Promise<Reply> => {
      try {
        const principal = await auth.authenticate(incoming.headers);
        return { status: 200, headers: {}, body: { sub: principal.sub } };
      } catch (error) {
        return { status: 401, headers: {}, body: { code: (error as IdentityError).code } };
      }
    };
    // The transport identifies a pipeline route's request from its headers before its body (identify-first.ts).
    const handler = {
      identify: (headers: IncomingRequest['headers']) => auth.authenticate(headers),
      refuseIdentity: async (_incoming: unknown, error: unknown): Promise<Reply> => ({
        status: 401,
        headers: {},
        body: { code: (error as IdentityError).code },
      }),
      handle: async (incoming: IncomingRequest): Promise<Reply> =>
        incoming.principal ? { status: 200, headers: {}, body: { sub: incoming.principal.sub } } : identify(incoming),
      listModels: identify,
      reject: identify,
      newRequestId: () => 'r',
    } as unknown as RequestHandler;
    const app = buildServer({ handler, bodyLimitBytes: 4096 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
    close = () => app.close();
  });
  afterAll(() => close());

  const post = 'POST /v1/chat/completions HTTP/1.1';
  it('control: one Authorization line authenticates', async () => {
    const token = await k.idp.sign(k.idp.claims());
    expect(await rawRequest(port, [post, `authorization: Bearer ${token}`])).toMatch(
      /^HTTP\/1\.1 200[\s\S]*"sub":"alice"/,
    );
  });

  it.each([
    ['alice then bob', async () => [await k.idp.sign(k.idp.claims()), await k.idp.sign(k.idp.claims({ sub: 'bob' }))]],
    ['valid then garbage', async () => [await k.idp.sign(k.idp.claims()), 'garbage']],
    [
      'the same token twice',
      async () => {
        const t = await k.idp.sign(k.idp.claims());
        return [t, t];
      },
    ],
  ])('refuses two Authorization lines (%s): Node would keep only the first', async (_name, tokens) => {
    const [a, b] = await tokens();
    const answer = await rawRequest(port, [post, `authorization: Bearer ${a}`, `Authorization: Bearer ${b}`]);
    expect(answer).toMatch(/^HTTP\/1\.1 401[\s\S]*"code":"ERR_TOKEN_MALFORMED"/);
  });

  it('refuses two x-api-key lines, and Authorization with a different x-api-key', async () => {
    const token = await k.idp.sign(k.idp.claims());
    expect(await rawRequest(port, [post, `x-api-key: ${token}`, `x-api-key: ${token}`])).toMatch(
      /"code":"ERR_TOKEN_MALFORMED"/,
    );
    expect(await rawRequest(port, [post, `authorization: Bearer ${token}`, 'x-api-key: other'])).toMatch(
      /"code":"ERR_TOKEN_MALFORMED"/,
    );
  });

  it('binds DPoP proofs to the request line the transport saw', async () => {
    const token = await k.idp.sign(k.idp.claims({ cnf: { jkt: k.client.jkt } }));
    const proof = await dpopProof(k.client, { token, iat: NOW_S, htu: 'http://proctor.test/v1/chat/completions' });
    const ok = await rawRequest(port, [post, `authorization: DPoP ${token}`, `dpop: ${proof}`]);
    expect(ok).toMatch(/^HTTP\/1\.1 200/);
    const other = await dpopProof(k.client, { token, iat: NOW_S, htu: 'http://proctor.test/v1/chat/completions' });
    const wrongPath = await rawRequest(port, [
      'POST /v1/embeddings HTTP/1.1',
      `authorization: DPoP ${token}`,
      `dpop: ${other}`,
    ]);
    expect(wrongPath).toMatch(/"code":"ERR_TOKEN_DPOP"/);
  });
});
