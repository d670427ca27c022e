// Opaque tokens and sender-constrained tokens against a real OIDC provider (oidc-provider v9): RFC 7662
// introspection with Proctor's resource-server credentials, its positive cache and fail-closed outage, and
// DPoP-bound JWT and opaque access tokens (RFC 9449) obtained with a real proof at the token endpoint.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator, IdentityError } from '../../src/identity/index.ts';
import type { Authenticator, FetchLike, IdentityErrorCode, IssuerConfig } from '../../src/identity/index.ts';
import { startOidcProvider } from '../helpers/oidc-provider.ts';
import type { RunningOidcProvider } from '../helpers/oidc-provider.ts';
import { clientKey, dpopProof } from '../adversarial/identity-tokens.ts';

const AUDIENCE = 'https://proctor.test';

function issuerConfig(idp: RunningOidcProvider, overrides: Partial<IssuerConfig> = {}): IssuerConfig {
  return {
    issuer: idp.issuer,
    audience: [AUDIENCE],
    algorithms: ['RS256'],
    clockSkewSeconds: 30,
    requiredTyp: 'at+jwt',
    groupsClaim: 'groups',
    tenantClaim: 'tenant',
    allowInsecureHttp: true,
    introspection: { ...idp.introspectionClient, cacheSeconds: 30 },
    ...overrides,
  };
}

async function codeOf(promise: Promise<unknown>): Promise<IdentityErrorCode | 'ok'> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) return 'ok';
  expect(error).toBeInstanceOf(IdentityError);
  return (error as IdentityError).code;
}

describe('opaque tokens: RFC 7662 introspection at a real provider', () => {
  let idp: RunningOidcProvider;
  const calls: string[] = [];
  let down = false;
  const fetchImpl: FetchLike = async (url, init) => {
    calls.push(url);
    if (down) throw new TypeError('fetch failed');
    return fetch(url, init);
  };
  const now = new Date();
  let auth: Authenticator;

  beforeAll(async () => {
    idp = await startOidcProvider();
    auth = createAuthenticator({ issuers: [issuerConfig(idp)], fetch: fetchImpl, clock: { now: () => now } });
  });
  afterAll(async () => {
    await idp.close();
  });

  it('resolves an active opaque token to a Principal and reuses the answer while cached', async () => {
    const token = await idp.tokenFor({
      audience: AUDIENCE,
      format: 'opaque',
      sub: 'alice',
      groups: ['eng'],
      tenant: 'acme',
    });
    expect(token.split('.')).toHaveLength(1);
    const principal = await auth.authenticate({ authorization: `Bearer ${token}` });
    expect(principal).toEqual({
      iss: idp.issuer,
      sub: 'alice',
      client_id: idp.clientId,
      groups: ['eng'],
      tenant: 'acme',
      token_fingerprint: createHash('sha256').update(token).digest('hex'),
    });
    const introspections = calls.filter((u) => u.endsWith('/token/introspection')).length;
    expect(introspections).toBe(1);
    await auth.authenticate({ 'x-api-key': token });
    expect(calls.filter((u) => u.endsWith('/token/introspection'))).toHaveLength(introspections);
  });

  it('refuses an unknown opaque token as inactive, and asks again next time (no negative cache)', async () => {
    expect(await codeOf(auth.authenticate({ authorization: 'Bearer made-up-reference-token-0123456789' }))).toBe(
      'ERR_TOKEN_INACTIVE',
    );
    const before = calls.length;
    expect(await codeOf(auth.authenticate({ authorization: 'Bearer made-up-reference-token-0123456789' }))).toBe(
      'ERR_TOKEN_INACTIVE',
    );
    expect(calls.length).toBe(before + 1);
  });

  it('maps a client_credentials token without sub through subjectClaim client_id', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE, format: 'opaque' });
    const strict = createAuthenticator({ issuers: [issuerConfig(idp)], fetch: fetchImpl });
    expect(await codeOf(strict.authenticate({ authorization: `Bearer ${token}` }))).toBe('ERR_TOKEN_CLAIMS');
    const byClient = createAuthenticator({
      issuers: [issuerConfig(idp, { subjectClaim: 'client_id' })],
      fetch: fetchImpl,
    });
    await expect(byClient.authenticate({ authorization: `Bearer ${token}` })).resolves.toMatchObject({
      sub: idp.clientId,
    });
  });

  it('applies the same audience, client and age rules as to JWTs', async () => {
    const other = await idp.tokenFor({ audience: 'https://other.api', format: 'opaque', sub: 'alice' });
    expect(await codeOf(auth.authenticate({ authorization: `Bearer ${other}` }))).toBe('ERR_TOKEN_AUDIENCE');
    const token = await idp.tokenFor({ audience: AUDIENCE, format: 'opaque', sub: 'alice' });
    const clients = createAuthenticator({
      issuers: [issuerConfig(idp, { allowedClients: ['someone-else'] })],
      fetch: fetchImpl,
    });
    expect(await codeOf(clients.authenticate({ authorization: `Bearer ${token}` }))).toBe('ERR_TOKEN_CLIENT');
    const later = createAuthenticator({
      issuers: [issuerConfig(idp, { maxTokenAgeSeconds: 60 })],
      fetch: fetchImpl,
      clock: { now: () => new Date(Date.now() + 120_000) },
    });
    expect(await codeOf(later.authenticate({ authorization: `Bearer ${token}` }))).toBe('ERR_TOKEN_EXPIRED');
  });

  it('fails closed (503) when the introspection endpoint cannot be reached, and the wrong secret is 503 too', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE, format: 'opaque', sub: 'alice' });
    const fresh = createAuthenticator({ issuers: [issuerConfig(idp)], fetch: fetchImpl });
    await fresh.authenticate({ authorization: `Bearer ${token}` }).catch(() => undefined); // discovery done
    const other = await idp.tokenFor({ audience: AUDIENCE, format: 'opaque', sub: 'bob' });
    down = true;
    try {
      expect(await codeOf(fresh.authenticate({ authorization: `Bearer ${other}` }))).toBe('ERR_IDP_UNAVAILABLE');
    } finally {
      down = false;
    }
    const wrong = createAuthenticator({
      issuers: [
        issuerConfig(idp, { introspection: { clientId: idp.introspectionClient.clientId, clientSecret: 'wrong' } }),
      ],
      fetch: fetchImpl,
    });
    expect(await codeOf(wrong.authenticate({ authorization: `Bearer ${token}` }))).toBe('ERR_IDP_UNAVAILABLE');
  });

  it('never sends a JWT or an opaque token to an issuer without introspection', async () => {
    const plain = createAuthenticator({ issuers: [issuerConfig(idp, { introspection: null })], fetch: fetchImpl });
    const before = calls.length;
    expect(await codeOf(plain.authenticate({ authorization: 'Bearer some-reference-token' }))).toBe(
      'ERR_TOKEN_MALFORMED',
    );
    expect(calls.length).toBe(before);
  });
});

