import { describe, expect, it } from 'vitest';
import { createAuthenticator, IdentityConfigError, IdentityError } from '../../../src/identity/index.ts';
import type { IdentityErrorCode, IssuerConfig } from '../../../src/identity/index.ts';
import { AUDIENCE, config, fakeIdp, ISSUER, NOW, NOW_S } from './fake-idp.ts';
import type { FakeIdp } from './fake-idp.ts';

const OPAQUE = 'at_2YotnFZFEjr1zCsicMWpAA';
const introspection = { clientId: 'proctor-rs', clientSecret: 'secret', cacheSeconds: 30 };

function setup(idp: FakeIdp, overrides: Partial<IssuerConfig> = {}, now: () => Date = () => NOW) {
  return createAuthenticator({ issuers: [config({ introspection, ...overrides })], clock: { now }, fetch: idp.fetch });
}

const active = (over: Record<string, unknown> = {}) => ({
  active: true,
  iss: ISSUER,
  aud: AUDIENCE,
  sub: 'alice',
  client_id: 'web',
  iat: NOW_S - 10,
  exp: NOW_S + 300,
  token_type: 'Bearer',
  groups: ['eng'],
  ...over,
});

async function codeOf(promise: Promise<unknown>): Promise<IdentityErrorCode | 'ok'> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) return 'ok';
  expect(error).toBeInstanceOf(IdentityError);
  return (error as IdentityError).code;
}

