import { describe, expect, it } from 'vitest';
import { createAuthenticator, IdentityConfigError } from '../../../src/identity/index.ts';
import type { IssuerConfig } from '../../../src/identity/index.ts';
import { config } from './fake-idp.ts';

function pathOf(issuers: IssuerConfig[]): string | 'ok' {
  try {
    createAuthenticator({ issuers, fetch: () => Promise.reject(new Error('no I/O at construction')) });
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(IdentityConfigError);
    expect((error as IdentityConfigError).code).toBe('ERR_IDENTITY_CONFIG');
    return (error as IdentityConfigError).path;
  }
}

describe('issuer configuration', () => {
  it('accepts https issuers and loopback http with allowInsecureHttp', () => {
    expect(pathOf([config()])).toBe('ok');
    expect(pathOf([config({ issuer: 'http://127.0.0.1:8080', allowInsecureHttp: true })])).toBe('ok');
    expect(pathOf([config({ issuer: 'http://localhost:8080/realms/dev', allowInsecureHttp: true })])).toBe('ok');
  });

  it.each<[string, Partial<IssuerConfig>, string]>([
    ['HS256', { algorithms: ['ES256', 'HS256'] }, 'issuers[0].algorithms[1]'],
    ['none', { algorithms: ['none'] }, 'issuers[0].algorithms[0]'],
    ['no algorithms', { algorithms: [] }, 'issuers[0].algorithms'],
    ['no audience', { audience: [] }, 'issuers[0].audience'],
    ['http without allowInsecureHttp', { issuer: 'http://127.0.0.1:8080' }, 'issuers[0].issuer'],
    ['http on a non-loopback host', { issuer: 'http://idp.internal', allowInsecureHttp: true }, 'issuers[0].issuer'],
    ['a query in the issuer', { issuer: 'https://idp.test/?x=1' }, 'issuers[0].issuer'],
    ['a relative issuer', { issuer: 'idp.test' }, 'issuers[0].issuer'],
    ['an unbounded clock skew', { clockSkewSeconds: 301 }, 'issuers[0].clockSkewSeconds'],
    ['a fractional clock skew', { clockSkewSeconds: 1.5 }, 'issuers[0].clockSkewSeconds'],
    ['an empty groups claim', { groupsClaim: '' }, 'issuers[0].groupsClaim'],
    ['an empty tenant claim', { tenantClaim: '' }, 'issuers[0].tenantClaim'],
    ['an empty typ', { requiredTyp: '' }, 'issuers[0].requiredTyp'],
    ['a max token age under a minute', { maxTokenAgeSeconds: 30 }, 'issuers[0].maxTokenAgeSeconds'],
    [
      'an unbounded lifetime',
      { maxTokenLifetimeSeconds: Number.POSITIVE_INFINITY },
      'issuers[0].maxTokenLifetimeSeconds',
    ],
    ['a token size above 64 KiB', { maxTokenBytes: 100_000 }, 'issuers[0].maxTokenBytes'],
    ['an unknown audience policy', { audiencePolicy: 'some' as 'any' }, 'issuers[0].audiencePolicy'],
    ['an empty client allowlist', { allowedClients: [] }, 'issuers[0].allowedClients'],
    ['a negative JWKS cache age', { jwks: { cacheMaxAgeSeconds: -1 } }, 'issuers[0].jwks.cacheMaxAgeSeconds'],
    ['a JWKS timeout of 10 minutes', { jwks: { timeoutMs: 600_000 } }, 'issuers[0].jwks.timeoutMs'],
    ['HS256 for DPoP proofs', { dpop: { algorithms: ['HS256'] } }, 'issuers[0].dpop.algorithms[0]'],
    ['a DPoP origin with a path', { dpop: { origins: ['https://p.example/v1'] } }, 'issuers[0].dpop.origins[0]'],
    [
      'introspection without a secret',
      { introspection: { clientId: 'rs', clientSecret: '' } },
      'issuers[0].introspection.clientSecret',
    ],
    [
      'an introspection cache above 5 minutes',
      { introspection: { clientId: 'rs', clientSecret: 's', cacheSeconds: 301 } },
      'issuers[0].introspection.cacheSeconds',
    ],
    ['an empty subject claim', { subjectClaim: '' }, 'issuers[0].subjectClaim'],
    ['an empty groups path in a list', { groupsClaim: ['roles', ''] }, 'issuers[0].groupsClaim[1]'],
  ])('rejects %s', (_name, overrides, path) => {
    expect(pathOf([config(overrides)])).toBe(path);
  });

  it('rejects an empty issuer list and a duplicate issuer', () => {
    expect(pathOf([])).toBe('issuers');
    expect(pathOf([config(), config()])).toBe('issuers[1].issuer');
  });

  it('does not let later changes to the caller config widen what is accepted', async () => {
    const mutable = config();
    createAuthenticator({ issuers: [mutable] });
    mutable.algorithms.push('HS256');
    expect(pathOf([config()])).toBe('ok');
  });
});
