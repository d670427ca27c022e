// A pool thread's first module (thread-pool.ts): it loads the thread's own entry module, named by the thread's last
// argument, whose top level builds the thread's state and installs its message handler, then tells the pool it is
// ready. The pool counts a job's time from then and bounds the start-up apart: a thread slow to start (a loaded machine
// loading its modules and building its classifier) does not eat into its first job's timeout. A failed load throws
// here, which ends the thread (its job fails as any failed thread's).
import { parentPort } from 'node:worker_threads';

const entry = process.argv.at(-1);
if (parentPort !== null && entry !== undefined) {
  await import(entry);
  parentPort.postMessage({ ready: true });
}
