// `proctor verify` arguments (`node:util` parseArgs, strict): flags, trust (PEM files, keyring files, bare
// fingerprints), the checkpoint sink and the state file. Every bad input is a CliUsageError naming the flag and what
// was wrong (exit 2).
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { keyWindows as keyringWindows, kidOf, MAX_NOTE_BYTES, parseKeyring } from '../ledger/index.ts';
import { checkWitnessArgs, witnessArg, type WitnessArgs } from './verify-witness-args.ts';
import type { Keyring, KeyWindow } from '../ledger/index.ts';
import type { SignatureMode, StreamEntry } from '../verify/index.ts';
import { CliUsageError, parseCommandLine } from './usage-error.ts';

export interface VerifyArgs extends WitnessArgs {
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
}

export interface TrustInput {
  pems: string[];
  fingerprints: string[];
  windows: Map<string, KeyWindow>;
}

const FINGERPRINT = /^ed25519:[0-9a-f]{64}$/;

const OPTIONS = {
  db: { type: 'string' },
  pglite: { type: 'string' },
  trust: { type: 'string', multiple: true },
  chain: { type: 'string', multiple: true },
  checkpoints: { type: 'string', multiple: true },
  state: { type: 'string' },
  signatures: { type: 'string' },
  'sample-seed': { type: 'string' },
  workers: { type: 'string' },
  progress: { type: 'boolean' },
  json: { type: 'boolean' },
  witness: { type: 'string', multiple: true },
  'witness-url': { type: 'string', multiple: true },
  'witness-quorum': { type: 'string' },
} as const;

export function parseVerifyArgs(args: string[], env: Record<string, string | undefined>): VerifyArgs {
  const { values, positionals } = parseCommandLine(args, OPTIONS, true);
  for (const [name, value] of Object.entries(values)) {
    const given = Array.isArray(value) ? value : [value];
    if (given.some((v) => v === '')) throw new CliUsageError(`--${name} needs a value`);
  }
  if (positionals.length > 1) throw new CliUsageError(`unknown argument ${positionals[1]}`);
  const signatures = values.signatures ?? 'all';
  if (signatures !== 'all' && signatures !== 'sample' && signatures !== 'checkpoints') {
    throw new CliUsageError(`--signatures must be all, sample or checkpoints, not ${JSON.stringify(signatures)}`);
  }
  const seed = values['sample-seed'];
  if (seed !== undefined && !/^[0-9a-f]{8,64}$/.test(seed)) {
    throw new CliUsageError('--sample-seed must be 8 to 64 lowercase hex digits');
  }
  const workers = values.workers;
  if (workers !== undefined && (!/^[0-9]{1,2}$/.test(workers) || Number(workers) > 64)) {
    throw new CliUsageError('--workers must be a whole number from 0 (no worker threads) to 64');
  }
  const out: VerifyArgs = {
    db: values.db,
    pglite: values.pglite,
    packet: positionals[0],
    trust: values.trust ?? [],
    chains: values.chain ?? [],
    checkpoints: values.checkpoints ?? [],
    state: values.state,
    signatures,
    sampleSeed: seed,
    workers: workers === undefined ? undefined : Number(workers),
    progress: values.progress === true,
    json: values.json === true,
    witnesses: [],
    witnessUrls: [],
    witnessQuorum: undefined,
  };
  for (const key of values.witness ?? []) witnessArg(out, '--witness', key);
  for (const url of values['witness-url'] ?? []) witnessArg(out, '--witness-url', url);
  const quorum = values['witness-quorum'];
  if (quorum !== undefined) witnessArg(out, '--witness-quorum', quorum);
  checkWitnessArgs(out);
  if (out.sampleSeed !== undefined && out.signatures !== 'sample')
    throw new CliUsageError('--sample-seed needs --signatures sample');
  if (out.db !== undefined && out.pglite !== undefined) throw new CliUsageError('--db and --pglite exclude each other');
  if (out.packet !== undefined) {
    if (out.db !== undefined || out.pglite !== undefined || out.checkpoints.length > 0)
      throw new CliUsageError('a packet is verified on its own: no --db, --pglite or --checkpoints with it');
    return out;
  }
  if (out.pglite !== undefined) {
    if (!existsSync(path.join(out.pglite, 'PG_VERSION')))
      throw new CliUsageError(`--pglite: no database in ${out.pglite}`);
    return out;
  }
  // A checkpoint stream alone is verified without a database (only when no database is named explicitly).
  if (out.db === undefined && out.checkpoints.length > 0) return out;
  out.db ??= env.DATABASE_URL;
  if (out.db === undefined)
    throw new CliUsageError('--db (or $DATABASE_URL), --pglite, --checkpoints or a packet file is required');
  if (!/^postgres(ql)?:\/\//.test(out.db)) throw new CliUsageError('--db must be a postgres:// URL');
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
      if (!FINGERPRINT.test(value))
        throw new CliUsageError(`--trust: ${value} is not a key fingerprint (ed25519: and 64 lowercase hex digits)`);
      out.fingerprints.push(value);
      continue;
    }
    let text: string;
    try {
      text = readFileSync(value, 'utf8');
    } catch (cause) {
      throw new CliUsageError(
        `--trust: cannot read ${value} (give a PEM file, a keyring file or a fingerprint ed25519:<hex>)`,
        { cause },
      );
    }
    if (text.trimStart().startsWith('{')) {
      let keyring: Keyring;
      try {
        keyring = parseKeyring(text);
      } catch (err) {
        throw new CliUsageError(
          `--trust: ${value} is not a valid keyring (${err instanceof Error ? err.message : 'invalid'})`,
          { cause: err },
        );
      }
      for (const [kid, w] of keyringWindows(keyring)) out.windows.set(kid, w);
      out.pems.push(...keyring.keys.map((k) => k.public_key_pem));
      continue;
    }
    const pems = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g) ?? [];
    if (pems.length === 0) throw new CliUsageError(`--trust: ${value} holds no PEM public key`);
    for (const pem of pems) {
      try {
        kidOf(pem);
      } catch (cause) {
        throw new CliUsageError(`--trust: ${value} holds a key that is not an Ed25519 public key`, { cause });
      }
    }
    out.pems.push(...pems);
  }
  return out;
}

