// The identity assertion Proctor hands an upstream gateway: a short-lived JWS (EdDSA or ES256, by the key's type)
// saying who the request is for and which decision record allowed it, so the gateway can attribute spend without
// seeing the user's token. Invariants: exp - iat <= 60 s; aud is exactly one upstream's name; every assertion has a
// fresh jti; the claims are identity and ids only, never prompt content. The public key is published as a JWKS.
import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, SignJWT, type JWK } from 'jose';

export const ASSERTION_TYP = 'proctor-assertion+jwt';
export const MAX_ASSERTION_TTL_SECONDS = 60;

export interface AssertionSubject {
  /** The user's issuer and subject, as identity verified them. */
  iss: string;
  sub: string;
  groups: readonly string[];
  tenant: string | null;
}

export interface AssertionContext {
  principal: AssertionSubject;
  decisionId: string;
  requestId: string;
  /** The upstream the assertion is for (its `aud`). */
  audience: string;
}

export interface AssertionSigner {
  readonly alg: 'EdDSA' | 'ES256';
  readonly kid: string;
  /** The public key set a gateway verifies assertions with. */
  readonly jwks: { keys: JWK[] };
  sign(context: AssertionContext): Promise<string>;
}

export class AssertionKeyError extends Error {
  readonly code = 'ERR_ASSERTION_KEY';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AssertionKeyError';
  }
}

export async function createAssertionSigner(options: {
  issuer: string;
  privateKeyPem: string;
  ttlSeconds: number;
  now?: () => Date;
}): Promise<AssertionSigner> {
  if (
    !Number.isInteger(options.ttlSeconds) ||
    options.ttlSeconds < 1 ||
    options.ttlSeconds > MAX_ASSERTION_TTL_SECONDS
  ) {
    throw new AssertionKeyError(`assertion lifetime must be 1..${MAX_ASSERTION_TTL_SECONDS} seconds`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(options.privateKeyPem);
  } catch (cause) {
    throw new AssertionKeyError('the assertion signing key is not a readable PKCS#8 PEM private key', { cause });
  }
  const alg = algorithmFor(key);
  const publicJwk = createPublicKey(key).export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const jwk: JWK = { ...publicJwk, kid, alg, use: 'sig' };
  const now = options.now ?? (() => new Date());
  return {
    alg,
    kid,
    jwks: { keys: [jwk] },
    async sign(context) {
      const iat = Math.floor(now().getTime() / 1000);
      return new SignJWT({
        idp_iss: context.principal.iss,
        groups: [...context.principal.groups],
        tenant: context.principal.tenant,
        proctor_decision_id: context.decisionId,
        proctor_request_id: context.requestId,
      })
        .setProtectedHeader({ alg, kid, typ: ASSERTION_TYP })
        .setIssuer(options.issuer)
        .setSubject(context.principal.sub)
        .setAudience(context.audience)
        .setIssuedAt(iat)
        .setExpirationTime(iat + options.ttlSeconds)
        .setJti(randomUUID())
        .sign(key);
    },
  };
}

function algorithmFor(key: KeyObject): 'EdDSA' | 'ES256' {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const given = `${key.asymmetricKeyType ?? 'unknown'}${curve ? ` (${curve})` : ''}`;
  throw new AssertionKeyError(`the assertion signing key must be Ed25519 or P-256, not ${given}`);
}
