// `proctor verify` arguments: flags, trust (PEM files, keyring files, bare fingerprints), the checkpoint sink and
// the state file. Every bad input is a VerifyUsageError naming the flag and what was wrong (exit 2).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { keyWindows as keyringWindows, kidOf, parseKeyring } from '../ledger/index.ts';
import { checkWitnessArgs, witnessArg } from './verify-witness-args.ts';
import type { Keyring, KeyWindow, SignatureMode, StreamEntry } from '../ledger/index.ts';

export class VerifyUsageError extends Error {}

export interface VerifyArgs {
  db: string | undefined;
  pglite: string | undefined;
  /** A positional argument: an evidence packet (`*.tar.gz`). */
  packet: string | undefined;
  trust: string[];
  chains: string[];
  checkpoints: string[];
  state: string | undefined;
  signatures: SignatureMode;
  sampleSeed: string | undefined;
  workers: number | undefined;
  progress: boolean;
  json: boolean;
  /** Pinned witness verifier keys (--witness), the URLs to ask them at (--witness-url, in the same order), the quorum. */
  witnesses: string[];
  witnessUrls: string[];
  witnessQuorum: number | undefined;
}

export interface TrustInput {
  pems: string[];
  fingerprints: string[];
  windows: Map<string, KeyWindow>;
}

const FINGERPRINT = /^ed25519:[0-9a-f]{64}$/;

export function parseVerifyArgs(args: string[], env: Record<string, string | undefined>): VerifyArgs {
  const out: VerifyArgs = {
    db: undefined, pglite: undefined, packet: undefined, trust: [], chains: [], checkpoints: [], state: undefined,
    signatures: 'all', sampleSeed: undefined, workers: undefined, progress: false, json: false,
    witnesses: [], witnessUrls: [], witnessQuorum: undefined,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined || v === '' || (inline === undefined && v.startsWith('--'))) throw new VerifyUsageError(`${flag} needs a value`);
      return v;
    };
    const noValue = () => {
      if (inline !== undefined) throw new VerifyUsageError(`${flag} takes no value`);
    };
    switch (flag) {
      case '--db':
        out.db = value();
        break;
      case '--pglite':
        out.pglite = value();
        break;
      case '--trust':
        out.trust.push(value());
        break;
      case '--chain':
        out.chains.push(value());
        break;
      case '--checkpoints':
        out.checkpoints.push(value());
        break;
      case '--state':
        out.state = value();
        break;
      case '--signatures': {
        const v = value();
        if (v !== 'all' && v !== 'sample' && v !== 'checkpoints') throw new VerifyUsageError(`--signatures must be all, sample or checkpoints, not ${JSON.stringify(v)}`);
        out.signatures = v;
        break;
      }
      case '--sample-seed': {
        const v = value();
        if (!/^[0-9a-f]{8,64}$/.test(v)) throw new VerifyUsageError('--sample-seed must be 8 to 64 lowercase hex digits');
        out.sampleSeed = v;
        break;
      }
      case '--workers': {
        const v = value();
        if (!/^[0-9]{1,2}$/.test(v) || Number(v) > 64) throw new VerifyUsageError('--workers must be a whole number from 0 (no worker threads) to 64');
        out.workers = Number(v);
        break;
      }
      case '--progress':
        noValue();
        out.progress = true;
        break;
      case '--json':
        noValue();
        out.json = true;
        break;
      case '--witness':
      case '--witness-url':
      case '--witness-quorum':
        witnessArg(out, flag, value());
        break;
      default:
        if (!flag.startsWith('-') && out.packet === undefined) {
          out.packet = flag;
          break;
        }
        throw new VerifyUsageError(`unknown argument ${flag}`);
    }
  }
  checkWitnessArgs(out);
  if (out.sampleSeed !== undefined && out.signatures !== 'sample') throw new VerifyUsageError('--sample-seed needs --signatures sample');
  if (out.db !== undefined && out.pglite !== undefined) throw new VerifyUsageError('--db and --pglite exclude each other');
  if (out.packet !== undefined) {
    if (out.db !== undefined || out.pglite !== undefined || out.checkpoints.length > 0) throw new VerifyUsageError('a packet is verified on its own: no --db, --pglite or --checkpoints with it');
    return out;
  }
  if (out.pglite !== undefined) {
    if (!existsSync(path.join(out.pglite, 'PG_VERSION'))) throw new VerifyUsageError(`--pglite: no database in ${out.pglite}`);
    return out;
  }
  // A checkpoint stream alone is verified without a database (only when no database is named explicitly).
  if (out.db === undefined && out.checkpoints.length > 0) return out;
  out.db ??= env.DATABASE_URL;
  if (out.db === undefined) throw new VerifyUsageError('--db (or $DATABASE_URL), --pglite, --checkpoints or a packet file is required');
  if (!/^postgres(ql)?:\/\//.test(out.db)) throw new VerifyUsageError('--db must be a postgres:// URL');
  return out;
}

