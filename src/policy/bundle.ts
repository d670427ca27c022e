// Opens an OPA wasm bundle (tar.gz: .manifest, policy.wasm, optional data.json and .signatures.json, sources) and
// loads it into a PolicyEngine. Every problem MUST surface as a PolicyError naming what is wrong; nothing is skipped:
// unknown data files are refused rather than ignored. With a verification key the signature is checked before the
// wasm is compiled. The wasm gets a bounded memory and no outbound capability.
import { hash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { createPolicyEngine } from './engine.ts';
import { PolicyError } from './errors.ts';
import { SIGNATURES_FILE, verifyBundleSignature } from './signature.ts';
import { fastEvaluator } from './wasm-eval.ts';
import type { VerificationKey, VerifiedSignature } from './signature.ts';
import type { PolicyEngine } from './types.ts';
import { readTarGz, UstarError } from '../tar/index.ts';

/** Bundles larger than this (compressed) are refused before decompression. */
export const MAX_BUNDLE_BYTES = 32 * 1024 * 1024;
/** 64 KiB wasm pages: start at 320 KiB, never grow past 32 MiB (an input that needs more is an evaluation deny). */
const WASM_MEMORY = { initial: 5, maximum: 512 } as const;
const MAX_REVISION_LENGTH = 256;

export interface BundleOptions {
  /** When set, the bundle MUST carry a valid signature by this key. */
  verificationKey?: VerificationKey | null;
}

export interface Manifest {
  revision: string;
  entrypoint: string;
  /** Every entrypoint the manifest lists (the first one decides). */
  entrypoints: string[];
}

export type SignatureStatus =
  | { status: 'verified'; algorithm: string; keyid: string | null; files: number }
  | { status: 'unsigned' }
  /** Signed, but no key was given to check it with. */
  | { status: 'not_verified' };

/** A bundle whose archive, manifest, data and (with a key) signature are valid; the wasm is not compiled yet. */
export interface OpenedBundle {
  sha256: string;
  bytes: number;
  manifest: Manifest;
  files: string[];
  signature: SignatureStatus;
  wasm: Buffer;
  data: Record<string, unknown> | undefined;
}

export async function loadPolicyBundle(path: string, options: BundleOptions = {}): Promise<PolicyEngine> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new PolicyError('ERR_POLICY_BUNDLE_UNAVAILABLE', `cannot read ${path}: ${describe(err)}`, { cause: err });
  }
  return loadPolicyBundleBytes(bytes, options);
}

/** The same as loadPolicyBundle, for a bundle already in memory (e.g. fetched from a URL). */
export async function loadPolicyBundleBytes(bytes: Uint8Array, options: BundleOptions = {}): Promise<PolicyEngine> {
  return compileBundle(await openBundle(bytes, options));
}

/** Checks everything but the wasm itself: archive, manifest, data, signature. */
export async function openBundle(bytes: Uint8Array, options: BundleOptions = {}): Promise<OpenedBundle> {
  if (bytes.byteLength > MAX_BUNDLE_BYTES) {
    throw invalid(`bundle is ${bytes.byteLength} bytes; the limit is ${MAX_BUNDLE_BYTES}`);
  }
  const sha256 = hash('sha256', bytes, 'hex');
  let files: Map<string, Buffer>;
  try {
    files = readTarGz(bytes);
  } catch (err) {
    if (err instanceof UstarError) throw invalid(`bundle archive: ${err.message}`, err);
    throw err;
  }
  let signature: SignatureStatus = files.has(SIGNATURES_FILE) ? { status: 'not_verified' } : { status: 'unsigned' };
  if (options.verificationKey) {
    const verified: VerifiedSignature = await verifyBundleSignature(files, options.verificationKey);
    signature = { status: 'verified', ...verified };
  }
  const manifest = parseManifest(required(files, '.manifest'));
  const wasm = required(files, 'policy.wasm');
  const data = parseData(files);
  return { sha256, bytes: bytes.byteLength, manifest, files: [...files.keys()].sort(), signature, wasm, data };
}

export async function compileBundle(bundle: OpenedBundle): Promise<PolicyEngine> {
  let policy: Awaited<ReturnType<typeof loadPolicy>>;
  try {
    policy = await loadPolicy(bundle.wasm, { ...WASM_MEMORY });
    if (bundle.data !== undefined) policy.setData(bundle.data);
  } catch (err) {
    throw invalid(`policy.wasm does not load: ${describe(err)}`, err);
  }
  const entrypoints: unknown = policy.entrypoints;
  const { entrypoint, revision } = bundle.manifest;
  if (typeof entrypoints !== 'object' || entrypoints === null || !Object.hasOwn(entrypoints, entrypoint)) {
    throw invalid(`policy.wasm has no entrypoint ${entrypoint}`);
  }
  return createPolicyEngine(fastEvaluator(policy) ?? policy, entrypoint, { revision, sha256: bundle.sha256 });
}

function required(files: Map<string, Buffer>, name: string): Buffer {
  const file = files.get(name);
  if (file === undefined) throw invalid(`bundle has no /${name}`);
  return file;
}

function parseManifest(bytes: Buffer): Manifest {
  const manifest = parseJson(bytes, '.manifest');
  if (!isRecord(manifest)) throw invalid('.manifest is not a JSON object');
  const { revision, wasm } = manifest;
  if (typeof revision !== 'string' || revision === '' || revision.length > MAX_REVISION_LENGTH) {
    throw invalid(`.manifest revision must be a non-empty string of at most ${MAX_REVISION_LENGTH} characters`);
  }
  if (!Array.isArray(wasm) || wasm.length === 0) throw invalid('.manifest names no wasm module');
  const entrypoints: string[] = [];
  for (const entry of wasm as unknown[]) {
    if (!isRecord(entry) || typeof entry.entrypoint !== 'string' || entry.entrypoint === '') {
      throw invalid('.manifest has a wasm entry without an entrypoint');
    }
    // `opa build -t wasm` writes "/policy.wasm"; re-packing an extracted bundle with `opa build -b .` writes
    // "policy.wasm".
    if (entry.module !== '/policy.wasm' && entry.module !== 'policy.wasm') {
      throw invalid('.manifest names a wasm module other than /policy.wasm');
    }
    entrypoints.push(entry.entrypoint);
  }
  // OPA lists one entry per entrypoint; the first one is the decision entrypoint.
  return { revision, entrypoint: entrypoints[0] as string, entrypoints };
}

/** Root data.json, if any. OPA merges all data into it for wasm bundles; data anywhere else would be ignored. */
function parseData(files: Map<string, Buffer>): Record<string, unknown> | undefined {
  for (const name of files.keys()) {
    const base = name.slice(name.lastIndexOf('/') + 1);
    if (name !== 'data.json' && (base === 'data.json' || base === 'data.yaml' || base === 'data.yml')) {
      throw invalid(`bundle has data at /${name}; only /data.json is supported`);
    }
  }
  const bytes = files.get('data.json');
  if (bytes === undefined) return undefined;
  const data = parseJson(bytes, 'data.json');
  if (!isRecord(data)) throw invalid('data.json is not a JSON object');
  return data;
}

function parseJson(bytes: Buffer, name: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw invalid(`${name} is not valid JSON`, err);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(err: unknown): string {
  if (typeof err === 'string') return err;
  if (err instanceof Error) return err.message;
  if (isRecord(err) && typeof err.message === 'string') return err.message;
  return String(err);
}

function invalid(message: string, cause?: unknown): PolicyError {
  return new PolicyError('ERR_POLICY_BUNDLE_INVALID', message, cause === undefined ? undefined : { cause });
}
