import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuthenticator, IdentityError } from '../../../src/identity/index.ts';
import type { IdentityErrorCode, IssuerConfig } from '../../../src/identity/index.ts';
import { AUDIENCE, config, fakeIdp, ISSUER, newKey, NOW, NOW_S } from './fake-idp.ts';
import type { FakeIdp } from './fake-idp.ts';

const clock = { now: () => NOW };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function authFor(idp: FakeIdp, overrides: Partial<IssuerConfig> = {}) {
  return createAuthenticator({ issuers: [config(overrides)], clock, fetch: idp.fetch });
}

async function failure(promise: Promise<unknown>): Promise<IdentityError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IdentityError);
  return error as IdentityError;
}

async function expectCode(promise: Promise<unknown>, code: IdentityErrorCode): Promise<IdentityError> {
  const error = await failure(promise);
  expect(error.code).toBe(code);
  expect(error.status).toBe(code === 'ERR_IDP_UNAVAILABLE' ? 503 : 401);
  return error;
}

describe('authenticate: the Principal', () => {
  it('maps verified claims', async () => {
    const idp = await fakeIdp();
    const token = await idp.sign(idp.claims({ azp: 'web-app', client_id: 'other', tenant: 'acme' }));
    expect(await authFor(idp).authenticate(bearer(token))).toEqual({
      iss: ISSUER,
      sub: 'alice',
      client_id: 'web-app',
      groups: ['eng'],
      tenant: 'acme',
      token_fingerprint: createHash('sha256').update(token).digest('hex'),
    });
  });

  it('takes client_id when there is no azp; a single group string; no tenant claim configured', async () => {
    const idp = await fakeIdp();
    const token = await idp.sign(idp.claims({ client_id: 'cli', roles: 'admin', tenant: 'acme' }));
    const principal = await authFor(idp, { groupsClaim: 'roles', tenantClaim: null }).authenticate(bearer(token));
    expect(principal).toMatchObject({ client_id: 'cli', groups: ['admin'], tenant: null });
  });

  it('gives [] and null when the groups and tenant claims are absent', async () => {
    const idp = await fakeIdp();
    const token = await idp.sign(idp.claims({ groups: undefined }));
    expect(await authFor(idp).authenticate(bearer(token))).toMatchObject({ groups: [], tenant: null, client_id: null });
  });

  it.each([
    ['groups of the wrong type', { groups: 7 }],
    ['a non-string group', { groups: ['eng', 3] }],
    ['a tenant of the wrong type', { tenant: ['a'] }],
    ['a missing sub', { sub: undefined }],
    ['an empty sub', { sub: '' }],
    ['a sub with a lone surrogate', { sub: 'al\ud800ice' }],
    ['a missing exp', { exp: undefined }],
    ['a missing iat', { iat: undefined }],
    ['a non-numeric exp', { exp: 'tomorrow' }],
  ])('rejects %s as ERR_TOKEN_CLAIMS', async (_name, overrides) => {
    const idp = await fakeIdp();
    const token = await idp.sign(idp.claims(overrides));
    await expectCode(authFor(idp).authenticate(bearer(token)), 'ERR_TOKEN_CLAIMS');
  });
});

describe('authenticate: time', () => {
  it('accepts a token expired within the skew, rejects one beyond it', async () => {
    const idp = await fakeIdp();
    const auth = authFor(idp);
    const withinSkew = await idp.sign(idp.claims({ iat: NOW_S - 400, exp: NOW_S - 20 }));
    await expect(auth.authenticate(bearer(withinSkew))).resolves.toMatchObject({ sub: 'alice' });
    const expired = await idp.sign(idp.claims({ iat: NOW_S - 400, exp: NOW_S - 31 }));
    await expectCode(auth.authenticate(bearer(expired)), 'ERR_TOKEN_EXPIRED');
  });

  it('rejects nbf and iat in the future (beyond the skew)', async () => {
    const idp = await fakeIdp();
    const auth = authFor(idp);
    await expectCode(
      auth.authenticate(bearer(await idp.sign(idp.claims({ nbf: NOW_S + 60 })))),
      'ERR_TOKEN_NOT_YET_VALID',
    );
    await expectCode(
      auth.authenticate(bearer(await idp.sign(idp.claims({ iat: NOW_S + 60 })))),
      'ERR_TOKEN_NOT_YET_VALID',
    );
    await expect(auth.authenticate(bearer(await idp.sign(idp.claims({ iat: NOW_S + 20 }))))).resolves.toBeDefined();
  });
});

