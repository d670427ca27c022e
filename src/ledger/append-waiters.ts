// What an append's caller waits for, and for how long. A bounded append (a decision) MUST reject once its deadline
// passes: withdrawn from the queue if no batch took it yet (never written), else reported through onAbandoned if its
// batch commits after all. A durable append (an outcome) MUST NOT be given up while the process runs: retried with
// backoff until committed; its caller hears ERR_AUDIT_PENDING after outcomeWaitMs (late, not lost). Held outcomes are
// bounded by the caller refusing new decisions while `retrying` reaches maxRetryingOutcomes.
import { LedgerError } from './errors.ts';
import type { AppendedRecord, PendingRecord } from './chain-writer.ts';
import type { Ticket } from './chain-writer.ts';
import type { GroupCommitter } from './group-commit.ts';

export interface LedgerTiming {
  /** A decision's append rejects (ERR_AUDIT_UNAVAILABLE) when not committed within this many milliseconds. */
  appendTimeoutMs: number;
  /** An outcome's append rejects with ERR_AUDIT_PENDING after this wait; the record is still held and retried. */
  outcomeWaitMs: number;
  /** Backoff between an outcome's attempts: doubling from the first to the most. */
  retryFirstMs: number;
  retryMaxMs: number;
  /** While this many outcomes await a retry, new decisions are refused: held outcomes stay bounded. */
  maxRetryingOutcomes: number;
  /** close() waits this long for held outcomes before giving them up. */
  closeWaitMs: number;
}

export const DEFAULT_TIMING: LedgerTiming = {
  appendTimeoutMs: 2000,
  outcomeWaitMs: 2000,
  retryFirstMs: 50,
  retryMaxMs: 1000,
  maxRetryingOutcomes: 4096,
  closeWaitMs: 5000,
};

export interface Waiters {
  bounded(item: PendingRecord, timeoutMs: number): Promise<AppendedRecord>;
  durable(item: PendingRecord): Promise<AppendedRecord>;
  /** Outcomes whose last attempt failed and that await their next. */
  readonly retrying: number;
  /** Waits up to `ms` for held outcomes, then gives up the rest (the process is ending); later failures are final. */
  release(ms: number): Promise<void>;
}

export function createWaiters(deps: {
  committer: GroupCommitter<PendingRecord, AppendedRecord>;
  timing: LedgerTiming;
  /** A committed record whose caller was told it was not. */
  onAbandoned(record: AppendedRecord): void;
}): Waiters {
  const { committer, timing } = deps;
  let retrying = 0;
  let stopped = false;
  const retries = new Set<{ timer: ReturnType<typeof setTimeout>; give: () => void }>();
  const holding = new Set<Promise<void>>(); // each settles when its outcome is committed or given up

  function bounded(item: PendingRecord, timeoutMs: number): Promise<AppendedRecord> {
    const ticket: Ticket = { durable: false, abandoned: false, committed: null, adopt: deps.onAbandoned };
    item.ticket = ticket;
    return new Promise<AppendedRecord>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (ticket.committed !== null || ticket.abandoned) return;
        ticket.abandoned = true;
        const why = `the audit record was not committed within ${timeoutMs} ms`;
        const error = new LedgerError('ERR_AUDIT_UNAVAILABLE', why);
        if (!committer.withdraw(item, error)) reject(error); // in a batch already: if it commits, onAbandoned says so
      }, timeoutMs);
      committer.enqueue(item).then(
        (record) => {
          clearTimeout(timer);
          if (ticket.abandoned) return deps.onAbandoned(record);
          ticket.committed = record;
          resolve(record);
        },
        (error: unknown) => {
          clearTimeout(timer);
          ticket.abandoned = true;
          reject(error);
        },
      );
    });
  }

  function durable(item: PendingRecord): Promise<AppendedRecord> {
    let markFinished!: () => void;
    const finished = new Promise<void>((resolve) => (markFinished = resolve));
    holding.add(finished);
    void finished.then(() => holding.delete(finished));
    return new Promise<AppendedRecord>((resolve, reject) => {
      let failures = 0;
      let counted = false;
      const wait = setTimeout(() => {
        const why = `the outcome was not committed within ${timing.outcomeWaitMs} ms; it is held and retried`;
        reject(new LedgerError('ERR_AUDIT_PENDING', why));
      }, timing.outcomeWaitMs);
      const finish = () => {
        clearTimeout(wait);
        if (counted) retrying -= 1;
        counted = false;
        markFinished();
      };
      const giveUp = (error: unknown) => {
        ticket.abandoned = true;
        finish();
        reject(error);
      };
      const ticket: Ticket = {
        durable: true,
        abandoned: false,
        committed: null,
        adopt(record) {
          if (ticket.committed !== null) return;
          ticket.committed = record;
          finish();
          resolve(record);
        },
      };
      item.ticket = ticket;
      const attempt = () => {
        committer.enqueue(item).then(ticket.adopt, (error: unknown) => {
          if (ticket.committed !== null) return; // an earlier, unacknowledged batch carried it and was adopted
          if ((error instanceof LedgerError && error.code === 'ERR_RECORD_INVALID') || stopped) return giveUp(error);
          if (!counted) retrying += 1;
          counted = true;
          const delay = Math.min(timing.retryMaxMs, timing.retryFirstMs * 2 ** Math.min(failures++, 16));
          const retry = {
            timer: setTimeout(() => {
              retries.delete(retry);
              attempt();
            }, delay),
            give: () => giveUp(error),
          };
          retries.add(retry);
        });
      };
      attempt();
    });
  }

  return {
    bounded,
    durable,
    get retrying() {
      return retrying;
    },
    async release(ms) {
      if (holding.size > 0) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
        await Promise.race([Promise.allSettled([...holding]), late]);
        clearTimeout(timer);
      }
      stopped = true;
      for (const retry of retries) {
        clearTimeout(retry.timer);
        retry.give();
      }
      retries.clear();
    },
  };
}