/**
 * Each --trust is a bare fingerprint (`ed25519:<hex>`), a file of PEM public keys, or a keyring (JSON,
 * docs/ledger.md) whose validity windows are enforced.
 */
export function readTrust(values: string[]): TrustInput {
  const out: TrustInput = { pems: [], fingerprints: [], windows: new Map() };
  for (const value of values) {
    if (value.startsWith('ed25519:')) {
      if (!FINGERPRINT.test(value)) throw new VerifyUsageError(`--trust: ${value} is not a key fingerprint (ed25519: and 64 lowercase hex digits)`);
      out.fingerprints.push(value);
      continue;
    }
    let text: string;
    try {
      text = readFileSync(value, 'utf8');
    } catch (cause) {
      throw new VerifyUsageError(`--trust: cannot read ${value} (give a PEM file, a keyring file or a fingerprint ed25519:<hex>)`, { cause });
    }
    if (text.trimStart().startsWith('{')) {
      let keyring: Keyring;
      try {
        keyring = parseKeyring(text);
      } catch (err) {
        throw new VerifyUsageError(`--trust: ${value} is not a valid keyring (${err instanceof Error ? err.message : 'invalid'})`);
      }
      for (const [kid, w] of keyringWindows(keyring)) out.windows.set(kid, w);
      out.pems.push(...keyring.keys.map((k) => k.public_key_pem));
      continue;
    }
    const pems = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g) ?? [];
    if (pems.length === 0) throw new VerifyUsageError(`--trust: ${value} holds no PEM public key`);
    for (const pem of pems) {
      try {
        kidOf(pem);
      } catch (cause) {
        throw new VerifyUsageError(`--trust: ${value} holds a key that is not an Ed25519 public key`, { cause });
      }
    }
    out.pems.push(...pems);
  }
  return out;
}

/** A checkpoint sink: one JSON object per line, { chain, note, tree_size?, root?, … }. */
export function readCheckpointSink(file: string): StreamEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new VerifyUsageError(`--checkpoints: cannot read ${file}`, { cause });
  }
  const out: StreamEntry[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch (cause) {
      throw new VerifyUsageError(`--checkpoints: ${file} line ${i + 1} is not JSON`, { cause });
    }
    const { chain, note, tree_size: size, root } = (entry ?? {}) as { chain?: unknown; note?: unknown; tree_size?: unknown; root?: unknown };
    if (typeof chain !== 'string' || typeof note !== 'string') throw new VerifyUsageError(`--checkpoints: ${file} line ${i + 1} has no chain and note`);
    out.push({
      chain,
      note,
      ...(typeof size === 'number' ? { tree_size: size } : {}),
      ...(typeof root === 'string' ? { root } : {}),
      where: `${path.basename(file)}:${i + 1}`,
    });
  });
  return out;
}
