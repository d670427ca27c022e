// Token forgery kit for the identity attack suite: hand-built compact JWS (any header and payload text, so duplicate
// members, 1e309 and padding can be expressed), HMAC confusion tokens, and DPoP proofs.
import { createHash, webcrypto } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey, JWK } from 'jose';

export const b64u = (text: string | Uint8Array) => Buffer.from(text).toString('base64url');

/** An ES256 compact JWS over exactly these header and payload texts. */
export async function signRaw(headerText: string, payloadText: string, key: CryptoKey): Promise<string> {
  const input = `${b64u(headerText)}.${b64u(payloadText)}`;
  const signature = await webcrypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    key as webcrypto.CryptoKey,
    Buffer.from(input),
  );
  return `${input}.${b64u(new Uint8Array(signature))}`;
}

/** HS256 over the claims, keyed with `secret` (e.g. the issuer's public key text: the classic confusion). */
export async function signHmac(claims: Record<string, unknown>, header: Record<string, unknown>, secret: string) {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', ...header }).sign(new TextEncoder().encode(secret));
}

export interface ClientKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  jkt: string;
}

export async function clientKey(): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk) };
}

export interface ProofOptions {
  token: string;
  htm?: string;
  htu?: string;
  iat: number;
  jti?: string;
  ath?: string | null;
  header?: Record<string, unknown>;
}

export async function dpopProof(key: ClientKey, o: ProofOptions): Promise<string> {
  const ath = o.ath === undefined ? createHash('sha256').update(o.token).digest('base64url') : o.ath;
  return new SignJWT({
    htm: o.htm ?? 'POST',
    htu: o.htu ?? 'https://proctor.test/v1/chat/completions',
    iat: o.iat,
    jti: o.jti ?? crypto.randomUUID(),
    ...(ath === null ? {} : { ath }),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.publicJwk, ...o.header })
    .sign(key.privateKey);
}

/** Headers of a DPoP request to POST https://proctor.test/v1/chat/completions, as the transport passes them. */
export function dpopHeaders(token: string, proof: string | undefined, scheme = 'DPoP') {
  return {
    authorization: [`${scheme} ${token}`],
    ...(proof === undefined ? {} : { dpop: [proof] }),
    host: ['proctor.test'],
    ':method': 'POST',
    ':path': '/v1/chat/completions?x=1',
  };
}
