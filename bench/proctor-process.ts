// Proctor in a process of its own for benchmarks (bench/stack.ts, `process: true`): as deployed, its event loop shares
// nothing with the load generator or the upstream. Takes the configuration document and its secret environment as
// JSON in PROCTOR_BENCH_CONFIG, opens its own database pools from it (as `proctor start` would), prints its base URL
// on the first line of stdout, and closes on SIGTERM.
import { resolveConfig } from '../src/config/index.ts';
import { startProctor } from '../src/main.ts';

const { doc, env } = JSON.parse(process.env.PROCTOR_BENCH_CONFIG ?? 'null') as {
  doc: Record<string, unknown>;
  env: Record<string, string>;
};
const proctor = await startProctor(resolveConfig(doc, { env, baseDir: process.cwd() }), { log: () => {} });
process.stdout.write(`${proctor.url}\n`);
process.on('SIGTERM', () => {
  void proctor.close().finally(() => process.exit(0));
});
