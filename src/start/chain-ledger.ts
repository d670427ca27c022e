// The server's ledger: the configured chain, its batches, checkpoints and witnesses, and the log lines and metrics its
// events feed. Its events are reported, never dropped: a restored or abandoned record, a checkpoint not written and a
// stored checkpoint row refused at start each have a log line (checkpoint ones a count too).
import type { Config } from '../config/index.ts';
import type { Sql } from '../db/index.ts';
import { type Clock, type Ledger, openLedger, type Signer } from '../ledger/index.ts';
import type { Metrics } from '../observability/index.ts';
import type { Log } from '../pipeline/index.ts';

export interface ChainLedgerParts {
  sql: Sql;
  signer: Signer;
  clock: Clock;
  metrics: Metrics | null;
  log: Log;
}

/** Opens the configured chain's ledger (its lease included); the caller closes it. */
export function openChainLedger(
  config: Config,
  { sql, signer, clock, metrics, log }: ChainLedgerParts,
): Promise<Ledger> {
  const db = config.database;
  const checkpoints = config.ledger.checkpoints;
  return openLedger({
    sql,
    signer,
    chain: config.ledger.chain,
    clock,
    batch: config.ledger.batch,
    outcomeCommit: config.ledger.outcomeCommit,
    // A decision waits for its record at most the statement timeout (then 503, nothing forwarded); an outcome as long
    // before its reply says it is late (it is held and retried until committed).
    ...(db.kind === 'postgres'
      ? { timing: { appendTimeoutMs: db.statementTimeoutMs, outcomeWaitMs: db.statementTimeoutMs } }
      : {}),
    ...(metrics
      ? {
          onCommit: (records: readonly { seq: number }[]) =>
            metrics.ledgerBatch(records.length, records.at(-1)?.seq ?? 0),
        }
      : {}),
    onRestored: (records) =>
      log('warn', 'PostgreSQL lost outcome records committed without a flush; stored again byte for byte', {
        chain: config.ledger.chain,
        first_seq: records[0]?.seq ?? null,
        last_seq: records.at(-1)?.seq ?? null,
      }),
    onAbandoned: (record) =>
      log('error', 'a record reported as not committed was committed after all', {
        chain: record.chain,
        seq: record.seq,
        type: record.record.type,
        request_id: record.record.request_id,
      }),
    checkpoints: {
      everyRecords: checkpoints.everyRecords,
      everySeconds: checkpoints.everySeconds,
      sinkPath: checkpoints.sinkPath,
      ...(checkpoints.origin === null ? {} : { origin: checkpoints.origin }),
      onError: (error) => {
        metrics?.checkpointProblem(codeOf(error));
        log('error', 'checkpoint not written or not witnessed; retried at the next trigger', {
          chain: config.ledger.chain,
          error: String(error),
        });
      },
      onRowRefused: (row) => {
        metrics?.checkpointProblem('ERR_CHECKPOINT_ROW_REFUSED');
        log('error', 'a stored checkpoint row was refused as the start of the tree (verify reports it)', {
          chain: row.chain,
          tree_size: row.treeSize,
          reason: row.reason,
        });
      },
      witnesses: {
        witnesses: config.ledger.witnesses,
        ...(config.ledger.witnessQuorum === null ? {} : { quorum: config.ledger.witnessQuorum }),
      },
    },
  });
}

/** The stable code of a checkpoint or witness failure (WitnessError, LedgerError, DbError), else `other`. */
function codeOf(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : 'other';
}
