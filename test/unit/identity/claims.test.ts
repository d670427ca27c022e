import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdentityError } from '../../../src/identity/index.ts';
import { claimAt, groupsOf, isCleanText } from '../../../src/identity/claims.ts';
import { principalFromClaims } from '../../../src/identity/principal.ts';

const base = { iss: 'https://idp.test', sub: 'alice' };
const mapping = (over: Partial<{ groupsClaims: string[]; tenantClaim: string | null; subjectClaim: string }> = {}) => ({
  groupsClaims: ['groups'],
  tenantClaim: null,
  subjectClaim: 'sub',
  ...over,
});

describe('claim paths for each IdP shape', () => {
  it.each([
    [
      'Keycloak realm and client roles',
      { realm_access: { roles: ['user'] }, resource_access: { proctor: { roles: ['admin', 'user'] } } },
      mapping({ groupsClaims: ['realm_access.roles', 'resource_access.proctor.roles'] }),
      { groups: ['user', 'admin'] },
    ],
    [
      'Entra roles, groups, oid and tid',
      { oid: '7c1e-uuid', tid: 'tenant-uuid', roles: ['Proctor.User'], groups: ['g-1'] },
      mapping({ groupsClaims: ['roles', 'groups'], tenantClaim: 'tid', subjectClaim: 'oid' }),
      { sub: '7c1e-uuid', groups: ['Proctor.User', 'g-1'], tenant: 'tenant-uuid' },
    ],
    ['Okta groups', { groups: ['Everyone', 'Engineering'] }, mapping(), { groups: ['Everyone', 'Engineering'] }],
    [
      'Auth0 namespaced claims (dots in the name)',
      { 'https://acme.example/roles': ['eng'], 'https://acme.example/org': 'acme' },
      mapping({ groupsClaims: ['https://acme.example/roles'], tenantClaim: 'https://acme.example/org' }),
      { groups: ['eng'], tenant: 'acme' },
    ],
  ])('%s', (_name, claims, config, expected) => {
    expect(principalFromClaims({ ...base, ...claims }, 'f', config)).toMatchObject(expected);
  });

  it('reads own properties only, never the prototype chain', () => {
    expect(claimAt({ a: {} }, 'a.constructor')).toBeUndefined();
    expect(claimAt({}, '__proto__')).toBeUndefined();
    expect(claimAt(JSON.parse('{"__proto__":{"x":["admin"]}}') as Record<string, unknown>, '__proto__.x')).toEqual([
      'admin',
    ]);
    expect(claimAt({ a: ['x'] }, 'a.0')).toBeUndefined();
  });

  it('refuses a path through a non-object and more than 1024 groups across claims', () => {
    expect(
      principalFromClaims({ ...base, realm_access: 'x' }, 'f', mapping({ groupsClaims: ['realm_access.roles'] }))
        .groups,
    ).toEqual([]);
    const many = Array.from({ length: 600 }, (_, i) => `g${i}`);
    const other = Array.from({ length: 600 }, (_, i) => `h${i}`);
    expect(() => groupsOf({ a: many, b: other }, ['a', 'b'])).toThrow(IdentityError);
  });
});

describe('clean text', () => {
  it('accepts any string without controls, bidi/line format characters or lone surrogates', () => {
    const banned = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/u;
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(isCleanText(s)).toBe(!banned.test(s));
      }),
    );
  });

  it('refuses every string with a lone surrogate or a control anywhere', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.constantFrom('\u0000', '\ud800', '\udc00', '\u0085', '\u202e', '\n'),
        (a, b, bad) => {
          expect(isCleanText(`${a}${bad}${b}`)).toBe(false);
        },
      ),
    );
  });
});
