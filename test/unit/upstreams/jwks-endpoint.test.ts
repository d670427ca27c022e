// The assertion key set at GET /.well-known/proctor-assertion-jwks.json: served (public parts only) when an assertion
// key is configured, absent otherwise. fastify's inject, no sockets.
import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { buildServer } from '../../../src/http/index.ts';
import type { RequestHandler } from '../../../src/pipeline/index.ts';
import { createAssertionSigner } from '../../../src/upstreams/index.ts';

const handler = {
  handle: async () => {
    throw new Error('no request expected');
  },
  reject: async () => {
    throw new Error('no request expected');
  },
  newRequestId: () => 'r',
} as unknown as RequestHandler;

describe('the assertion JWKS endpoint', () => {
  it('serves the public key set with its media type', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    const signer = await createAssertionSigner({ issuer: 'p', privateKeyPem: pem, ttlSeconds: 60 });
    const app = buildServer({ handler, bodyLimitBytes: 1024, assertionJwks: signer.jwks });
    const response = await app.inject({ method: 'GET', url: '/.well-known/proctor-assertion-jwks.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('application/jwk-set+json');
    const body = response.json() as { keys: Record<string, unknown>[] };
    expect(body.keys).toEqual([
      expect.objectContaining({ kty: 'EC', crv: 'P-256', kid: signer.kid, alg: 'ES256', use: 'sig' }),
    ]);
    expect(body.keys[0]).not.toHaveProperty('d');
    await app.close();
  });

  it('is absent when no assertion key is configured', async () => {
    const app = buildServer({ handler, bodyLimitBytes: 1024, assertionJwks: null });
    const response = await app.inject({ method: 'GET', url: '/.well-known/proctor-assertion-jwks.json' });
    expect(response.statusCode).toBe(404);
    await app.close();
  });
});