describe('introspection (RFC 7662)', () => {
  it('authenticates with client_secret_basic and caches an active answer no longer than cacheSeconds', async () => {
    const idp = await fakeIdp();
    idp.introspection.set(OPAQUE, active());
    let now = NOW;
    const auth = setup(idp, {}, () => now);
    await expect(auth.authenticate({ authorization: `Bearer ${OPAQUE}` })).resolves.toMatchObject({
      sub: 'alice',
      client_id: 'web',
    });
    expect(idp.introspected).toHaveLength(1);
    expect(idp.introspected[0]?.token).toBe(OPAQUE);
    // RFC 6749 §2.3.1: the id and secret are form-encoded before base64 ('-' is %2D).
    const basic = Buffer.from(String(idp.introspected[0]?.authorization).replace(/^Basic /, ''), 'base64').toString();
    expect(decodeURIComponent(basic)).toBe('proctor-rs:secret');
    now = new Date(NOW.getTime() + 29_000);
    await auth.authenticate({ authorization: `Bearer ${OPAQUE}` });
    expect(idp.introspected).toHaveLength(1);
    now = new Date(NOW.getTime() + 31_000);
    idp.introspection.set(OPAQUE, { active: false });
    expect(await codeOf(auth.authenticate({ authorization: `Bearer ${OPAQUE}` }))).toBe('ERR_TOKEN_INACTIVE');
  });

  it('never caches past the token exp, and not at all with cacheSeconds 0', async () => {
    const idp = await fakeIdp();
    idp.introspection.set(OPAQUE, active({ exp: NOW_S + 5 }));
    let now = NOW;
    const auth = setup(idp, {}, () => now);
    await auth.authenticate({ authorization: `Bearer ${OPAQUE}` });
    now = new Date(NOW.getTime() + 36_000); // past exp and the 30 s skew: neither cache may answer
    expect(await codeOf(auth.authenticate({ authorization: `Bearer ${OPAQUE}` }))).toBe('ERR_TOKEN_EXPIRED');
    expect(idp.introspected).toHaveLength(2);
    const idp2 = await fakeIdp();
    idp2.introspection.set(OPAQUE, active());
    const uncached = setup(idp2, { introspection: { ...introspection, cacheSeconds: 0 } });
    await uncached.authenticate({ authorization: `Bearer ${OPAQUE}` });
    await uncached.authenticate({ authorization: `Bearer ${OPAQUE}` });
    expect(idp2.introspected).toHaveLength(2);
  });

  it.each<[string, Record<string, unknown>, IdentityErrorCode]>([
    ['inactive', { active: false }, 'ERR_TOKEN_INACTIVE'],
    ['active as a string', { ...active(), active: 'true' }, 'ERR_IDP_UNAVAILABLE'],
    ['a refresh token', active({ token_type: 'refresh_token' }), 'ERR_TOKEN_INACTIVE'],
    ['another issuer', active({ iss: 'https://evil.test' }), 'ERR_TOKEN_ISSUER_UNTRUSTED'],
    ['a foreign audience beside ours', active({ aud: [AUDIENCE, 'other'] }), 'ERR_TOKEN_AUDIENCE'],
    ['no audience', active({ aud: undefined }), 'ERR_TOKEN_AUDIENCE'],
    ['no iat', active({ iat: undefined }), 'ERR_TOKEN_CLAIMS'],
    ['exp 400 days after iat', active({ exp: NOW_S + 400 * 86_400 }), 'ERR_TOKEN_CLAIMS'],
    ['sub with NUL', active({ sub: 'al\u0000ice' }), 'ERR_TOKEN_CLAIMS'],
    ['bound with cnf.jkt, sent as Bearer', active({ cnf: { jkt: 'x'.repeat(43) } }), 'ERR_TOKEN_DPOP'],
  ])('refuses an answer with %s', async (_name, answer, code) => {
    const idp = await fakeIdp();
    idp.introspection.set(OPAQUE, answer);
    expect(await codeOf(setup(idp).authenticate({ authorization: `Bearer ${OPAQUE}` }))).toBe(code);
  });

  it('fails closed on an IdP error status, an outage and a discovery without introspection_endpoint', async () => {
    const idp = await fakeIdp();
    idp.introspection.set(OPAQUE, active());
    idp.introspectionStatus = 500;
    expect(await codeOf(setup(idp).authenticate({ authorization: `Bearer ${OPAQUE}` }))).toBe('ERR_IDP_UNAVAILABLE');
    idp.introspectionStatus = undefined;
    idp.up = false;
    expect(await codeOf(setup(idp).authenticate({ authorization: `Bearer ${OPAQUE}` }))).toBe('ERR_IDP_UNAVAILABLE');
    idp.up = true;
    delete idp.discovery['introspection_endpoint'];
    expect(await codeOf(setup(idp).authenticate({ authorization: `Bearer ${OPAQUE}` }))).toBe('ERR_IDP_UNAVAILABLE');
  });

  it('sends an opaque token only to the issuer whose prefix it has', async () => {
    const a = await fakeIdp();
    const b = await fakeIdp('https://idp-b.test');
    b.introspection.set(OPAQUE, active({ iss: 'https://idp-b.test' }));
    const fetch = (url: string, init?: RequestInit) =>
      url.startsWith('https://idp-b.test') ? b.fetch(url, init) : a.fetch(url, init);
    const auth = createAuthenticator({
      issuers: [
        config({ introspection: { ...introspection, tokenPrefix: 'rt_' } }),
        config({ issuer: 'https://idp-b.test', introspection: { ...introspection, tokenPrefix: 'at_' } }),
      ],
      clock: { now: () => NOW },
      fetch,
    });
    await expect(auth.authenticate({ authorization: `Bearer ${OPAQUE}` })).resolves.toMatchObject({
      iss: 'https://idp-b.test',
    });
    expect(a.calls).toEqual([]);
    expect(await codeOf(auth.authenticate({ authorization: 'Bearer xx_unclaimed' }))).toBe('ERR_TOKEN_MALFORMED');
    expect(a.introspected).toEqual([]);
  });

  it.each<[string, Partial<IssuerConfig>[], string]>([
    ['two introspecting issuers without prefixes', [{}, {}], 'issuers[1].introspection.tokenPrefix'],
    [
      'overlapping prefixes',
      [
        { introspection: { ...introspection, tokenPrefix: 'at' } },
        { introspection: { ...introspection, tokenPrefix: 'at_' } },
      ],
      'issuers[1].introspection.tokenPrefix',
    ],
  ])('refuses %s at start-up', (_name, overrides, path) => {
    const issuers = overrides.map((o, i) => config({ issuer: `https://idp-${i}.test`, introspection, ...o }));
    const error = (() => {
      try {
        createAuthenticator({ issuers });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(IdentityConfigError);
    expect((error as IdentityConfigError).path).toBe(path);
  });
});
