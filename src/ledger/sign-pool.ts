// Batch signing on a worker thread shared by every node:crypto signer of this process (docs/performance.md): part of
// a batch of records is signed there while the event loop signs the rest, serves requests, or the previous batch
// commits. Signers on the native addon do not use it: their signing costs the event loop less than the hand-off. The
// worker is unref'd while idle, so it never keeps the process alive; it is started on first use. Any worker failure
// rejects the pending batches (their records fail like any other batch: nothing is acknowledged) and the next batch
// starts a new worker.
import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';

interface Pending {
  resolve: (signatures: Uint8Array[]) => void;
  reject: (error: Error) => void;
  count: number;
  timer: ReturnType<typeof setTimeout>;
}

/** A signing thread that has not answered in this long is presumed stuck: it is stopped and its batches fail. */
const REPLY_TIMEOUT_MS = 10_000;

/** The signing thread's heap: it holds KeyObjects and one batch's 64-byte signatures (the messages arrive as one
 * transferred buffer, outside its heap), so a runaway fails its batches (the worker exits) instead of growing the
 * process. */
export const SIGN_WORKER_LIMITS = { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 } as const;

let worker: Worker | null = null;
let nextId = 1;
let nextKeyId = 1;
const pending = new Map<number, Pending>();
const keyIds = new WeakMap<KeyObject, number>();
let sent = new WeakSet<KeyObject>();

function start(): Worker {
  const w = new Worker(new URL('./sign-worker.ts', import.meta.url), { resourceLimits: SIGN_WORKER_LIMITS });
  w.unref();
  sent = new WeakSet();
  w.on('message', (reply: { id: number; signatures?: Uint8Array; error?: string }) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    clearTimeout(p.timer);
    if (pending.size === 0) w.unref();
    if (reply.signatures) {
      const all = reply.signatures;
      p.resolve(Array.from({ length: p.count }, (_, i) => all.subarray(i * 64, i * 64 + 64)));
    } else p.reject(new Error(`signing worker: ${reply.error ?? 'no signatures'}`));
  });
  const fail = (error: Error) => {
    if (worker === w) worker = null;
    for (const [id, p] of pending) {
      pending.delete(id);
      clearTimeout(p.timer);
      p.reject(error);
    }
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`signing worker exited (code ${code})`)));
  return w;
}

/** Ed25519 signatures of `messages` under `key`, computed on the signing thread, in order. */
export function signOnWorker(key: KeyObject, messages: readonly Uint8Array[]): Promise<Uint8Array[]> {
  worker ??= start();
  const w = worker;
  let keyId = keyIds.get(key);
  if (keyId === undefined) {
    keyId = nextKeyId++;
    keyIds.set(key, keyId);
  }
  if (!sent.has(key)) {
    w.postMessage({ kind: 'key', keyId, key });
    sent.add(key);
  }
  const id = nextId++;
  return new Promise<Uint8Array[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      if (worker === w) worker = null;
      void w.terminate(); // its 'exit' rejects every batch still pending on it
      reject(new Error(`signing worker: no answer in ${REPLY_TIMEOUT_MS} ms`));
    }, REPLY_TIMEOUT_MS);
    timer.unref();
    pending.set(id, { resolve, reject, count: messages.length, timer });
    w.ref();
    const ends = new Uint32Array(messages.length);
    let total = 0;
    messages.forEach((m, i) => (ends[i] = total += m.length));
    const data = new Uint8Array(total);
    messages.forEach((m, i) => data.set(m, (ends[i] as number) - m.length));
    w.postMessage({ kind: 'sign', id, keyId, data, ends }, [data.buffer, ends.buffer]);
  });
}
