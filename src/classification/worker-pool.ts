// Classification of large inputs off the event loop: a fixed set of worker threads (classify-worker.ts) behind a
// bounded queue. Inputs up to the threshold are classified in-process (no hand-off, no added latency); larger ones
// run on a thread, and when `queueLimit` are already waiting for one the call fails at once with ERR_CLASSIFIER_BUSY
// (the pipeline answers 503 with retry-after). Invariants: a thread's answer is the one the in-process classifier gives
// for the same input; a thread that crashes, outgrows its heap cap or does not answer in time fails only the request
// it was running (ERR_CLASSIFIER_WORKER_FAILED) and is replaced; after close() every large input fails (CLOSED).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WorkerConfig, WorkerRequest } from './classify-worker.ts';
import type { RecognizerSettings } from './custom.ts';
import { ClassificationError, type ClassificationErrorCode } from './errors.ts';
import type { Classification, Classifier, ClassifyOptions, TextSegment } from './types.ts';

export interface ClassifierPoolOptions {
  fingerprintKey: Uint8Array;
  /** The configured custom recognizers: each thread appends them to the built-in set, as recognizersWith does. */
  recognizers: readonly RecognizerSettings[];
  /** Classifies inputs up to the threshold in-process; MUST be built from the same key and recognizers. */
  local: Classifier;
  /** Inputs whose segments hold more UTF-16 units than this in total go to a thread (default 64 Ki). */
  thresholdChars?: number;
  /** Threads (default: the cores less one, 1 to 4). */
  size?: number;
  /** Inputs that may wait for a thread (default 16); one more is ERR_CLASSIFIER_BUSY. */
  queueLimit?: number;
  /** Each thread's V8 old-generation cap, so one input cannot exhaust the process's heap (default 512 MiB). */
  maxHeapMb?: number;
  /** A thread that has not answered in this long is stopped and its request fails (default 30 s). */
  timeoutMs?: number;
}

export interface ClassifierPool {
  /** Same contract as Classifier.classify; large inputs resolve later, or reject with a ClassificationError. */
  classify(segments: readonly TextSegment[], options?: ClassifyOptions): Classification | Promise<Classification>;
  /** Threads alive, inputs running on them and inputs waiting (for tests and metrics). */
  stats(): { threads: number; running: number; queued: number };
  /** Stops every thread; waiting and running inputs fail. */
  close(): Promise<void>;
}

export const DEFAULT_OFFLOAD_THRESHOLD_CHARS = 64 * 1024;

interface Job {
  id: number;
  segments: TextSegment[];
  options: ClassifyOptions;
  resolve: (classification: Classification) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  job: Job | null;
  timer: ReturnType<typeof setTimeout> | undefined;
  dead: boolean;
}

type Reply = { id: number; classification: Classification } | { id: number; error: string };

export function createClassifierPool(opts: ClassifierPoolOptions): ClassifierPool {
  const threshold = opts.thresholdChars ?? DEFAULT_OFFLOAD_THRESHOLD_CHARS;
  const size = opts.size ?? Math.max(1, Math.min(4, availableParallelism() - 1));
  const queueLimit = opts.queueLimit ?? 16;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  for (const [name, value, min] of [['size', size, 1], ['queueLimit', queueLimit, 0], ['thresholdChars', threshold, 0]] as const) {
    if (!Number.isSafeInteger(value) || value < min) {
      throw new ClassificationError('ERR_CLASSIFIER_OPTIONS_INVALID', null, `${name} must be an integer of at least ${min}`);
    }
  }
  const workerData: WorkerConfig = { fingerprintKey: Uint8Array.from(opts.fingerprintKey), recognizers: opts.recognizers };
  const threads: Thread[] = [];
  const queue: Job[] = [];
  let closed = false;
  let nextId = 1;

  const failure = (code: ClassificationErrorCode, message: string, cause?: unknown) =>
    new ClassificationError(code, null, message, cause === undefined ? undefined : { cause });

  function spawn(): Thread {
    const worker = new Worker(new URL('./classify-worker.ts', import.meta.url), {
      workerData,
      resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb ?? 512 },
    });
    worker.unref(); // a request waiting on a thread keeps the process alive through its socket, never the thread
    const thread: Thread = { worker, job: null, timer: undefined, dead: false };
    worker.on('message', (reply: Reply) => {
      const job = thread.job;
      if (job === null || reply.id !== job.id) return;
      release(thread);
      if ('classification' in reply) job.resolve(reply.classification);
      else job.reject(failure(reply.error === 'ERR_CLASSIFIER_OPTIONS_INVALID' ? reply.error : 'ERR_CLASSIFIER_WORKER_FAILED', `classification thread failed: ${reply.error}`));
      pump();
    });
    const die = (cause: Error) => {
      if (thread.dead) return;
      thread.dead = true;
      threads.splice(threads.indexOf(thread), 1);
      const job = thread.job;
      release(thread);
      job?.reject(failure(closed ? 'ERR_CLASSIFIER_CLOSED' : 'ERR_CLASSIFIER_WORKER_FAILED', 'the classification thread failed', cause));
      pump(); // a replacement starts for whatever is waiting
    };
    worker.on('error', die);
    worker.on('exit', (code) => die(new Error(`classification thread exited (code ${code})`)));
    threads.push(thread);
    return thread;
  }

  function release(thread: Thread): void {
    clearTimeout(thread.timer);
    thread.timer = undefined;
    thread.job = null;
  }

  function pump(): void {
    while (!closed && queue.length > 0) {
      const thread = threads.find((t) => t.job === null) ?? (threads.length < size ? spawn() : undefined);
      if (thread === undefined) return;
      const job = queue.shift() as Job;
      thread.job = job;
      thread.timer = setTimeout(() => void thread.worker.terminate(), timeoutMs); // its exit fails the job
      thread.timer.unref();
      const request: WorkerRequest = { id: job.id, segments: job.segments, options: job.options };
      thread.worker.postMessage(request);
    }
  }

  // Threads start now, so the first large request does not wait for one to load and compile its recognizers.
  for (let i = 0; i < size; i += 1) spawn();

  return {
    classify(segments, options = {}) {
      let total = 0;
      for (const s of segments) total += s.text.length;
      if (total <= threshold) return opts.local.classify(segments, options);
      if (closed) return Promise.reject(failure('ERR_CLASSIFIER_CLOSED', 'the classifier pool is closed'));
      const idle = threads.some((t) => t.job === null) || threads.length < size;
      if (!idle && queue.length >= queueLimit) {
        return Promise.reject(failure('ERR_CLASSIFIER_BUSY', `every classification thread is busy and ${queueLimit} inputs are waiting`));
      }
      return new Promise<Classification>((resolve, reject) => {
        // Only what the classifier reads is copied to the thread (segments may carry other fields).
        queue.push({ id: nextId++, segments: segments.map((s) => ({ path: s.path, text: s.text })), options, resolve, reject });
        pump();
      });
    },
    stats: () => ({ threads: threads.length, running: threads.filter((t) => t.job !== null).length, queued: queue.length }),
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(failure('ERR_CLASSIFIER_CLOSED', 'the classifier pool is closed'));
      await Promise.all([...threads].map((t) => t.worker.terminate()));
    },
  };
}
