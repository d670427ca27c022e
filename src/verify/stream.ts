// Verifies a checkpoint stream (the append-only sink file) on its own, without the records: every checkpoint
// signed by a pinned key, its body agreeing with the columns beside it, one origin per chain, and successive
// checkpoints of a chain consistent as far as they can be without the records — never smaller than an earlier one
// (CHECKPOINT_INCONSISTENT: the writer or the file was rolled back), never two roots for one size (a fork), never
// behind the checkpoint remembered from an earlier run (CHAIN_ROLLED_BACK). Proving that checkpoints of different
// sizes extend one another needs the records (`--db`) or the proofs in an evidence packet.
import type { KeyObject } from 'node:crypto';
import { FindingLog } from './findings.ts';
import { kidOf, publicKeyFromPem } from '../ledger/format.ts';
import { openNote, parseNote } from './checkpoints.ts';
import type { RememberedCheckpoint } from './checkpoints.ts';
import type { ChainSummary, VerifyReport } from './report.ts';

export interface StreamEntry {
  chain: string;
  note: string;
  /** Columns the sink writes beside the note, if present: they MUST agree with it. */
  tree_size?: number;
  root?: string;
  /** Where the entry came from, for findings ("file:line"). */
  where: string;
  /** The bytes of a sink line over the reader's bound, whose note was not read (`note` is ''): CHECKPOINT_INVALID. */
  oversized?: number;
}

export interface StreamOptions {
  entries: StreamEntry[];
  trustedKeys: string[];
  chains?: string[];
  remembered?: Record<string, RememberedCheckpoint>;
  describe: string;
}

export function verifyCheckpointStream(opts: StreamOptions): VerifyReport {
  const keys: KeyObject[] = opts.trustedKeys.map((pem) => publicKeyFromPem(pem));
  const log = new FindingLog();
  let inconclusive = false;
  if (keys.length === 0) {
    inconclusive = true;
    log.add('VERIFY_NO_TRUSTED_KEY', '', null, 'no trusted public key given: checkpoint signatures were not checked');
  }
  const wanted = opts.chains ? new Set(opts.chains) : null;
  const byChain = new Map<string, StreamEntry[]>();
  for (const e of opts.entries) {
    if (wanted && !wanted.has(e.chain)) continue;
    byChain.set(e.chain, [...(byChain.get(e.chain) ?? []), e]);
  }
  const names = new Set([
    ...byChain.keys(),
    ...(opts.chains ?? []),
    ...Object.keys(opts.remembered ?? {}).filter((c) => !wanted || wanted.has(c)),
  ]);
  const chains: ChainSummary[] = [];
  for (const chain of [...names].sort()) {
    const entries = byChain.get(chain) ?? [];
    let newest: { origin: string; size: number; root: string; note: string } | null = null;
    let origin: string | null = null;
    const roots = new Map<number, string>();
    let accepted = 0;
    for (const e of entries) {
      const body = parseNote(e.note);
      if (body === null) {
        log.add('CHECKPOINT_INVALID', chain, null, `${e.where}: not a checkpoint note`);
        continue;
      }
      if ((e.tree_size !== undefined && e.tree_size !== body.size) || (e.root !== undefined && e.root !== body.root)) {
        log.add(
          'CHECKPOINT_INVALID',
          chain,
          body.size - 1,
          `${e.where}: tree_size or root beside the note disagree with the signed note`,
        );
        continue;
      }
      if (keys.length > 0 && openNote(e.note, keys) === null) {
        log.add(
          'CHECKPOINT_INVALID',
          chain,
          body.size - 1,
          `${e.where}: the checkpoint at tree size ${body.size} is not signed by a trusted key`,
        );
        continue;
      }
      accepted++;
      if (origin !== null && body.origin !== origin)
        log.add(
          'CHECKPOINT_INCONSISTENT',
          chain,
          body.size - 1,
          `${e.where}: origin ${body.origin} differs from ${origin} earlier in the stream`,
        );
      origin ??= body.origin;
      const seen = roots.get(body.size);
      if (seen !== undefined && seen !== body.root)
        log.add(
          'CHECKPOINT_INCONSISTENT',
          chain,
          body.size - 1,
          `${e.where}: a second, different root for tree size ${body.size} (a fork)`,
        );
      roots.set(body.size, body.root);
      if (newest !== null && body.size < newest.size) {
        log.add(
          'CHECKPOINT_INCONSISTENT',
          chain,
          body.size - 1,
          `${e.where}: tree size ${body.size} after ${newest.size}: the chain was rolled back`,
        );
      }
      if (newest === null || body.size >= newest.size) newest = { ...body, note: e.note };
    }
    const remembered = opts.remembered?.[chain];
    if (remembered) {
      if (newest === null || newest.size < remembered.size) {
        log.add(
          'CHAIN_ROLLED_BACK',
          chain,
          newest?.size ?? null,
          `this verifier accepted a checkpoint of ${remembered.size} records on an earlier run (state file); the ` +
            `stream's newest covers ${newest?.size ?? 0}`,
        );
      } else if ((roots.get(remembered.size) ?? remembered.root) !== remembered.root) {
        log.add(
          'CHECKPOINT_INCONSISTENT',
          chain,
          remembered.size - 1,
          `the stream signs a different root for tree size ${remembered.size} than the one accepted on an earlier ` +
            'run (state file)',
        );
      }
    }
    if (accepted === 0) {
      inconclusive = true;
      log.add('VERIFY_NO_RECORDS', chain, null, 'no valid checkpoint of this chain in the stream');
    }
    log.closeChain(chain);
    chains.push({
      chain,
      records: newest?.size ?? 0,
      first_seq: null,
      last_seq: newest === null ? null : newest.size - 1,
      first_ts: null,
      last_ts: null,
      head_hash: null,
      signatures_checked: 0,
      checkpoint: newest === null || keys.length === 0 ? null : { ...newest, source: 'sink' },
      trimmed_through: null,
    });
  }
  if (chains.length === 0) {
    inconclusive = true;
    log.add('VERIFY_NO_RECORDS', '', null, 'the stream holds no checkpoints');
  }
  return {
    kind: 'checkpoint-stream',
    ok: log.errorCount === 0 && !inconclusive,
    inconclusive,
    source: opts.describe,
    signatures: 'checkpoints',
    sample_seed: null,
    trusted_kids: opts.trustedKeys.map(kidOf).sort(),
    chains,
    findings: log.findings,
  };
}
