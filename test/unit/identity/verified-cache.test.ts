import { describe, expect, it } from 'vitest';
import { createAuthenticator, IdentityError } from '../../../src/identity/index.ts';
import type { Principal } from '../../../src/identity/index.ts';
import { createVerifiedCache } from '../../../src/identity/verified-cache.ts';
import { config, fakeIdp, NOW, NOW_S } from './fake-idp.ts';

const principal = (fingerprint: string): Principal => ({
  iss: 'https://idp.test',
  sub: 'alice',
  client_id: null,
  groups: ['eng'],
  tenant: null,
  token_fingerprint: fingerprint,
});
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

describe('verified-token cache', () => {
  it('returns a copy while the entry is within its lifetime and the token unexpired', () => {
    const cache = createVerifiedCache({ lifetimeMs: 60_000, maxEntries: 10 });
    cache.set(principal('a'), NOW_S + 300, 30, NOW);
    const hit = cache.get('a', at(59));
    expect(hit).toEqual(principal('a'));
    hit?.groups.push('admin');
    expect(cache.get('a', at(59))?.groups).toEqual(['eng']);
    expect(cache.get('a', at(60))).toBeUndefined();
  });

  it('misses once the token expires (beyond the skew), and when the clock goes back', () => {
    const cache = createVerifiedCache({ lifetimeMs: 60_000, maxEntries: 10 });
    cache.set(principal('a'), NOW_S + 10, 30, NOW);
    expect(cache.get('a', at(39))).toBeDefined();
    expect(cache.get('a', at(40))).toBeUndefined();
    cache.set(principal('b'), NOW_S + 300, 30, NOW);
    expect(cache.get('b', at(-1))).toBeUndefined();
  });

  it('is bounded, dropping the oldest entry, and off with a zero lifetime', () => {
    const cache = createVerifiedCache({ lifetimeMs: 60_000, maxEntries: 2 });
    for (const f of ['a', 'b', 'c']) cache.set(principal(f), NOW_S + 300, 0, NOW);
    expect(['a', 'b', 'c'].map((f) => cache.get(f, NOW) !== undefined)).toEqual([false, true, true]);
    const off = createVerifiedCache({ lifetimeMs: 0, maxEntries: 2 });
    off.set(principal('a'), NOW_S + 300, 0, NOW);
    expect(off.get('a', NOW)).toBeUndefined();
  });

  it('never lets a remembered token outlive its exp or precede its nbf through the authenticator', async () => {
    const idp = await fakeIdp();
    let now = NOW;
    const auth = createAuthenticator({ issuers: [config()], clock: { now: () => now }, fetch: idp.fetch });
    const token = await idp.sign(idp.claims({ exp: NOW_S + 10, nbf: NOW_S }));
    const headers = { authorization: `Bearer ${token}` };
    await expect(auth.authenticate(headers)).resolves.toMatchObject({ sub: 'alice' });
    now = at(41);
    await expect(auth.authenticate(headers)).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' });
    now = at(-100);
    const error = await auth.authenticate(headers).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentityError);
    expect((error as IdentityError).code).toBe('ERR_TOKEN_NOT_YET_VALID');
  });
});