describe('DPoP-bound tokens from a real provider', () => {
  let idp: RunningOidcProvider;
  let auth: Authenticator;

  beforeAll(async () => {
    idp = await startOidcProvider();
    auth = createAuthenticator({ issuers: [issuerConfig(idp, { dpop: { origins: ['https://proctor.test'] } })] });
  });
  afterAll(async () => {
    await idp.close();
  });

  const request = (token: string, proof: string, scheme = 'DPoP') => ({
    authorization: [`${scheme} ${token}`],
    dpop: [proof],
    host: ['proctor.internal:8080'],
    ':method': 'POST',
    ':path': '/v1/chat/completions',
  });

  it.each(['jwt', 'opaque'] as const)(
    'accepts a %s token bound to the key with a fresh proof; refuses its replay',
    async (format) => {
      const key = await clientKey();
      const nowS = () => Math.floor(Date.now() / 1000);
      const tokenProof = await dpopProof(key, { token: '', ath: null, htu: `${idp.issuer}/token`, iat: nowS() });
      const token = await idp.tokenFor({ audience: AUDIENCE, format, sub: 'alice', dpopProof: tokenProof });
      const proof = await dpopProof(key, { token, iat: nowS() });
      await expect(auth.authenticate(request(token, proof))).resolves.toMatchObject({ sub: 'alice' });
      expect(await codeOf(auth.authenticate(request(token, proof)))).toBe('ERR_TOKEN_DPOP');
      const asBearer = await dpopProof(key, { token, iat: nowS() });
      expect(await codeOf(auth.authenticate(request(token, asBearer, 'Bearer')))).toBe('ERR_TOKEN_DPOP');
      const stolen = await clientKey();
      const thief = await dpopProof(stolen, { token, iat: nowS() });
      expect(await codeOf(auth.authenticate(request(token, thief)))).toBe('ERR_TOKEN_DPOP');
    },
  );
});
