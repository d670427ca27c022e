// Proctor in a process of its own for the dense-prompt bench (as bench/proctor-process.ts), with a probe
// (dense-probe.ts) answering `start` and `stop` over the IPC channel, so RSS and event-loop delay are Proctor's alone.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { resolveConfig } from '../src/config/index.ts';
import { startProctor } from '../src/main.ts';
import { createProbe } from './dense-probe.ts';

// BENCH_V8_FLAGS: V8 flags for Proctor's process only (experiments, e.g. --no-memory-reducer).
if (process.env.BENCH_V8_FLAGS) setFlagsFromString(process.env.BENCH_V8_FLAGS);
// BENCH_PROCTOR_CPUS: the cores Proctor's process runs on (taskset list, e.g. `0`), every thread of it, set before its
// classification threads start (they inherit it); the client and PostgreSQL keep the cores they were started on
// (`BENCH_PROCTOR_CPUS=0 taskset -c 1 node bench/dense-prompt.ts`), so neither takes Proctor's core.
if (process.env.BENCH_PROCTOR_CPUS)
  execFileSync('taskset', ['-a', '-p', '-c', process.env.BENCH_PROCTOR_CPUS, String(process.pid)], { stdio: 'ignore' });
// BENCH_PROCTOR_NICE: the scheduling priority of every thread of it (Linux: per thread; threads started later inherit
// it), e.g. -10 (root) to read what Proctor's own work costs its event loop on a machine other tenants keep busy.
if (process.env.BENCH_PROCTOR_NICE) {
  for (const tid of readdirSync('/proc/self/task')) setPriority(Number(tid), Number(process.env.BENCH_PROCTOR_NICE));
}
const { doc, env } = JSON.parse(process.env.PROCTOR_BENCH_CONFIG ?? 'null') as {
  doc: Record<string, unknown>;
  env: Record<string, string>;
};
const proctor = await startProctor(resolveConfig(doc, { env, baseDir: process.cwd() }), { log: () => {} });
const probe = createProbe();
process.on('message', (message: { kind?: string }) => {
  const done = message.kind === 'start' ? probe.start().then(() => ({ ok: true })) : probe.stop();
  void done.then((reply) => process.send?.(reply));
});
process.stdout.write(`${proctor.url}\n`);
// BENCH_V8_FLAGS_SERVING: V8 flags set once Proctor listens (e.g. --trace-gc, whose lines would otherwise come before
// the URL line the bench reads); dense-prompt.ts copies what this process prints after that line to its stderr.
if (process.env.BENCH_V8_FLAGS_SERVING) setFlagsFromString(process.env.BENCH_V8_FLAGS_SERVING);
process.on('SIGTERM', () => {
  void Promise.all([probe.close(), proctor.close()]).finally(() => process.exit(0));
});
