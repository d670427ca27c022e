// The evidence packet format (docs/auditing.md "Evidence packets"): file names, the manifest (schemas/
// evidence-manifest.v1.json, canonical JSON) and its detached Ed25519 signature in manifest.sig. The signature
// covers UTF-8("proctor/evidence-manifest/v1\n") ‖ the exact bytes of manifest.json, and manifest.json names the
// SHA-256 of every other file, so one signature binds the whole packet to the exporter's key.
import { createPublicKey, hash as digest, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import manifestSchema from '../../schemas/evidence-manifest.v1.json' with { type: 'json' };
import { canonicalize, kidOf, parseCanonical, publicKeyFromPem } from '../ledger/index.ts';
import type { RecordType } from '../ledger/index.ts';

export const PACKET_FILES = {
  manifest: 'manifest.json',
  signature: 'manifest.sig',
  records: 'records.jsonl',
  proofs: 'proofs.jsonl',
  checkpoints: 'checkpoints.jsonl',
  consistency: 'consistency.jsonl',
  keyring: 'keyring.json',
  policies: 'policies.json',
  report: 'report.html',
} as const;

/** Bundles ride in policies/<sha256>.tar.gz. */
export const bundlePath = (sha256: string) => `policies/${sha256}.tar.gz`;

export interface PacketQuery {
  subjects: string[];
  groups: string[];
  tenants: string[];
  clients: string[];
  request_ids: string[];
  /** RFC 3339, inclusive. */
  from: string | null;
  /** RFC 3339, exclusive. */
  to: string | null;
  decision: 'allow' | 'deny' | null;
  /** A revision, a bundle sha256, or revision@sha256:<hex>. */
  policy_versions: string[];
  types: RecordType[];
  until_checkpoint: boolean;
}

/** How the records were selected, signed with the rest of the manifest: by their signed content (never by the
 * unsigned columns beside them), after every row of every scanned chain was checked against its bytes. */
export interface PacketSelection {
  basis: 'signed-content';
  /** Each chain read, whole: its first stored seq and how many contiguous records were checked and matched. */
  scanned: { chain: string; first_seq: number; records: number }[];
}

export interface PacketCounts {
  records: number;
  decisions: number;
  allowed: number;
  denied: number;
  /** Allowed decisions whose request was redacted before forwarding. */
  redacted: number;
  outcomes: number;
  other: number;
  chains: number;
  checkpoints: number;
  /** Records that matched but were newer than the chain's latest checkpoint (only with --until-checkpoint). */
  excluded_uncheckpointed: number;
}

export interface PacketChain {
  chain: string;
  records: number;
  first_ts: string | null;
  last_ts: string | null;
  /** The tree size of the newest checkpoint of this chain in the packet. */
  checkpoint_size: number;
}

export interface PacketFile {
  path: string;
  sha256: string;
  bytes: number;
}

export interface PacketManifest {
  v: 1;
  kind: 'proctor-evidence-packet';
  exported_at: string;
  exported_by: string;
  exporter: { kid: string; public_key_pem: string };
  query: PacketQuery;
  /** Absent in packets exported before selection was by content. */
  selection?: PacketSelection;
  counts: PacketCounts;
  chains: PacketChain[];
  files: PacketFile[];
}

/** One line of proofs.jsonl: the record at (chain, seq) is leaf seq of the tree of tree_size. */
export interface InclusionEntry {
  chain: string;
  seq: number;
  hash: string;
  tree_size: number;
  proof: string[];
}

export interface CheckpointEntry {
  chain: string;
  tree_size: number;
  root: string;
  note: string;
}

export interface ConsistencyEntry {
  chain: string;
  from_size: number;
  to_size: number;
  proof: string[];
}

export interface PolicyEntry {
  revision: string;
  sha256: string;
  decisions: number;
  /** Path of the bundle in the packet, or null when only its manifest (revision + sha256) is included. */
  bundle: string | null;
}

const DOMAIN = 'proctor/evidence-manifest/v1\n';

export function fileEntry(path: string, data: Uint8Array): PacketFile {
  return { path, sha256: sha256Hex(data), bytes: data.length };
}

export function sha256Hex(data: Uint8Array): string {
  return digest('sha256', data, 'hex');
}

function message(manifestBytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(DOMAIN, 'utf8'), manifestBytes]);
}

