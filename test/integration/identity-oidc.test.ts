// The identify stage against a real OIDC provider (oidc-provider v9): discovery, remote JWKS, real JWT access
// tokens from its token endpoint, and the IdP going away.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator, IdentityError } from '../../src/identity/index.ts';
import type { Authenticator, IdentityErrorCode, IssuerConfig } from '../../src/identity/index.ts';
import { startOidcProvider } from '../helpers/oidc-provider.ts';
import type { RunningOidcProvider } from '../helpers/oidc-provider.ts';

const AUDIENCE = 'https://proctor.test';

function issuerConfig(issuer: string, overrides: Partial<IssuerConfig> = {}): IssuerConfig {
  return {
    issuer,
    audience: [AUDIENCE],
    algorithms: ['RS256', 'ES256'],
    clockSkewSeconds: 30,
    requiredTyp: 'at+jwt',
    groupsClaim: 'groups',
    tenantClaim: 'tenant',
    allowInsecureHttp: true,
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<IdentityError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IdentityError);
  return error as IdentityError;
}

async function expectCode(promise: Promise<unknown>, code: IdentityErrorCode, status = 401): Promise<void> {
  const error = await rejection(promise);
  expect({ code: error.code, status: error.status }).toEqual({ code, status });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('identity against a real OIDC provider', () => {
  let idp: RunningOidcProvider;
  let auth: Authenticator;
  let now = new Date();
  const clock = { now: () => now };

  beforeAll(async () => {
    idp = await startOidcProvider();
    auth = createAuthenticator({ issuers: [issuerConfig(idp.issuer)], clock });
  });
  afterAll(async () => {
    await idp.close();
  });

  it('turns a valid token into a Principal', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE, sub: 'alice', groups: ['eng', 'sre'], tenant: 'acme' });
    const principal = await auth.authenticate(bearer(token));
    expect(principal).toEqual({
      iss: idp.issuer,
      sub: 'alice',
      client_id: idp.clientId,
      groups: ['eng', 'sre'],
      tenant: 'acme',
      token_fingerprint: createHash('sha256').update(token).digest('hex'),
    });
  });

  it('gives the client id as sub for a plain client_credentials token, and [] without a groups claim', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE });
    const principal = await auth.authenticate(bearer(token));
    expect(principal.sub).toBe(idp.clientId);
    expect(principal.groups).toEqual([]);
    expect(principal.tenant).toBeNull();
  });

  it('accepts the token in x-api-key (Anthropic SDK)', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE, sub: 'bob', groups: ['legal'] });
    const principal = await auth.authenticate({ 'x-api-key': token });
    expect(principal.sub).toBe('bob');
    expect(principal.groups).toEqual(['legal']);
  });

  it('rejects a missing token', async () => {
    await expectCode(auth.authenticate({}), 'ERR_TOKEN_MISSING');
  });

  it('rejects a token for another audience', async () => {
    const token = await idp.tokenFor({ audience: 'https://other.test', sub: 'alice' });
    await expectCode(auth.authenticate(bearer(token)), 'ERR_TOKEN_AUDIENCE');
  });

  it('rejects an expired token (clock moved past exp + skew)', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE, sub: 'alice', ttlSeconds: 60 });
    await expect(auth.authenticate(bearer(token))).resolves.toMatchObject({ sub: 'alice' });
    const real = now;
    now = new Date(real.getTime() + (60 + 30 + 5) * 1000);
    try {
      await expectCode(auth.authenticate(bearer(token)), 'ERR_TOKEN_EXPIRED');
    } finally {
      now = real;
    }
  });

  it('rejects a tampered signature and a tampered payload', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE, sub: 'alice', groups: ['eng'] });
    const [header = '', payload = '', signature = ''] = token.split('.');
    const mid = Math.floor(signature.length / 2);
    const flipped = signature.slice(0, mid) + (signature[mid] === 'A' ? 'B' : 'A') + signature.slice(mid + 1);
    await expectCode(auth.authenticate(bearer(`${header}.${payload}.${flipped}`)), 'ERR_TOKEN_SIGNATURE');

    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, groups: ['admin'] })).toString('base64url');
    const error = await rejection(auth.authenticate(bearer(`${header}.${forged}.${signature}`)));
    expect(error.code).toBe('ERR_TOKEN_SIGNATURE');
    expect(error.message).not.toContain(signature);
  });

  it('rejects a token whose issuer is not configured', async () => {
    const other = createAuthenticator({ issuers: [issuerConfig('https://idp.example.com')], clock });
    const token = await idp.tokenFor({ audience: AUDIENCE, sub: 'alice' });
    await expectCode(other.authenticate(bearer(token)), 'ERR_TOKEN_ISSUER_UNTRUSTED');
  });

  it('rejects an algorithm outside the allowlist', async () => {
    const esOnly = createAuthenticator({ issuers: [issuerConfig(idp.issuer, { algorithms: ['ES256'] })], clock });
    const token = await idp.tokenFor({ audience: AUDIENCE, sub: 'alice' });
    await expectCode(esOnly.authenticate(bearer(token)), 'ERR_TOKEN_ALGORITHM');
  });

  it('checks typ when configured', async () => {
    const wantsJwt = createAuthenticator({ issuers: [issuerConfig(idp.issuer, { requiredTyp: 'JWT' })], clock });
    const token = await idp.tokenFor({ audience: AUDIENCE, sub: 'alice' });
    await expectCode(wantsJwt.authenticate(bearer(token)), 'ERR_TOKEN_CLAIMS');
  });
});

describe('identity when the IdP is down', () => {
  it('fails closed with 503 when the IdP is stopped before the first discovery, and recovers when it is back', async () => {
    const first = await startOidcProvider();
    const token = await first.tokenFor({ audience: AUDIENCE, sub: 'alice', groups: ['eng'] });
    const auth = createAuthenticator({ issuers: [issuerConfig(first.issuer)], timeoutMs: 2_000 });
    await first.close();

    await expectCode(auth.authenticate(bearer(token)), 'ERR_IDP_UNAVAILABLE', 503);

    const again = await startOidcProvider({ port: first.port, signingKeys: first.signingKeys });
    try {
      await expect(auth.authenticate(bearer(token))).resolves.toMatchObject({ sub: 'alice', groups: ['eng'] });
    } finally {
      await again.close();
    }
  });

  it('serves from the cached key set while it is fresh, then fails closed', async () => {
    const idp = await startOidcProvider();
    const token = await idp.tokenFor({ audience: AUDIENCE, sub: 'alice' });
    const cached = createAuthenticator({ issuers: [issuerConfig(idp.issuer)], timeoutMs: 2_000 });
    const uncached = createAuthenticator({
      issuers: [issuerConfig(idp.issuer)],
      timeoutMs: 2_000,
      jwksCacheMaxAgeMs: 0,
    });
    await cached.authenticate(bearer(token));
    await uncached.authenticate(bearer(token));
    await idp.close();

    await expect(cached.authenticate(bearer(token))).resolves.toMatchObject({ sub: 'alice' });
    await expectCode(uncached.authenticate(bearer(token)), 'ERR_IDP_UNAVAILABLE', 503);
  });
});
