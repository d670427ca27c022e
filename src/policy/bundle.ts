// Loads an OPA wasm bundle (tar.gz: .manifest, policy.wasm, optional data.json) into a PolicyEngine.
// Every problem MUST surface as PolicyError ERR_POLICY_BUNDLE_INVALID naming what is wrong; nothing is skipped:
// unknown data files are refused rather than ignored. The wasm gets a bounded memory and no outbound capability.
import { hash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { createPolicyEngine } from './engine.ts';
import { PolicyError } from './errors.ts';
import type { PolicyEngine } from './types.ts';
import { readTarGz, UstarError } from './ustar.ts';

/** Bundles larger than this (compressed) are refused before decompression. */
const MAX_BUNDLE_BYTES = 32 * 1024 * 1024;
/** 64 KiB wasm pages: start at 320 KiB, never grow past 32 MiB (an input that needs more is an evaluation deny). */
const WASM_MEMORY = { initial: 5, maximum: 512 } as const;
const MAX_REVISION_LENGTH = 256;

interface Manifest {
  revision: string;
  entrypoint: string;
}

export async function loadPolicyBundle(path: string): Promise<PolicyEngine> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw invalid(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  return loadPolicyBundleBytes(bytes);
}

/** The same as loadPolicyBundle, for a bundle already in memory (e.g. fetched from a URL and verified). */
export async function loadPolicyBundleBytes(bytes: Uint8Array): Promise<PolicyEngine> {
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

  const manifest = parseManifest(required(files, '.manifest'));
  const wasm = required(files, 'policy.wasm');
  const data = parseData(files);

  let policy: Awaited<ReturnType<typeof loadPolicy>>;
  try {
    policy = await loadPolicy(wasm, { ...WASM_MEMORY });
    if (data !== undefined) policy.setData(data);
  } catch (err) {
    throw invalid(`policy.wasm does not load: ${describe(err)}`, err);
  }
  const entrypoints: unknown = policy.entrypoints;
  if (typeof entrypoints !== 'object' || entrypoints === null || !Object.hasOwn(entrypoints, manifest.entrypoint)) {
    throw invalid(`policy.wasm has no entrypoint ${manifest.entrypoint}`);
  }
  return createPolicyEngine(policy, manifest.entrypoint, { revision: manifest.revision, sha256 });
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
  // OPA lists one entry per entrypoint; the first one is the decision entrypoint.
  const first: unknown = wasm[0];
  if (!isRecord(first) || typeof first.entrypoint !== 'string' || first.entrypoint === '') {
    throw invalid('.manifest wasm[0] has no entrypoint');
  }
  if (first.module !== '/policy.wasm') throw invalid('.manifest wasm[0] module is not /policy.wasm');
  return { revision, entrypoint: first.entrypoint };
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
