// Worker thread of the verify pool (src/verify/pool.ts): inspects batches of records with inspectRecords and
// posts the facts back in the batch's order. It holds public keys by fingerprint only to check signatures; it makes
// no trust decision. Keys introduced by key_rotated records it sees are added the same way (kid = fingerprint).
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { inspectRecords } from './inspect-record.ts';
import type { RecordRow } from './inspect-record.ts';

/** A batch as sent to a worker: the rows' bytes packed into one transferred buffer (row i is
 * packed[ends[i-1]..ends[i]]). */
export interface WorkerBatch {
  id: number;
  chain: string;
  rows: Omit<RecordRow, 'bytes'>[];
  packed: Uint8Array;
  ends: Uint32Array;
  /** 1: check this row's signature; 0: leave it unchecked (sampling). */
  check: Uint8Array;
}

export type WorkerMessage = { batch: WorkerBatch } | { addKey: { kid: string; pem: string } };

const keys = new Map<string, KeyObject>();
for (const { kid, pem } of (workerData as { keys: { kid: string; pem: string }[] }).keys)
  keys.set(kid, createPublicKey(pem));

parentPort?.on('message', (message: WorkerMessage) => {
  if ('addKey' in message) {
    if (!keys.has(message.addKey.kid)) keys.set(message.addKey.kid, createPublicKey(message.addKey.pem));
    return;
  }
  const { id, chain, rows, packed, ends, check } = message.batch;
  try {
    const full = rows.map(
      (meta, i): RecordRow => ({
        ...meta,
        bytes: packed.subarray(i === 0 ? 0 : (ends[i - 1] as number), ends[i] as number),
      }),
    );
    const facts = inspectRecords(full, chain, keys, check, (kid, pem) => {
      if (!keys.has(kid)) keys.set(kid, createPublicKey(pem));
    });
    parentPort?.postMessage({ id, facts });
  } catch (err) {
    parentPort?.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
