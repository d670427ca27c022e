// A development OIDC issuer for `npm start`: OIDC discovery and a JWKS over node:http, tokens minted in process.
// Invariants: it binds to 127.0.0.1 only and refuses anything else; it serves public keys only; tokens are
// RFC 9068-shaped JWTs (typ at+jwt) signed with ES256. It is not an IdP: there is no login, only minting.

import { createPrivateKey, createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';

export interface DevIssuerKey {
  /** ES256 private key as a JWK, with `kid` and `alg`. */
  privateJwk: JsonWebKey;
  /** The matching public JWK (what the JWKS serves). */
  publicJwk: JsonWebKey;
}

const DEV_CLIENT_ID = 'proctor-dev';
const DEFAULT_TTL_SECONDS = 3600;

/** RFC 7638 thumbprint of an EC public key. */
function ecThumbprint(jwk: JsonWebKey): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

export async function generateDevIssuerKey(): Promise<DevIssuerKey> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicJwk = publicKey.export({ format: 'jwk' });
  const kid = ecThumbprint(publicJwk);
  return {
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' },
    publicJwk: { ...publicJwk, kid, alg: 'ES256', use: 'sig' },
  };
}

function publicOnly(key: DevIssuerKey): JsonWebKey {
  const { kty, crv, x, y, kid, alg, use } = key.publicJwk;
  if (kty !== 'EC' || typeof kid !== 'string' || alg !== 'ES256') {
    throw new TypeError('dev issuer key must be an ES256 EC key with a kid');
  }
  return { kty, crv, x, y, kid, alg, use };
}

export async function startDevIssuer(opts: {
  key: DevIssuerKey;
  host?: '127.0.0.1';
  port?: number;
}): Promise<{ issuer: string; close(): Promise<void> }> {
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new TypeError('the development issuer binds to 127.0.0.1 only');
  const jwks = JSON.stringify({ keys: [publicOnly(opts.key)] });
  let discovery = '';
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const body =
      req.method !== 'GET'
        ? undefined
        : path === '/.well-known/openid-configuration'
          ? discovery
          : path === '/jwks'
            ? jwks
            : undefined;
    if (body === undefined || body === '') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  discovery = JSON.stringify({
    issuer,
    jwks_uri: `${issuer}/jwks`,
    // Required by OpenID Connect Discovery 1.0; the dev issuer has no interactive login, so it answers 404 there.
    authorization_endpoint: `${issuer}/authorize`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
  });
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export async function mintDevToken(opts: {
  key: DevIssuerKey;
  issuer: string;
  audience: string;
  sub: string;
  groups: string[];
  tenant?: string | null;
  ttlSeconds?: number;
  now?: Date;
}): Promise<string> {
  const kid = opts.key.privateJwk.kid;
  if (typeof kid !== 'string') throw new TypeError('dev issuer key has no kid');
  const privateKey = createPrivateKey({ key: opts.key.privateJwk, format: 'jwk' });
  const iat = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  const claims: Record<string, unknown> = { client_id: DEV_CLIENT_ID, groups: [...opts.groups] };
  if (opts.tenant !== undefined && opts.tenant !== null) claims['tenant'] = opts.tenant;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
    .setIssuer(opts.issuer)
    .setAudience(opts.audience)
    .setSubject(opts.sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (opts.ttlSeconds ?? DEFAULT_TTL_SECONDS))
    .setJti(randomUUID())
    .sign(privateKey);
}
