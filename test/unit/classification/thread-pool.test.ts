// The thread pool's clocks (src/classification/thread-pool.ts), with a fake deadline scheduler and a thread whose
// start-up the test holds (thread-pool-gated.ts): a job's timeout runs from when a ready thread takes it, so a thread
// slow to start does not eat into it; start-up has a bound of its own, past which the job fails as any failed
// thread's (ERR_CLASSIFIER_WORKER_FAILED) and the next job gets a new thread; a job that runs past its timeout still
// fails. No test waits for time: every wait is for a deadline being scheduled or a job settling.
import { afterEach, describe, expect, it } from 'vitest';
import { createThreadPool, type ThreadPool } from '../../../src/classification/thread-pool.ts';
import { codeOf } from './classification-error-code.ts';

const ENTRY = new URL('./thread-pool-gated.ts', import.meta.url);
const TIMEOUT_MS = 1000;
const STARTUP_MS = 5000;

interface Deadline {
  ms: number;
  fire: () => void;
  live: boolean;
}

/** A pool of one thread whose start-up waits for `open()`, with deadlines the test fires. */
function gatedPool() {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const deadlines: Deadline[] = [];
  let scheduled: () => void = () => {};
  const deadline = (fire: () => void, ms: number) => {
    const entry = { ms, fire, live: true };
    deadlines.push(entry);
    scheduled();
    return () => {
      entry.live = false;
    };
  };
  const pool = createThreadPool({
    entry: ENTRY,
    workerData: { gate },
    size: 1,
    timeoutMs: TIMEOUT_MS,
    startupMs: STARTUP_MS,
    deadline,
  });
  return {
    pool,
    live: () => deadlines.filter((d) => d.live).map((d) => d.ms),
    /** Resolves once a deadline of `ms` is live. */
    async scheduledOf(ms: number): Promise<Deadline> {
      for (;;) {
        const found = deadlines.find((d) => d.live && d.ms === ms);
        if (found) return found;
        await new Promise<void>((resolve) => {
          scheduled = resolve;
        });
      }
    },
    open() {
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
    },
  };
}

const pools: ThreadPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('the thread pool: start-up and job clocks', () => {
  it("a thread still starting: only the start-up's deadline runs; the job's starts when the thread is ready", async () => {
    const g = gatedPool();
    pools.push(g.pool);
    const job = g.pool.run({ kind: 'echo', value: 'first' });
    // Handed to a thread that is starting: no job deadline yet, however long the start-up takes within its bound.
    expect(g.live()).toEqual([STARTUP_MS]);
    g.open();
    await g.scheduledOf(TIMEOUT_MS);
    expect(g.live()).toEqual([TIMEOUT_MS]);
    expect(await job).toBe('first');
    expect(g.live()).toEqual([]);
    // A ready thread's next job is clocked from its hand-off.
    const next = g.pool.run({ kind: 'echo', value: 'second' });
    expect(g.live()).toEqual([TIMEOUT_MS]);
    expect(await next).toBe('second');
  });

  it('a thread not ready within startupMs: its job fails ERR_CLASSIFIER_WORKER_FAILED, the next gets a new thread', async () => {
    const g = gatedPool();
    pools.push(g.pool);
    const job = g.pool.run({ kind: 'echo', value: 'late' });
    (await g.scheduledOf(STARTUP_MS)).fire();
    expect(await codeOf(job)).toBe('ERR_CLASSIFIER_WORKER_FAILED');
    expect(g.pool.stats()).toMatchObject({ threads: 0, running: 0 });
    g.open();
    const next = g.pool.run({ kind: 'echo', value: 'next' });
    expect(await next).toBe('next');
  });

  it('a job that runs past its timeout on a ready thread still fails ERR_CLASSIFIER_WORKER_FAILED', async () => {
    const g = gatedPool();
    pools.push(g.pool);
    g.open();
    expect(await g.pool.run({ kind: 'echo', value: 'warm' })).toBe('warm');
    const hung = g.pool.run({ kind: 'hang' });
    (await g.scheduledOf(TIMEOUT_MS)).fire();
    expect(await codeOf(hung)).toBe('ERR_CLASSIFIER_WORKER_FAILED');
  });
});
