// Spreads record inspection (src/verify/inspect-record.ts) over worker threads, one per core by default: Ed25519
// verification dominates the cost of verify. Batches are independent, so any worker may take any batch; results
// come back per batch and the caller consumes them in chain order. With zero workers it inspects inline.
// A worker that fails or exits rejects every batch it holds: verification never silently skips records.
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { inspectRecords } from './inspect-record.ts';
import type { RecordFacts, RecordRow } from './inspect-record.ts';
import type { WorkerMessage } from './worker.ts';

export interface InspectPool {
  inspect(chain: string, rows: RecordRow[], check: Uint8Array): Promise<RecordFacts[]>;
  /** Makes a key resolvable by its fingerprint on every worker, for batches sent from now on. */
  addKey(kid: string, pem: string): void;
  close(): Promise<void>;
}

export function defaultWorkers(): number {
  return availableParallelism();
}

interface Pending {
  resolve: (facts: RecordFacts[]) => void;
  reject: (err: Error) => void;
}

/**
 * Inspects small inputs inline and starts `workers` threads once a batch of at least `threshold` rows comes (a
 * thread costs tens of milliseconds to start; a short chain is done sooner without).
 */
export function lazyInspectPool(workers: number, keys: ReadonlyMap<string, string>, threshold = 2048): InspectPool {
  const known = new Map(keys);
  const inline = inlinePool(known);
  let threads: InspectPool | null = null;
  return {
    inspect(chain, rows, check) {
      if (threads === null && workers > 0 && rows.length >= threshold) threads = startInspectPool(workers, known);
      return (threads ?? inline).inspect(chain, rows, check);
    },
    addKey(kid, pem) {
      known.set(kid, pem);
      inline.addKey(kid, pem);
      threads?.addKey(kid, pem);
    },
    async close() {
      await threads?.close();
    },
  };
}

/** Each inspecting thread's heap: one page of rows (2,048 records of a few KB) and their facts at a time; a thread that
 * outgrows it exits, and its batches fail (verify reports the failure, it never skips records). */
export const INSPECT_WORKER_LIMITS = { maxOldGenerationSizeMb: 256 } as const;

export function startInspectPool(workers: number, keys: ReadonlyMap<string, string>): InspectPool {
  if (workers <= 0) return inlinePool(keys);
  const initial = [...keys].map(([kid, pem]) => ({ kid, pem }));
  const threads = Array.from({ length: workers }, () => {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), {
      workerData: { keys: initial },
      resourceLimits: INSPECT_WORKER_LIMITS,
    });
    const state = { worker, pending: new Map<number, Pending>(), failed: null as Error | null };
    const fail = (err: Error) => {
      state.failed = err;
      for (const p of state.pending.values()) p.reject(err);
      state.pending.clear();
    };
    worker.on('message', (msg: { id: number; facts?: RecordFacts[]; error?: string }) => {
      const p = state.pending.get(msg.id);
      if (!p) return;
      state.pending.delete(msg.id);
      if (msg.facts) p.resolve(msg.facts);
      else p.reject(new Error(`verify worker failed: ${msg.error ?? 'unknown error'}`));
    });
    worker.on('error', (err) => fail(err));
    worker.on('exit', (code) => fail(new Error(`verify worker exited (code ${code})`)));
    return state;
  });
  let nextId = 0;
  let closed = false;
  return {
    inspect(chain, rows, check) {
      // The least loaded worker takes the batch.
      const state = threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
      if (state.failed) return Promise.reject(state.failed);
      const id = nextId++;
      // One transferred buffer instead of a structured clone per row (a row's bytes may view a much larger buffer).
      let total = 0;
      for (const row of rows) total += row.bytes.length;
      const packed = new Uint8Array(total);
      const ends = new Uint32Array(rows.length);
      const meta = rows.map((row, i) => {
        const start = i === 0 ? 0 : (ends[i - 1] as number);
        packed.set(row.bytes, start);
        ends[i] = start + row.bytes.length;
        const { bytes: _bytes, ...meta } = row;
        return meta;
      });
      return new Promise<RecordFacts[]>((resolve, reject) => {
        state.pending.set(id, { resolve, reject });
        const message: WorkerMessage = { batch: { id, chain, rows: meta, packed, ends, check } };
        state.worker.postMessage(message, [packed.buffer, ends.buffer]);
      });
    },
    addKey(kid, pem) {
      const message: WorkerMessage = { addKey: { kid, pem } };
      for (const t of threads) t.worker.postMessage(message);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const t of threads) t.worker.removeAllListeners('exit');
      await Promise.all(threads.map((t) => t.worker.terminate()));
    },
  };
}

function inlinePool(initial: ReadonlyMap<string, string>): InspectPool {
  const keys = new Map<string, KeyObject>([...initial].map(([kid, pem]) => [kid, createPublicKey(pem)]));
  const add = (kid: string, pem: string) => {
    if (!keys.has(kid)) keys.set(kid, createPublicKey(pem));
  };
  return {
    async inspect(chain, rows, check) {
      return inspectRecords(rows, chain, keys, check, add);
    },
    addKey: add,
    async close() {},
  };
}
