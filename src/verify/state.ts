// The verifier's state file: per chain, the newest checkpoint a clean run accepted (origin, tree size, root, note).
// The next run compares the chain with it (rollback, rewrite). It is the auditor's own record, kept outside the
// audited system; it is replaced atomically (write a temp file, fsync, rename) and only after a clean run, so a
// failed or interrupted run never moves it. An unreadable or malformed file is an error, never a silent fresh start.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { RememberedCheckpoint } from './checkpoints.ts';

export interface VerifyState {
  version: 1;
  chains: Record<string, RememberedCheckpoint & { accepted_at: string }>;
}

export class StateFileError extends Error {
  override readonly name = 'StateFileError';
}

/** Reads the state file; a missing file is an empty state (first run). */
export function readVerifyState(file: string): VerifyState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, chains: {} };
    throw new StateFileError(`cannot read the state file ${file}: ${(err as Error).message}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new StateFileError(`the state file ${file} is not JSON`, { cause });
  }
  const { version, chains } = (doc ?? {}) as { version?: unknown; chains?: unknown };
  if (version !== 1 || typeof chains !== 'object' || chains === null || Array.isArray(chains)) {
    throw new StateFileError(`the state file ${file} is not a verify state ({ "version": 1, "chains": {...} })`);
  }
  const out: VerifyState = { version: 1, chains: {} };
  for (const [chain, raw] of Object.entries(chains)) {
    const e = (raw ?? {}) as Record<string, unknown>;
    if (
      typeof e.origin !== 'string' ||
      !Number.isSafeInteger(e.size) ||
      (e.size as number) <= 0 ||
      typeof e.root !== 'string' ||
      !/^[0-9a-f]{64}$/.test(e.root) ||
      typeof e.note !== 'string' ||
      typeof e.accepted_at !== 'string'
    ) {
      throw new StateFileError(
        `the state file ${file}: chain ${JSON.stringify(chain)} needs origin, size (> 0), root (64 hex), note and ` +
          'accepted_at',
      );
    }
    out.chains[chain] = {
      origin: e.origin,
      size: e.size as number,
      root: e.root,
      note: e.note,
      accepted_at: e.accepted_at,
    };
  }
  return out;
}

/** Replaces the state file atomically. */
export function writeVerifyState(file: string, state: VerifyState): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(state, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (err) {
    throw new StateFileError(`cannot write the state file ${file}: ${(err as Error).message}`, { cause: err });
  }
}
