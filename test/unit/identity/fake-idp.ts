// An in-memory IdP for unit tests: discovery and JWKS served through an injected fetch (no sockets), and jose
// to sign tokens with keys it controls, so every verification path can be driven precisely.
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey, JWK, JWTHeaderParameters } from 'jose';
import type { FetchLike, IssuerConfig } from '../../../src/identity/index.ts';

export const ISSUER = 'https://idp.test';
export const AUDIENCE = 'proctor';
export const NOW = new Date('2030-01-01T00:00:00Z');
export const NOW_S = Math.floor(NOW.getTime() / 1000);

export interface FakeIdp {
  fetch: FetchLike;
  /** URLs fetched so far. */
  calls: string[];
  up: boolean;
  discovery: Record<string, unknown>;
  jwks: { keys: JWK[] };
  /** Raw JWKS body override (e.g. an oversized one). */
  jwksBody?: string;
  /** JWKS response status (default 200). */
  jwksStatus?: number;
  /** RFC 7662 answers by token (absent token = active:false); introspectionStatus overrides the status. */
  introspection: Map<string, Record<string, unknown>>;
  introspectionStatus?: number;
  /** Bodies and Authorization headers the introspection endpoint received. */
  introspected: { token: string | null; authorization: string | null }[];
  sign(claims: Record<string, unknown>, header?: Partial<JWTHeaderParameters>, key?: CryptoKey): Promise<string>;
  /** Standard valid claims at NOW. */
  claims(overrides?: Record<string, unknown>): Record<string, unknown>;
  signingKey: CryptoKey;
}

export async function newKey(): Promise<{ privateKey: CryptoKey; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { privateKey, publicJwk: await exportJWK(publicKey) };
}

export async function fakeIdp(issuer = ISSUER): Promise<FakeIdp> {
  const { privateKey, publicJwk } = await newKey();
  const idp: FakeIdp = {
    calls: [],
    up: true,
    discovery: { issuer, jwks_uri: `${issuer}/jwks`, introspection_endpoint: `${issuer}/introspect` },
    introspection: new Map(),
    introspected: [],
    jwks: { keys: [{ ...publicJwk, kid: 'k1', alg: 'ES256', use: 'sig' }] },
    signingKey: privateKey,
    fetch: async (url, init) => {
      idp.calls.push(url);
      if (!idp.up) throw new TypeError('fetch failed');
      if (url === `${issuer}/introspect`) {
        const token = new URLSearchParams(String(init?.body ?? '')).get('token');
        const authorization = new Headers(init?.headers).get('authorization');
        idp.introspected.push({ token, authorization });
        const answer = (token === null ? undefined : idp.introspection.get(token)) ?? { active: false };
        return Response.json(answer, { status: idp.introspectionStatus ?? 200 });
      }
      if (url === `${issuer}/.well-known/openid-configuration`) return Response.json(idp.discovery);
      if (url === String(idp.discovery['jwks_uri'])) {
        return new Response(idp.jwksBody ?? JSON.stringify(idp.jwks), {
          status: idp.jwksStatus ?? 200,
          headers: { 'content-type': 'application/json' },
        });
      }
      return new Response('not found', { status: 404 });
    },
    sign: (claims, header = {}, key = privateKey) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt', ...header }).sign(key),
    claims: (overrides = {}) => ({
      iss: issuer,
      aud: AUDIENCE,
      sub: 'alice',
      iat: NOW_S,
      exp: NOW_S + 300,
      groups: ['eng'],
      ...overrides,
    }),
  };
  return idp;
}

export function config(overrides: Partial<IssuerConfig> = {}): IssuerConfig {
  return {
    issuer: ISSUER,
    audience: [AUDIENCE],
    algorithms: ['ES256', 'RS256'],
    clockSkewSeconds: 30,
    requiredTyp: 'at+jwt',
    groupsClaim: 'groups',
    tenantClaim: 'tenant',
    allowInsecureHttp: false,
    ...overrides,
  };
}