/** The manifest's bytes and its manifest.sig, signed with the exporter's private key. */
export function signManifest(
  manifest: PacketManifest,
  exporterKey: KeyObject,
): { manifest: Uint8Array; signature: Uint8Array } {
  const problem = manifestProblem(manifest);
  if (problem !== null) throw new Error(`the manifest fails evidence-manifest.v1: ${problem}`);
  const bytes = canonicalize(manifest);
  const sig = sign(null, message(bytes), exporterKey).toString('base64url');
  return { manifest: bytes, signature: canonicalize({ alg: 'Ed25519', kid: manifest.exporter.kid, sig }) };
}

export type ManifestCheck =
  | { ok: true; manifest: PacketManifest }
  | {
      ok: false;
      code: 'PACKET_MALFORMED' | 'PACKET_MANIFEST_SIGNATURE_INVALID';
      why: string;
      manifest: PacketManifest | null;
    };

/** Parses manifest.json and checks manifest.sig against the exporter key it names (trust is decided by the caller). */
export function openManifest(manifestBytes: Uint8Array, signatureBytes: Uint8Array): ManifestCheck {
  let manifest: PacketManifest;
  try {
    manifest = parseCanonical(manifestBytes) as unknown as PacketManifest;
  } catch {
    // Each failure below is a verdict the caller reports by code, not an error to propagate.
    return {
      ok: false,
      code: 'PACKET_MALFORMED',
      why: 'manifest.json is not canonical JSON (RFC 8785)',
      manifest: null,
    };
  }
  const problem = manifestProblem(manifest);
  if (problem !== null)
    return {
      ok: false,
      code: 'PACKET_MALFORMED',
      why: `manifest.json fails evidence-manifest.v1: ${problem}`,
      manifest: null,
    };
  let key: KeyObject;
  try {
    key = publicKeyFromPem(manifest.exporter.public_key_pem);
    if (kidOf(manifest.exporter.public_key_pem) !== manifest.exporter.kid) throw new Error('kid');
  } catch {
    // Not Ed25519 or another kid: both are this verdict.
    return {
      ok: false,
      code: 'PACKET_MANIFEST_SIGNATURE_INVALID',
      why: 'the exporter key in manifest.json is not an Ed25519 key matching its kid',
      manifest,
    };
  }
  let sig: { alg?: unknown; kid?: unknown; sig?: unknown };
  try {
    sig = JSON.parse(Buffer.from(signatureBytes).toString('utf8')) as typeof sig;
  } catch {
    // The verdict is the report; the parser's message would only quote the file.
    return { ok: false, code: 'PACKET_MANIFEST_SIGNATURE_INVALID', why: 'manifest.sig is not JSON', manifest };
  }
  const raw = typeof sig.sig === 'string' ? Buffer.from(sig.sig, 'base64url') : Buffer.alloc(0);
  if (
    sig.alg !== 'Ed25519' ||
    sig.kid !== manifest.exporter.kid ||
    raw.length !== 64 ||
    !verify(null, message(manifestBytes), key, raw)
  ) {
    return {
      ok: false,
      code: 'PACKET_MANIFEST_SIGNATURE_INVALID',
      why: 'manifest.sig does not verify under the exporter key named in manifest.json',
      manifest,
    };
  }
  return { ok: true, manifest };
}

let validator: ValidateFunction | undefined;

export function manifestProblem(value: unknown): string | null {
  validator ??= new Ajv2020({ strict: true, allowUnionTypes: true }).compile(manifestSchema);
  if (validator(value)) return null;
  const first = validator.errors?.[0];
  return first ? `${first.instancePath || '/'} ${first.message ?? 'is invalid'}` : 'is invalid';
}

/** An exporter's private key: PKCS#8 PEM Ed25519. */
export function exporterIdentity(privateKey: KeyObject): { kid: string; public_key_pem: string } {
  const pem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { kid: kidOf(pem), public_key_pem: pem };
}