describe('authenticate: issuer, audience, algorithm, signature, typ', () => {
  it('with audiencePolicy any, accepts an aud array naming one accepted audience; rejects other audiences', async () => {
    const idp = await fakeIdp();
    const auth = authFor(idp, { audiencePolicy: 'any' });
    await expect(
      auth.authenticate(bearer(await idp.sign(idp.claims({ aud: ['x', AUDIENCE] })))),
    ).resolves.toBeDefined();
    await expectCode(auth.authenticate(bearer(await idp.sign(idp.claims({ aud: ['x', 'y'] })))), 'ERR_TOKEN_AUDIENCE');
  });

  it('by default (exactly-ours) refuses an aud array naming a foreign audience beside ours', async () => {
    const idp = await fakeIdp();
    const auth = authFor(idp, { audience: [AUDIENCE, 'second'] });
    await expect(
      auth.authenticate(bearer(await idp.sign(idp.claims({ aud: ['second', AUDIENCE] })))),
    ).resolves.toBeDefined();
    await expectCode(
      auth.authenticate(bearer(await idp.sign(idp.claims({ aud: ['x', AUDIENCE] })))),
      'ERR_TOKEN_AUDIENCE',
    );
  });

  it('rejects an unknown or missing iss without fetching anything', async () => {
    const idp = await fakeIdp();
    const auth = authFor(idp);
    await expectCode(
      auth.authenticate(bearer(await idp.sign(idp.claims({ iss: 'https://evil.test' })))),
      'ERR_TOKEN_ISSUER_UNTRUSTED',
    );
    await expectCode(
      auth.authenticate(bearer(await idp.sign(idp.claims({ iss: `${ISSUER}/` })))),
      'ERR_TOKEN_ISSUER_UNTRUSTED',
    );
    await expectCode(
      auth.authenticate(bearer(await idp.sign(idp.claims({ iss: undefined })))),
      'ERR_TOKEN_ISSUER_UNTRUSTED',
    );
    expect(idp.calls).toEqual([]);
  });

  it('rejects alg none and HS256 as ERR_TOKEN_ALGORITHM', async () => {
    const idp = await fakeIdp();
    const auth = authFor(idp);
    const enc = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsecured = `${enc({ alg: 'none', typ: 'at+jwt' })}.${enc(idp.claims())}.`;
    await expectCode(auth.authenticate(bearer(unsecured)), 'ERR_TOKEN_ALGORITHM');
    const hs = await new SignJWT(idp.claims())
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .sign(new Uint8Array(32));
    await expectCode(auth.authenticate(bearer(hs)), 'ERR_TOKEN_ALGORITHM');
  });

  it('rejects an allowed algorithm that is not in this issuer allowlist', async () => {
    const idp = await fakeIdp();
    const token = await idp.sign(idp.claims());
    await expectCode(authFor(idp, { algorithms: ['RS256'] }).authenticate(bearer(token)), 'ERR_TOKEN_ALGORITHM');
    expect(idp.calls).toEqual([]); // refused before the IdP is asked for anything
  });

  it('rejects a key the issuer does not publish, and a tampered payload', async () => {
    const idp = await fakeIdp();
    const auth = authFor(idp);
    const stranger = await newKey();
    await expectCode(
      auth.authenticate(bearer(await idp.sign(idp.claims(), { kid: 'k9' }, stranger.privateKey))),
      'ERR_TOKEN_SIGNATURE',
    );
    await expectCode(
      auth.authenticate(bearer(await idp.sign(idp.claims(), {}, stranger.privateKey))),
      'ERR_TOKEN_SIGNATURE',
    );
    const [header, , signature] = (await idp.sign(idp.claims())).split('.');
    const forged = Buffer.from(JSON.stringify(idp.claims({ groups: ['admin'] }))).toString('base64url');
    await expectCode(auth.authenticate(bearer(`${header}.${forged}.${signature}`)), 'ERR_TOKEN_SIGNATURE');
  });

  it('tries every candidate key for a kid-less token', async () => {
    const idp = await fakeIdp();
    const second = await newKey();
    idp.jwks.keys.push({ ...second.publicJwk, alg: 'ES256', use: 'sig' });
    idp.jwks.keys = idp.jwks.keys.map(({ kid: _kid, ...key }) => key);
    const auth = authFor(idp);
    const token = await new SignJWT(idp.claims())
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
      .sign(second.privateKey);
    await expect(auth.authenticate(bearer(token))).resolves.toMatchObject({ sub: 'alice' });
    const third = await newKey();
    const foreign = await new SignJWT(idp.claims())
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
      .sign(third.privateKey);
    await expectCode(auth.authenticate(bearer(foreign)), 'ERR_TOKEN_SIGNATURE');
  });

  it('checks typ when configured, and not otherwise', async () => {
    const idp = await fakeIdp();
    const token = await idp.sign(idp.claims(), { typ: 'JWT' });
    await expectCode(authFor(idp).authenticate(bearer(token)), 'ERR_TOKEN_CLAIMS');
    const { requiredTyp: _unused, ...noTyp } = config();
    const lax = createAuthenticator({ issuers: [noTyp], clock, fetch: idp.fetch });
    await expect(lax.authenticate(bearer(token))).resolves.toBeDefined();
  });

  it('rejects opaque tokens, JWEs and oversized tokens as malformed', async () => {
    const idp = await fakeIdp();
    const auth = authFor(idp);
    await expectCode(auth.authenticate(bearer('opaque-token-value')), 'ERR_TOKEN_MALFORMED');
    await expectCode(auth.authenticate(bearer('a.b.c.d.e')), 'ERR_TOKEN_MALFORMED');
    await expectCode(auth.authenticate(bearer('x'.repeat(16 * 1024 + 1))), 'ERR_TOKEN_MALFORMED');
    expect(idp.calls).toEqual([]);
  });

  it('never puts the token in an error message', async () => {
    const idp = await fakeIdp();
    const auth = authFor(idp);
    const tokens = [
      await idp.sign(idp.claims({ aud: 'nope' })),
      await idp.sign(idp.claims({ exp: NOW_S - 3600 })),
      await idp.sign(idp.claims({ iss: 'https://evil.test' })),
      (await idp.sign(idp.claims())).slice(0, -4) + 'AAAA',
    ];
    for (const token of tokens) {
      const error = await failure(auth.authenticate(bearer(token)));
      for (const part of token.split('.')) expect(`${error.message} ${String(error.cause)}`).not.toContain(part);
    }
  });
});