/** A sink line longer than this is not read (a note is at most MAX_NOTE_BYTES; JSON escapes its line breaks). */
export const MAX_SINK_LINE_BYTES = 2 * MAX_NOTE_BYTES + 1024;
/** How a sink line over the bound still names its chain: Proctor's sink writes it first. */
const CHAIN_FIRST = /^\s*\{\s*"chain"\s*:\s*"([^"\\]{1,128})"/;

/**
 * A checkpoint sink: one JSON object per line, { chain, note, tree_size?, root?, … }, read a chunk at a time. A line
 * over MAX_SINK_LINE_BYTES is never held whole: it is an entry with no note and its size (`oversized`), reported
 * CHECKPOINT_INVALID by verify, when it opens with its chain; a usage error otherwise, as a line that is not JSON is.
 */
export function readCheckpointSink(file: string): StreamEntry[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (cause) {
    throw new CliUsageError(`--checkpoints: cannot read ${file}`, { cause });
  }
  const out: StreamEntry[] = [];
  try {
    forEachLine(fd, file, (text, bytes, i) => {
      if (text === null) {
        const chain = CHAIN_FIRST.exec(bytes.head)?.[1];
        if (chain === undefined)
          throw new CliUsageError(
            `--checkpoints: ${file} line ${i + 1} is over ${MAX_SINK_LINE_BYTES} bytes and does not open with its chain`,
          );
        out.push({ chain, note: '', oversized: bytes.length, where: `${path.basename(file)}:${i + 1}` });
        return;
      }
      sinkEntry(out, file, text, i);
    });
  } finally {
    closeSync(fd);
  }
  return out;
}

/** Calls `take` with each line of the file (without its line break) and its index: its text, or null for a line over
 * MAX_SINK_LINE_BYTES (then its length in bytes and its first 512 bytes as text). */
function forEachLine(
  fd: number,
  file: string,
  take: (text: string | null, bytes: { length: number; head: string }, index: number) => void,
): void {
  const chunk = Buffer.alloc(64 * 1024);
  let parts: Buffer[] = [];
  let held = 0;
  let length = 0;
  let head: string | null = null;
  let index = 0;
  const end = () => {
    const text = head === null ? Buffer.concat(parts).toString('utf8') : null;
    take(text, { length, head: head ?? '' }, index);
    index += 1;
    parts = [];
    held = 0;
    length = 0;
    head = null;
  };
  for (;;) {
    let read: number;
    try {
      read = readSync(fd, chunk, 0, chunk.length, null);
    } catch (cause) {
      throw new CliUsageError(`--checkpoints: cannot read ${file}`, { cause });
    }
    if (read === 0) break;
    let at = 0;
    while (at < read) {
      const found = chunk.indexOf(10, at);
      const stop = found === -1 || found >= read ? read : found;
      const piece = chunk.subarray(at, stop);
      length += piece.length;
      if (head === null && held + piece.length <= MAX_SINK_LINE_BYTES) {
        parts.push(Buffer.from(piece));
        held += piece.length;
      } else if (head === null) {
        head = Buffer.concat([...parts, piece])
          .subarray(0, 512)
          .toString('utf8');
        parts = [];
      }
      if (stop === read) break;
      end();
      at = stop + 1;
    }
  }
  if (length > 0) end();
}

/** One sink line's entry, pushed to `out` (a blank line is none). */
function sinkEntry(out: StreamEntry[], file: string, line: string, i: number): void {
  if (line.trim() === '') return;
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch (cause) {
    throw new CliUsageError(`--checkpoints: ${file} line ${i + 1} is not JSON`, { cause });
  }
  const {
    chain,
    note,
    tree_size: size,
    root,
  } = (entry ?? {}) as { chain?: unknown; note?: unknown; tree_size?: unknown; root?: unknown };
  if (typeof chain !== 'string' || typeof note !== 'string')
    throw new CliUsageError(`--checkpoints: ${file} line ${i + 1} has no chain and note`);
  out.push({
    chain,
    note,
    ...(typeof size === 'number' ? { tree_size: size } : {}),
    ...(typeof root === 'string' ? { root } : {}),
    where: `${path.basename(file)}:${i + 1}`,
  });
}
