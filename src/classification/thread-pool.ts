// A fixed set of worker threads behind a bounded queue, for work too large for the event loop (worker-pool.ts; the
// pipeline's intake). A job is one message to a thread and one reply `{ id, result }` or `{ id, error: code }`.
// Invariants: at most `size` jobs run and `queueLimit` wait; one more fails at once with ERR_CLASSIFIER_BUSY; a thread
// that crashes, outgrows its heap cap, does not start in time or does not answer in time fails only its own job
// (ERR_CLASSIFIER_WORKER_FAILED) and is replaced; after close() every job fails with ERR_CLASSIFIER_CLOSED. A thread
// starts when a job needs one (thread-start.ts loads its entry, then says it is ready) and stops after `idleMs`
// without work, so a replica that never sees a large input holds no thread's heap. A job's time runs from when a ready
// thread takes it: start-up has a bound of its own (`startupMs`).
import { availableParallelism } from 'node:os';
import { Worker, type Transferable } from 'node:worker_threads';
import { ClassificationError, type ClassificationErrorCode } from './errors.ts';

export interface ThreadPoolOptions {
  /** The worker's module; it MUST answer every `{ id, ... }` message with `{ id, result }` or `{ id, error }`. */
  entry: URL;
  workerData: unknown;
  /** Threads (default: the cores less one, 1 to 4). */
  size?: number;
  /** Jobs that may wait for a thread (default 16). */
  queueLimit?: number;
  /** Each thread's V8 old-generation cap, so one input cannot exhaust the process's heap (default 512 MiB). */
  maxHeapMb?: number;
  /** A thread that has not answered in this long is stopped and its job fails (default 30 s). Counted from when a
   * ready thread takes the job: a thread still starting (loading its module, building its state) does not count. */
  timeoutMs?: number;
  /** A thread not ready this long after it was started is stopped and its job fails (default 60 s). */
  startupMs?: number;
  /** A thread without a job for this long stops (default 60 s): its heap and native memory go back. */
  idleMs?: number;
  /** Schedules a thread's idle stop (default: an unref'd setTimeout); returns its cancel. Tests pass a fake. */
  schedule?: (stop: () => void, ms: number) => () => void;
  /** Schedules a job's and a start-up's deadline (default: an unref'd setTimeout); returns its cancel. Tests pass a
   * fake. */
  deadline?: (stop: () => void, ms: number) => () => void;
}

export interface ThreadPool {
  run(message: Record<string, unknown>, transfer?: readonly Transferable[]): Promise<unknown>;
  /** Threads alive, jobs running on them and jobs waiting (for tests and metrics). */
  stats(): { threads: number; running: number; queued: number };
  /** Stops every thread; waiting and running jobs fail. */
  close(): Promise<void>;
}

/** Codes a thread reports for a bound its input passes: the caller gets the code the in-process classifier throws (the
 * client's bound to refuse, never a thread's failure). */
const INPUT_BOUNDS: ReadonlySet<string> = new Set<ClassificationErrorCode>([
  'ERR_DECODE_BUDGET_EXCEEDED',
  'ERR_NAME_PAIRS_EXCEEDED',
]);
const isInputBound = (code: string): code is ClassificationErrorCode => INPUT_BOUNDS.has(code);

interface Job {
  id: number;
  message: Record<string, unknown>;
  transfer: readonly Transferable[];
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  job: Job | null;
  /** False until the thread's entry has loaded (thread-start.ts): a job handed to it meanwhile waits, unclocked. */
  ready: boolean;
  /** Cancels the running job's deadline, or the start-up's before the thread is ready. */
  timer: (() => void) | undefined;
  /** Cancels the pending idle stop, if any. */
  idle: (() => void) | undefined;
  dead: boolean;
}

type Reply = { id: number; result: unknown } | { id: number; error: string } | { ready: true };

/** The first module of every thread: it loads the entry (the thread's last argument), then posts `{ ready: true }`. */
const START = new URL('./thread-start.ts', import.meta.url);