describe('authenticate: the IdP', () => {
  it('fails closed with 503 while discovery fails, retries on the next request, then caches', async () => {
    const idp = await fakeIdp();
    const auth = authFor(idp);
    const token = await idp.sign(idp.claims());
    idp.up = false;
    await expectCode(auth.authenticate(bearer(token)), 'ERR_IDP_UNAVAILABLE');
    idp.up = true;
    idp.calls.length = 0;
    await Promise.all([1, 2, 3].map(() => auth.authenticate(bearer(token))));
    await auth.authenticate(bearer(token));
    expect(idp.calls.filter((url) => url.endsWith('/openid-configuration'))).toHaveLength(1);
    expect(idp.calls.filter((url) => url.endsWith('/jwks'))).toHaveLength(1);
  });

  it('after failures in a row pauses the next fetch (1 s, doubling, at most the cooldown), answering 503 meanwhile', async () => {
    const idp = await fakeIdp();
    let now = NOW.getTime();
    const auth = createAuthenticator({ issuers: [config()], clock: { now: () => new Date(now) }, fetch: idp.fetch });
    const token = await idp.sign(idp.claims());
    const discoveries = () => idp.calls.filter((url) => url.endsWith('/openid-configuration')).length;
    idp.up = false;
    await expectCode(auth.authenticate(bearer(token)), 'ERR_IDP_UNAVAILABLE');
    await expectCode(auth.authenticate(bearer(token)), 'ERR_IDP_UNAVAILABLE');
    expect(discoveries()).toBe(2);
    for (let i = 0; i < 10; i++) await expectCode(auth.authenticate(bearer(token)), 'ERR_IDP_UNAVAILABLE');
    expect(discoveries()).toBe(2); // paused: 1 s
    now += 1000;
    await expectCode(auth.authenticate(bearer(token)), 'ERR_IDP_UNAVAILABLE');
    expect(discoveries()).toBe(3); // tried, failed again: paused 2 s
    idp.up = true;
    now += 1999;
    await expectCode(auth.authenticate(bearer(token)), 'ERR_IDP_UNAVAILABLE');
    expect(discoveries()).toBe(3);
    now += 1;
    await expect(auth.authenticate(bearer(token))).resolves.toMatchObject({ sub: expect.any(String) });
    expect(discoveries()).toBe(4);
  });

  it('is unavailable when the discovered issuer differs, even by a trailing slash', async () => {
    const idp = await fakeIdp();
    idp.discovery['issuer'] = `${ISSUER}/`;
    await expectCode(authFor(idp).authenticate(bearer(await idp.sign(idp.claims()))), 'ERR_IDP_UNAVAILABLE');
  });

  it('is unavailable when jwks_uri is plain http on a non-loopback host', async () => {
    const idp = await fakeIdp();
    idp.discovery['jwks_uri'] = 'http://idp.test/jwks';
    await expectCode(authFor(idp).authenticate(bearer(await idp.sign(idp.claims()))), 'ERR_IDP_UNAVAILABLE');
  });

  it('is unavailable when the key set is larger than the bound', async () => {
    const idp = await fakeIdp();
    idp.jwksBody = JSON.stringify({ keys: idp.jwks.keys, padding: 'x'.repeat(300 * 1024) });
    await expectCode(authFor(idp).authenticate(bearer(await idp.sign(idp.claims()))), 'ERR_IDP_UNAVAILABLE');
  });

  it.each([
    [
      'answers 500',
      (idp: FakeIdp) => {
        idp.jwksStatus = 500;
      },
    ],
    [
      'is not JSON',
      (idp: FakeIdp) => {
        idp.jwksBody = '<html>';
      },
    ],
    [
      'is not a key set',
      (idp: FakeIdp) => {
        idp.jwksBody = '{"keys":"none"}';
      },
    ],
  ])('is unavailable when the key set %s', async (_name, breakIt) => {
    const idp = await fakeIdp();
    breakIt(idp);
    await expectCode(authFor(idp).authenticate(bearer(await idp.sign(idp.claims()))), 'ERR_IDP_UNAVAILABLE');
  });
});

