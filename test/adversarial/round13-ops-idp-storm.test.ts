// Round 13 ops, an unauthenticated client against the identity stage's key fetches (src/identity/issuer-keys.ts): a
// token's header and claims are checked before the IdP is contacted, its signature after, so a made-up token naming a
// trusted issuer reaches the key fetch. A kid the key set lacks re-fetches the JWKS at most once a cooldown
// (jwks.cooldown_seconds, 30; jose's cooldownDuration). A discovery that failed was retried on every next request
// with no pause (single flight only: sequential requests each started one), so a client's flood was relayed to an IdP
// that is down or recovering, 1:1; so was a JWKS fetch that failed before any succeeded (jose keeps no key set and no
// timestamp for its cooldown). Now a failure that repeats pauses the next attempt.
// A real IdP over node:http on 127.0.0.1 (discovery and a JWKS, or 503 for everything) counting what it is asked;
// tokens made up by the test (any signature: the fetch comes first). Counted requests, not time.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuthenticator, IdentityError } from '../../src/identity/index.ts';
import type { IssuerConfig } from '../../src/identity/index.ts';

const AUDIENCE = 'https://proctor.test';
const TOKENS = 40;
const servers: Server[] = [];

interface CountingIdp {
  issuer: string;
  asked: { discovery: number; jwks: number };
}

/** An IdP on 127.0.0.1: discovery and a JWKS of one EC key (kid 'real'); 503 for every request (`down`) or for the
 * JWKS alone (`jwks-down`). */
async function startIdp(mode: 'up' | 'down' | 'jwks-down'): Promise<CountingIdp> {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'real', alg: 'ES256', use: 'sig' };
  const asked = { discovery: 0, jwks: 0 };
  let issuer = '';
  const server = createServer((req, res) => {
    const isDiscovery = req.url === '/.well-known/openid-configuration';
    if (isDiscovery) asked.discovery += 1;
    if (req.url === '/jwks') asked.jwks += 1;
    if (mode === 'down' || (mode === 'jwks-down' && req.url === '/jwks')) {
      res.writeHead(503).end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    if (isDiscovery) res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    else if (req.url === '/jwks') res.end(JSON.stringify({ keys: [jwk] }));
    else res.writeHead(404).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { issuer, asked };
}

function issuerConfig(issuer: string): IssuerConfig {
  return {
    issuer,
    audience: [AUDIENCE],
    algorithms: ['ES256'],
    clockSkewSeconds: 30,
    groupsClaim: 'groups',
    tenantClaim: null,
    allowInsecureHttp: true,
  };
}

/** A made-up ES256 token for `issuer` under `kid`, its signature 64 random bytes. */
function madeUp(issuer: string, kid: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: issuer, aud: AUDIENCE, sub: 'mallory', iat: now, exp: now + 300 };
  return `${part({ alg: 'ES256', typ: 'JWT', kid })}.${part(claims)}.${randomBytes(64).toString('base64url')}`;
}

/** TOKENS made-up tokens, one after another: the error codes seen. */
async function flood(idp: CountingIdp, kid: () => string): Promise<Set<string>> {
  const auth = createAuthenticator({ issuers: [issuerConfig(idp.issuer)], clock: { now: () => new Date() } });
  const codes = new Set<string>();
  for (let i = 0; i < TOKENS; i++) {
    const error = await auth.authenticate({ authorization: `Bearer ${madeUp(idp.issuer, kid())}` }).then(
      () => null,
      (e: unknown) => e,
    );
    codes.add(error instanceof IdentityError ? error.code : String(error));
  }
  return codes;
}

afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
});

describe('made-up tokens naming a trusted issuer, one after another', () => {
  it('control: 40 unknown kids re-fetch the JWKS at most once a cooldown', async () => {
    const idp = await startIdp('up');
    const codes = await flood(idp, () => `unknown-${randomBytes(4).toString('hex')}`);
    console.info(`unknown kids: ${JSON.stringify({ codes: [...codes], ...idp.asked })}`);
    expect(codes.has('ERR_IDP_UNAVAILABLE')).toBe(false);
    expect(idp.asked.discovery).toBe(1);
    expect(idp.asked.jwks).toBeLessThanOrEqual(2);
  }, 30_000);

  // Closed (src/identity/issuer-keys.ts createRetryPause): a failure that repeats pauses the next discovery (1 s,
  // doubling, at most the JWKS cooldown) and answers ERR_IDP_UNAVAILABLE meanwhile.
  it('40 tokens while the IdP answers 503 reach its discovery at most twice', async () => {
    const idp = await startIdp('down');
    const codes = await flood(idp, () => 'real');
    console.info(`IdP down: ${JSON.stringify({ codes: [...codes], ...idp.asked })}`);
    expect([...codes]).toEqual(['ERR_IDP_UNAVAILABLE']);
    expect(idp.asked.discovery).toBeLessThanOrEqual(2);
  }, 30_000);

  // Closed the same way for the key set (jose's own cooldown starts only at a fetch that succeeded).
  it('40 tokens while the JWKS answers 503 reach it at most twice', async () => {
    const idp = await startIdp('jwks-down');
    const codes = await flood(idp, () => 'real');
    console.info(`JWKS down: ${JSON.stringify({ codes: [...codes], ...idp.asked })}`);
    expect([...codes]).toEqual(['ERR_IDP_UNAVAILABLE']);
    expect(idp.asked.jwks).toBeLessThanOrEqual(2);
  }, 30_000);
});