export function createThreadPool(opts: ThreadPoolOptions): ThreadPool {
  const size = opts.size ?? Math.max(1, Math.min(4, availableParallelism() - 1));
  const queueLimit = opts.queueLimit ?? 16;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const startupMs = opts.startupMs ?? 60_000;
  const idleMs = opts.idleMs ?? 60_000;
  const schedule = opts.schedule ?? unrefTimeout;
  const deadline = opts.deadline ?? unrefTimeout;
  const settings = [
    ['size', size, 1],
    ['queueLimit', queueLimit, 0],
    ['timeoutMs', timeoutMs, 1],
    ['startupMs', startupMs, 1],
    ['idleMs', idleMs, 0],
  ] as const;
  for (const [name, value, min] of settings) {
    if (!Number.isSafeInteger(value) || value < min) {
      const message = `${name} must be an integer of at least ${min}`;
      throw new ClassificationError('ERR_CLASSIFIER_OPTIONS_INVALID', null, message);
    }
  }
  const threads: Thread[] = [];
  const queue: Job[] = [];
  let closed = false;
  let nextId = 1;

  const failure = (code: ClassificationErrorCode, message: string, cause?: unknown) =>
    new ClassificationError(code, null, message, cause === undefined ? undefined : { cause });

  function spawn(): Thread {
    const resourceLimits = { maxOldGenerationSizeMb: opts.maxHeapMb ?? 512 };
    const worker = new Worker(START, { workerData: opts.workerData, resourceLimits, argv: [opts.entry.href] });
    worker.unref(); // a request waiting on a thread keeps the process alive through its socket, never the thread
    const thread: Thread = { worker, job: null, ready: false, timer: undefined, idle: undefined, dead: false };
    thread.timer = deadline(() => {
      thread.timer = undefined;
      die(new Error(`classification thread not ready within ${startupMs} ms`));
      void worker.terminate();
    }, startupMs);
    worker.on('message', (reply: Reply) => {
      if (thread.dead) return;
      if ('ready' in reply) {
        thread.timer?.();
        thread.ready = true;
        if (thread.job !== null) clock(thread);
        return;
      }
      const job = thread.job;
      if (job === null || reply.id !== job.id) return;
      release(thread);
      if ('result' in reply) job.resolve(reply.result);
      else if (isInputBound(reply.error)) job.reject(failure(reply.error, 'the input passes a classification bound'));
      else job.reject(failure('ERR_CLASSIFIER_WORKER_FAILED', `a classification thread failed: ${reply.error}`));
      pump();
      if (thread.job === null) thread.idle = schedule(() => retire(thread), idleMs);
    });
    const die = (cause: Error) => {
      if (thread.dead) return;
      thread.dead = true;
      thread.idle?.();
      threads.splice(threads.indexOf(thread), 1);
      const job = thread.job;
      release(thread);
      const code = closed ? 'ERR_CLASSIFIER_CLOSED' : 'ERR_CLASSIFIER_WORKER_FAILED';
      job?.reject(failure(code, 'a classification thread failed', cause));
      pump(); // a replacement starts for whatever is waiting
    };
    worker.on('error', die);
    worker.on('exit', (code) => die(new Error(`classification thread exited (code ${code})`)));
    threads.push(thread);
    return thread;
  }

  function release(thread: Thread): void {
    thread.timer?.();
    thread.timer = undefined;
    thread.job = null;
  }

  /** The job's time starts: a ready thread has it. */
  function clock(thread: Thread): void {
    thread.timer = deadline(() => void thread.worker.terminate(), timeoutMs); // its exit fails the job
  }

  /** Stops a thread that has had no job for idleMs; it leaves the pool at once, so no job is handed to it. */
  function retire(thread: Thread): void {
    thread.idle = undefined;
    if (thread.dead || thread.job !== null) return;
    thread.dead = true;
    threads.splice(threads.indexOf(thread), 1);
    void thread.worker.terminate();
  }

  function pump(): void {
    while (!closed && queue.length > 0) {
      const thread = threads.find((t) => t.job === null) ?? (threads.length < size ? spawn() : undefined);
      if (thread === undefined) return;
      const job = queue.shift() as Job;
      thread.idle?.();
      thread.idle = undefined;
      thread.job = job;
      if (thread.ready) clock(thread);
      thread.worker.postMessage({ ...job.message, id: job.id }, job.transfer);
    }
  }

  return {
    run(message, transfer = []) {
      if (closed) return Promise.reject(failure('ERR_CLASSIFIER_CLOSED', 'the classification threads are stopped'));
      const idle = threads.some((t) => t.job === null) || threads.length < size;
      if (!idle && queue.length >= queueLimit) {
        const message = `every classification thread is busy and ${queueLimit} inputs are waiting`;
        return Promise.reject(failure('ERR_CLASSIFIER_BUSY', message));
      }
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, message, transfer, resolve, reject });
        pump();
      });
    },
    stats: () => ({
      threads: threads.length,
      running: threads.filter((t) => t.job !== null).length,
      queued: queue.length,
    }),
    async close() {
      closed = true;
      for (const job of queue.splice(0)) {
        job.reject(failure('ERR_CLASSIFIER_CLOSED', 'the classification threads are stopped'));
      }
      for (const t of threads) t.idle?.();
      await Promise.all([...threads].map((t) => t.worker.terminate()));
    },
  };
}

function unrefTimeout(stop: () => void, ms: number): () => void {
  const timer = setTimeout(stop, ms);
  timer.unref();
  return () => clearTimeout(timer);
}
