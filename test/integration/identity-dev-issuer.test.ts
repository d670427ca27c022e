// The development issuer (npm start) over real loopback HTTP: its tokens pass the same authenticator as production.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDevIssuerKey, mintDevToken, startDevIssuer } from '../../src/dev/dev-issuer.ts';
import type { DevIssuerKey } from '../../src/dev/dev-issuer.ts';
import { createAuthenticator, IdentityConfigError, IdentityError } from '../../src/identity/index.ts';
import type { Authenticator, IssuerConfig } from '../../src/identity/index.ts';

const AUDIENCE = 'proctor';

function devConfig(issuer: string, allowInsecureHttp = true): IssuerConfig {
  return {
    issuer,
    audience: [AUDIENCE],
    algorithms: ['ES256', 'EdDSA'],
    clockSkewSeconds: 30,
    requiredTyp: 'at+jwt',
    groupsClaim: 'groups',
    tenantClaim: 'tenant',
    allowInsecureHttp,
  };
}

describe('development issuer', () => {
  let key: DevIssuerKey;
  let issuer: { issuer: string; close(): Promise<void> };
  let auth: Authenticator;

  beforeAll(async () => {
    key = await generateDevIssuerKey();
    issuer = await startDevIssuer({ key });
    auth = createAuthenticator({ issuers: [devConfig(issuer.issuer)] });
  });
  afterAll(async () => {
    await issuer.close();
  });

  it('serves discovery and a JWKS with the public key only', async () => {
    expect(issuer.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const discovery = (await (await fetch(`${issuer.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery['issuer']).toBe(issuer.issuer);
    const jwks = (await (await fetch(String(discovery['jwks_uri']))).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]?.['kid']).toBe(key.publicJwk.kid);
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('mints tokens that authenticate', async () => {
    const token = await mintDevToken({
      key,
      issuer: issuer.issuer,
      audience: AUDIENCE,
      sub: 'alice',
      groups: ['eng'],
      tenant: 'acme',
    });
    const principal = await auth.authenticate({ authorization: `Bearer ${token}` });
    expect(principal).toMatchObject({
      iss: issuer.issuer,
      sub: 'alice',
      client_id: 'proctor-dev',
      groups: ['eng'],
      tenant: 'acme',
    });
  });

  it('survives a JSON round trip of the key (the dev stack stores it in a file)', async () => {
    const stored = JSON.parse(JSON.stringify(key)) as DevIssuerKey;
    const token = await mintDevToken({
      key: stored,
      issuer: issuer.issuer,
      audience: AUDIENCE,
      sub: 'bob',
      groups: [],
    });
    await expect(auth.authenticate({ 'x-api-key': token })).resolves.toMatchObject({ sub: 'bob', tenant: null });
  });

  it('mints tokens that expire', async () => {
    const past = new Date(Date.now() - 2 * 3600 * 1000);
    const token = await mintDevToken({
      key,
      issuer: issuer.issuer,
      audience: AUDIENCE,
      sub: 'alice',
      groups: [],
      ttlSeconds: 60,
      now: past,
    });
    const error = await auth.authenticate({ authorization: `Bearer ${token}` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentityError);
    expect((error as IdentityError).code).toBe('ERR_TOKEN_EXPIRED');
  });

  it('rejects a token signed by another dev key', async () => {
    const other = await generateDevIssuerKey();
    const token = await mintDevToken({
      key: other,
      issuer: issuer.issuer,
      audience: AUDIENCE,
      sub: 'mallory',
      groups: ['admin'],
    });
    const error = await auth.authenticate({ authorization: `Bearer ${token}` }).catch((e: unknown) => e);
    expect((error as IdentityError).code).toBe('ERR_TOKEN_SIGNATURE');
  });

  it('is refused as an http issuer unless allowInsecureHttp is set', () => {
    expect(() => createAuthenticator({ issuers: [devConfig(issuer.issuer, false)] })).toThrow(IdentityConfigError);
  });

  it('refuses to bind anything but loopback', async () => {
    await expect(startDevIssuer({ key, host: '0.0.0.0' as '127.0.0.1' })).rejects.toThrow(TypeError);
  });
});