describe('recheck: a principal is current only while its token is', () => {
  function moving() {
    let now = NOW.getTime();
    return { now: () => new Date(now), set: (ms: number) => (now = ms) };
  }
  const code = (run: () => void) => {
    try {
      run();
      return null;
    } catch (error) {
      expect(error).toBeInstanceOf(IdentityError);
      return (error as IdentityError).code;
    }
  };

  it('passes until exp plus the skew, then ERR_TOKEN_EXPIRED; a remembered token the same', async () => {
    const idp = await fakeIdp();
    const clock = moving();
    const auth = createAuthenticator({ issuers: [config()], clock, fetch: idp.fetch });
    const token = await idp.sign(idp.claims({ exp: NOW_S + 300 }));
    const principal = await auth.authenticate(bearer(token));
    // Remembered (the verified-token cache returns a copy): checked the same way.
    clock.set((NOW_S + 10) * 1000);
    const remembered = await auth.authenticate(bearer(token));
    expect(idp.calls.filter((c) => c.endsWith('/jwks'))).toHaveLength(1);
    clock.set((NOW_S + 300 + 29) * 1000);
    expect(code(() => auth.recheck(principal))).toBeNull();
    expect(code(() => auth.recheck(remembered))).toBeNull();
    clock.set((NOW_S + 300 + 30) * 1000);
    expect(code(() => auth.recheck(principal))).toBe('ERR_TOKEN_EXPIRED');
    expect(code(() => auth.recheck(remembered))).toBe('ERR_TOKEN_EXPIRED');
  });

  it('ERR_TOKEN_EXPIRED once iat plus max_token_age_seconds passes beyond the skew, exp still ahead', async () => {
    const idp = await fakeIdp();
    const clock = moving();
    const auth = createAuthenticator({ issuers: [config({ maxTokenAgeSeconds: 60 })], clock, fetch: idp.fetch });
    const principal = await auth.authenticate(bearer(await idp.sign(idp.claims({ exp: NOW_S + 3600 }))));
    clock.set((NOW_S + 90) * 1000);
    expect(code(() => auth.recheck(principal))).toBeNull();
    clock.set((NOW_S + 91) * 1000);
    expect(code(() => auth.recheck(principal))).toBe('ERR_TOKEN_EXPIRED');
  });

  it('refuses a principal it did not resolve (fail closed)', async () => {
    const idp = await fakeIdp();
    const auth = createAuthenticator({ issuers: [config()], clock, fetch: idp.fetch });
    const principal = await auth.authenticate(bearer(await idp.sign(idp.claims())));
    expect(code(() => auth.recheck({ ...principal }))).toBe('ERR_TOKEN_EXPIRED');
  });
});
