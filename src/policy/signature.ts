// Verifies an OPA bundle signature (.signatures.json: one compact JWS whose payload lists every file's digest)
// against one configured public key, with jose. Invariants: exactly one signature; the algorithm is pinned by the
// key type; every member except .signatures.json MUST be listed, every listed file MUST exist with the signed digest.
import { createPublicKey } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { compactVerify } from 'jose';
import { PolicyError } from './errors.ts';
import { hashBundleFile, isHashAlgorithm } from './opa-hash.ts';

export const SIGNATURES_FILE = '.signatures.json';

export interface VerificationKey {
  key: KeyObject;
  /** JWS algorithms this key may verify (derived from its type, never from the token). */
  algorithms: string[];
}

export interface VerifiedSignature {
  algorithm: string;
  /** The JWS header kid, or the payload keyid, or null. */
  keyid: string | null;
  files: number;
}

/** Parses a PEM SPKI public key or a public JWK (JSON). A private key is refused: configure the public half. */
export function parseVerificationKey(text: string): VerificationKey {
  let key: KeyObject;
  try {
    if (/PRIVATE KEY-----/.test(text)) throw new Error('this is a private key; configure the public key');
    key = text.trimStart().startsWith('{')
      ? createPublicKey({ key: JSON.parse(text) as JsonWebKey, format: 'jwk' })
      : createPublicKey(text);
    if (key.type !== 'public') throw new Error('not a public key');
  } catch (err) {
    throw new PolicyError(
      'ERR_POLICY_CONFIG',
      `policy.signing_key: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  return { key, algorithms: algorithmsFor(key) };
}

function algorithmsFor(key: KeyObject): string[] {
  const details = key.asymmetricKeyDetails;
  switch (key.asymmetricKeyType) {
    case 'rsa':
      if ((details?.modulusLength ?? 0) < 2048) throw config('RSA keys shorter than 2048 bits are refused');
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec': {
      const byCurve: Record<string, string> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };
      const alg = byCurve[details?.namedCurve ?? ''];
      if (alg === undefined) throw config(`unsupported EC curve ${details?.namedCurve ?? 'unknown'}`);
      return [alg];
    }
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
    default:
      throw config(`unsupported key type ${key.asymmetricKeyType ?? 'unknown'}`);
  }
}

/** Verifies `files` (every bundle member, .signatures.json included) or throws a PolicyError. */
export async function verifyBundleSignature(
  files: ReadonlyMap<string, Uint8Array>,
  key: VerificationKey,
): Promise<VerifiedSignature> {
  const raw = files.get(SIGNATURES_FILE);
  if (raw === undefined)
    throw new PolicyError(
      'ERR_POLICY_SIGNATURE_MISSING',
      `a signing key is configured and the bundle has no /${SIGNATURES_FILE}`,
    );
  const jws = parseSignatures(raw);

  let verified: Awaited<ReturnType<typeof compactVerify>>;
  try {
    verified = await compactVerify(jws, key.key, { algorithms: key.algorithms });
  } catch (err) {
    throw invalid(
      `the signature does not verify with the configured key (${err instanceof Error ? err.message : String(err)})`,
      err,
    );
  }
  const payload = parseJson(verified.payload, 'the signature payload');
  if (!isRecord(payload) || !Array.isArray(payload.files)) throw invalid('the signature payload has no files list');
  const keyid =
    typeof verified.protectedHeader.kid === 'string'
      ? verified.protectedHeader.kid
      : typeof payload.keyid === 'string'
        ? payload.keyid
        : null;

  const listed = new Set<string>();
  for (const entry of payload.files as unknown[]) {
    if (!isRecord(entry) || typeof entry.name !== 'string' || typeof entry.hash !== 'string')
      throw invalid('a files entry lacks name or hash');
    const name = entry.name.startsWith('/') ? entry.name.slice(1) : entry.name;
    const algorithm = entry.algorithm ?? 'SHA-256';
    if (typeof algorithm !== 'string' || !isHashAlgorithm(algorithm))
      throw invalid(`${name}: unsupported hash algorithm ${String(algorithm)}`);
    if (listed.has(name)) throw invalid(`${name} is listed twice in the signature`);
    listed.add(name);
    const bytes = files.get(name);
    if (bytes === undefined || name === SIGNATURES_FILE) throw invalid(`${name} is signed but not in the bundle`);
    let digest: string;
    try {
      digest = hashBundleFile(name, bytes, algorithm);
    } catch (err) {
      throw invalid(`${name} is not valid JSON`, err);
    }
    if (digest !== entry.hash.toLowerCase()) throw invalid(`${name} does not match its signed ${algorithm} digest`);
  }
  for (const name of files.keys()) {
    if (name !== SIGNATURES_FILE && !listed.has(name)) throw invalid(`${name} is in the bundle but not signed`);
  }
  return { algorithm: verified.protectedHeader.alg, keyid, files: listed.size };
}

/** { "signatures": [jws], "plugin"?: "_default" }: OPA verifies exactly one signature with its default verifier. */
function parseSignatures(raw: Uint8Array): string {
  const doc = parseJson(raw, `/${SIGNATURES_FILE}`);
  if (!isRecord(doc) || !Array.isArray(doc.signatures)) throw invalid(`/${SIGNATURES_FILE} has no signatures list`);
  if (doc.plugin !== undefined && doc.plugin !== '_default')
    throw invalid(`/${SIGNATURES_FILE} names signing plugin ${String(doc.plugin)}, which Proctor cannot verify`);
  if (doc.signatures.length !== 1)
    throw invalid(`/${SIGNATURES_FILE} must hold exactly one signature, it holds ${doc.signatures.length}`);
  const jws: unknown = doc.signatures[0];
  if (typeof jws !== 'string') throw invalid(`/${SIGNATURES_FILE} signature is not a string`);
  return jws;
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw invalid(`${what} is not valid JSON`, err);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string, cause?: unknown): PolicyError {
  return new PolicyError('ERR_POLICY_SIGNATURE_INVALID', message, cause === undefined ? undefined : { cause });
}

function config(message: string): Error {
  return new Error(message);
}
