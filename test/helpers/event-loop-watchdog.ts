// Vitest setup: a test file whose code never yields (a loop that does not end) holds its worker for ever: vitest's
// test and hook timeouts are timers on the same event loop, so they never fire, and the run never ends (CI ends it at
// its own limit, with no line saying which test). A thread beside the test's event loop watches a heartbeat the
// loop writes every second; when the loop has been blocked for PROCTOR_TEST_BLOCKED_S seconds (default 900: thirty
// times the test timeout; the slowest property case blocks ~14 s quiet, 277 s at load 20), it writes the file and the
// test to stderr and kills its own process, so vitest reports that file as failed ("worker exited unexpectedly") and
// the run goes on to its end.
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, expect } from 'vitest';

const limit = Number.parseInt(process.env.PROCTOR_TEST_BLOCKED_S ?? '900', 10);
const NAME_BYTES = 1024;
// [0]: the loop's last beat (seconds since the epoch); [1]: the current test name's length in bytes.
const state = new Int32Array(new SharedArrayBuffer(8));
const name = new Uint8Array(new SharedArrayBuffer(NAME_BYTES));

function setName(text: string): void {
  const bytes = Buffer.from(text).subarray(0, NAME_BYTES);
  name.set(bytes);
  Atomics.store(state, 1, bytes.length);
}

setName(`${expect.getState().testPath ?? '?'} (loading)`);
// A beat at each test's start and end too: vitest runs a file's synchronous tests one after the other without giving
// the event loop a turn, so a file of hundreds of short synchronous tests (stream-scanner-release's: 0.1-4 s each) let
// no interval fire and was ended as blocked for 903 s at a load of 28; a single test that never ends still is.
const beat = () => Atomics.store(state, 0, Math.floor(Date.now() / 1000));
if (Number.isSafeInteger(limit) && limit > 0) {
  beat();
  setInterval(beat, 1000).unref();
  const watcher = new Worker(
    `const { workerData: { state, name, limit } } = require('node:worker_threads');
     const { writeSync } = require('node:fs');
     setInterval(() => {
       const blocked = Math.floor(Date.now() / 1000) - Atomics.load(state, 0);
       if (blocked < limit) return;
       const test = Buffer.from(name.slice(0, Atomics.load(state, 1))).toString();
       writeSync(2, '\\nevent-loop watchdog: ' + test + ' blocked its event loop for ' + blocked + ' s; ending pid ' +
         process.pid + ' so the run goes on\\n');
       process.kill(process.pid, 'SIGKILL');
     }, 5000);`,
    { eval: true, workerData: { state, name, limit } },
  );
  watcher.unref();
}

beforeEach((context) => {
  beat();
  setName(`${context.task.file?.name ?? '?'} > ${context.task.name}`);
});
afterEach((context) => {
  beat();
  setName(`${context.task.file?.name ?? '?'} (after ${context.task.name})`);
});
