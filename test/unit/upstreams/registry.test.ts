// Per-kind headers (one place), attribution headers for gateways, and the identity assertion: verified with jose
// against the published JWKS, with every claim and the 60-second bound checked.
import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import {
  AssertionKeyError,
  createAssertionSigner,
  UpstreamConfigError,
  ASSERTION_TYP,
} from '../../../src/upstreams/index.ts';
import { registryOf, upstreamSettings } from '../../helpers/upstreams.ts';

const context = {
  requestId: 'req-1',
  decisionId: 'd'.repeat(64),
  principal: { iss: 'https://idp.test', sub: 'alice', groups: ['eng', 'ml'], tenant: 'acme' },
};
const pem = (type: 'ed25519' | 'ec' | 'rsa') => {
  const options = type === 'ec' ? { namedCurve: 'P-256' } : type === 'rsa' ? { modulusLength: 2048 } : {};
  return (generateKeyPairSync as (t: string, o: object) => { privateKey: { export(o: object): string | Buffer } })(
    type,
    options,
  )
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();
};

describe('upstream headers by kind', () => {
  it('sends Bearer to openai kinds and gateways, x-api-key + anthropic-version to anthropic, configured headers beside', async () => {
    const openai = upstreamSettings({
      name: 'o',
      kind: 'openai',
      credential: 'sk-o',
      headers: { 'openai-organization': 'org-1' },
    });
    const compatible = upstreamSettings({ name: 'v', credential: null });
    const anthropic = upstreamSettings({
      name: 'an',
      kind: 'anthropic',
      apis: ['anthropic'],
      credential: 'sk-ant',
      anthropicVersion: '2023-06-01',
    });
    const registry = registryOf([openai, compatible, anthropic]);
    expect((await registry.target(openai, context)).headers).toEqual({
      authorization: 'Bearer sk-o',
      'openai-organization': 'org-1',
    });
    expect((await registry.target(compatible, context)).headers).toEqual({});
    expect((await registry.target(anthropic, context)).headers).toEqual({
      'x-api-key': 'sk-ant',
      'anthropic-version': '2023-06-01',
    });
    expect(await registry.target(openai, context)).toMatchObject({
      name: 'o',
      baseUrl: 'http://up.test/v1',
      timeouts: openai.timeouts,
    });
  });

  it('sends a gateway the decision id, and no attribution headers to other kinds', async () => {
    const gateway = upstreamSettings({
      name: 'gw',
      kind: 'gateway',
      credential: 'gw-key',
      gateway: {
        decisionId: true,
        assertion: false,
        subjectHeader: 'x-litellm-end-user-id',
        product: 'generic',
        servedBy: {},
      },
    });
    const quiet = upstreamSettings({
      name: 'gw2',
      kind: 'gateway',
      credential: null,
      gateway: { decisionId: false, assertion: false, subjectHeader: null, product: 'generic', servedBy: {} },
    });
    const registry = registryOf([gateway, quiet]);
    expect((await registry.target(gateway, context)).headers).toEqual({
      authorization: 'Bearer gw-key',
      'x-proctor-decision-id': context.decisionId,
      'x-litellm-end-user-id': 'alice',
    });
    expect((await registry.target(quiet, context)).headers).toEqual({});
    expect(registry.jwks).toBeNull();
  });

  it('refuses to build a registry where a gateway wants assertions and no key is configured', () => {
    const gateway = upstreamSettings({
      name: 'gw',
      kind: 'gateway',
      gateway: { decisionId: true, assertion: true, subjectHeader: null, product: 'generic', servedBy: {} },
    });
    expect(() => registryOf([gateway])).toThrow(UpstreamConfigError);
  });
});

describe('identity assertions', () => {
  it.each([
    ['ed25519', 'EdDSA'],
    ['ec', 'ES256'],
  ] as const)('signs with a %s key (%s) and verifies against the published JWKS', async (type, alg) => {
    const now = new Date('2026-03-01T12:00:00Z');
    const signer = await createAssertionSigner({
      issuer: 'https://proctor.test',
      privateKeyPem: pem(type),
      ttlSeconds: 60,
      now: () => now,
    });
    const gateway = upstreamSettings({
      name: 'litellm',
      kind: 'gateway',
      gateway: { decisionId: true, assertion: true, subjectHeader: null, product: 'generic', servedBy: {} },
    });
    const registry = registryOf([gateway], {}, signer);
    const first = (await registry.target(gateway, context)).headers['x-proctor-assertion'] ?? '';
    const second = (await registry.target(gateway, context)).headers['x-proctor-assertion'] ?? '';
    expect(registry.jwks?.keys).toHaveLength(1);
    expect(JSON.stringify(registry.jwks)).not.toMatch(/"d":/); // public only
    expect(decodeProtectedHeader(first)).toEqual({ alg, kid: signer.kid, typ: ASSERTION_TYP });
    const { payload } = await jwtVerify(first, createLocalJWKSet(registry.jwks as { keys: [] }), {
      issuer: 'https://proctor.test',
      audience: 'litellm',
      algorithms: [alg],
      typ: ASSERTION_TYP,
      currentDate: now,
    });
    expect(payload).toMatchObject({
      sub: 'alice',
      idp_iss: 'https://idp.test',
      groups: ['eng', 'ml'],
      tenant: 'acme',
      proctor_decision_id: context.decisionId,
      proctor_request_id: 'req-1',
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(60);
    const { payload: again } = await jwtVerify(second, createLocalJWKSet(registry.jwks as { keys: [] }), {
      audience: 'litellm',
      currentDate: now,
    });
    expect(again.jti).not.toBe(payload.jti);
    // another gateway cannot replay it: the audience is this upstream's name
    await expect(
      jwtVerify(first, createLocalJWKSet(registry.jwks as { keys: [] }), { audience: 'portkey', currentDate: now }),
    ).rejects.toThrow();
    await expect(
      jwtVerify(first, createLocalJWKSet(registry.jwks as { keys: [] }), {
        audience: 'litellm',
        currentDate: new Date(now.getTime() + 61_000),
      }),
    ).rejects.toThrow();
  });

  it('refuses keys of other types, unreadable keys, and lifetimes over 60 seconds', async () => {
    await expect(createAssertionSigner({ issuer: 'p', privateKeyPem: pem('rsa'), ttlSeconds: 60 })).rejects.toThrow(
      AssertionKeyError,
    );
    await expect(
      createAssertionSigner({ issuer: 'p', privateKeyPem: 'not a key', ttlSeconds: 60 }),
    ).rejects.toMatchObject({ code: 'ERR_ASSERTION_KEY' });
    await expect(createAssertionSigner({ issuer: 'p', privateKeyPem: pem('ed25519'), ttlSeconds: 61 })).rejects.toThrow(
      /1\.\.60/,
    );
  });
});
