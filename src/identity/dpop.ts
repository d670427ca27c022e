// Sender-constrained tokens (RFC 9449): a token bound to a key by `cnf.jkt` is accepted only with
// `Authorization: DPoP` and a fresh proof signed by that key for this request (htm, htu, ath), seen once.
// Invariants: a bound token without a valid proof, a proof for another key, method, URL or token, a stale proof and
// a replayed `jti` are all ERR_TOKEN_DPOP; the replay store is bounded and, when full of live entries, refuses
// (fail closed) rather than forget. The store is per process: documented in docs/identity.md.

import { hash } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from 'jose';
import type { JWK } from 'jose';
import { cleanString } from './claims.ts';
import type { ResolvedIssuer } from './config.ts';
import { IdentityError } from './errors.ts';
import { decodeCompact } from './jwt-checks.ts';
import type { CarriedToken } from './token-carrier.ts';

const MAX_PROOF_LENGTH = 8192;
const MAX_REPLAY_ENTRIES = 100_000;

function refuse(message: string, cause?: unknown): IdentityError {
  return new IdentityError('ERR_TOKEN_DPOP', message, cause === undefined ? undefined : { cause });
}

/** The `cnf.jkt` a token is bound to, or undefined; a `cnf` of another shape is refused. */
export function boundThumbprint(claims: Readonly<Record<string, unknown>>): string | undefined {
  if (!Object.hasOwn(claims, 'cnf')) return undefined;
  const cnf = claims['cnf'];
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) throw refuse('token cnf is not an object');
  const jkt = (cnf as Record<string, unknown>)['jkt'];
  // x5t#S256 (mTLS-bound, RFC 8705) cannot be checked behind a TLS terminator: refused rather than ignored.
  if (typeof jkt !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(jkt)) throw refuse('token cnf has no usable jkt');
  return jkt;
}

export interface DpopVerifier {
  /** MUST throw ERR_TOKEN_DPOP unless the request's proof binds it to `jkt` (or the token is unbound and allowed). */
  check(carried: CarriedToken, jkt: string | undefined, config: ResolvedIssuer, nowSeconds: number): Promise<void>;
}

function targetOf(carried: CarriedToken): { method: string; path: string } {
  if (carried.method === undefined || carried.path === undefined) throw refuse('the request line is not known');
  const query = carried.path.search(/[?#]/);
  return { method: carried.method, path: query < 0 ? carried.path : carried.path.slice(0, query) };
}

function checkHtu(htu: unknown, carried: CarriedToken, config: ResolvedIssuer): void {
  const { path } = targetOf(carried);
  if (typeof htu !== 'string' || !URL.canParse(htu)) throw refuse('proof htu is not a URL');
  const url = new URL(htu);
  const originOk =
    config.dpop.origins.length > 0
      ? config.dpop.origins.includes(url.origin)
      : (url.protocol === 'https:' || url.protocol === 'http:') &&
        carried.host !== undefined &&
        url.host === new URL(`http://${carried.host}`).host;
  if (!originOk || url.pathname !== new URL(path, 'http://x').pathname) throw refuse('proof htu is not this request');
}

export function createDpopVerifier(): DpopVerifier {
  const seen = new Map<string, number>(); // jkt:jti → second after which it may be forgotten

  function remember(key: string, until: number, now: number): void {
    if (seen.has(key)) throw refuse('proof jti was already used');
    if (seen.size >= MAX_REPLAY_ENTRIES) {
      for (const [k, expiry] of seen) if (expiry < now) seen.delete(k);
      if (seen.size >= MAX_REPLAY_ENTRIES) throw refuse('too many live proofs to check for replay');
    }
    seen.set(key, until);
  }

  async function check(carried: CarriedToken, jkt: string | undefined, config: ResolvedIssuer, now: number) {
    if (jkt === undefined) {
      if (config.dpop.required) throw refuse('this issuer requires DPoP-bound tokens');
      if (carried.scheme === 'dpop') throw refuse('a DPoP scheme with a token that is not DPoP-bound');
      return;
    }
    if (carried.scheme !== 'dpop') throw refuse('a DPoP-bound token must be sent with the DPoP scheme');
    const proof = carried.proof;
    if (proof === undefined || proof.length > MAX_PROOF_LENGTH) throw refuse('no usable DPoP proof');
    let header: Record<string, unknown>;
    try {
      header = decodeCompact(proof).header;
    } catch (error) {
      throw refuse('DPoP proof is malformed', error);
    }
    if (Object.hasOwn(header, 'jku') || Object.hasOwn(header, 'x5u') || Object.hasOwn(header, 'x5c')) {
      throw refuse('DPoP proof names a remote key');
    }
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: config.dpop.algorithms }));
    } catch (error) {
      throw refuse('DPoP proof signature or header is invalid', error);
    }
    if ((await calculateJwkThumbprint(header['jwk'] as JWK, 'sha256')) !== jkt)
      throw refuse('proof key is not the bound key');
    const { method } = targetOf(carried);
    if (payload['htm'] !== method) throw refuse('proof htm is not this request');
    checkHtu(payload['htu'], carried, config);
    const ath = hash('sha256', Buffer.from(carried.token, 'ascii'), 'base64url');
    if (payload['ath'] !== ath) throw refuse('proof ath is not this token');
    const iat = payload['iat'];
    const window = config.dpop.proofMaxAgeSeconds + config.clockSkewSeconds;
    if (typeof iat !== 'number' || !Number.isSafeInteger(iat) || Math.abs(now - iat) > window) {
      throw refuse('proof iat is outside the accepted window');
    }
    const jti = cleanString(payload['jti'], 'jti', 256);
    remember(`${jkt}:${jti}`, iat + window, now);
  }

  return {
    check: async (carried, jkt, config, now) => {
      try {
        await check(carried, jkt, config, now);
      } catch (error) {
        throw error instanceof IdentityError && error.code === 'ERR_TOKEN_DPOP'
          ? error
          : refuse('invalid proof', error);
      }
    },
  };
}
