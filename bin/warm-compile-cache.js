#!/usr/bin/env node
// Warms Node's on-disk compile cache (NODE_COMPILE_CACHE) with every module Proctor's threads load, so that a served
// process finds each TypeScript file already stripped and compiled: the type stripper (a WebAssembly module, ~17 MiB
// a thread) is then never loaded, on the event loop's thread nor on any worker (docs/performance.md, "Memory"). The
// image's build runs it (deploy/Dockerfile), and so does the side-by-side bench before it launches Proctor. Importing
// a worker's entry on this thread runs nothing: each starts only when it is a worker with its expected data. It runs
// with the flags `serve` runs with: the cache is keyed by node's version and the V8 flags that change code (e.g.
// --minor-ms, --no-opt), not by heap sizes, so one fill serves every memory limit. It must run as the user that serves
// (the cache's directory is per uid).
import { flushCompileCache, getCompileCacheDir } from 'node:module';
import { totalmem } from 'node:os';
import { relaunchWithHeapFlags } from '../src/cli/node-heap.ts';

relaunchWithHeapFlags(process.env, totalmem());

const ENTRIES = [
  '../src/cli/main.ts',
  '../src/pipeline/intake-worker.ts',
  '../src/classification/classify-worker.ts',
  '../src/classification/thread-start.ts',
  '../src/ledger/sign-worker.ts',
];

if (getCompileCacheDir() === undefined) {
  process.stderr.write('warm-compile-cache: set NODE_COMPILE_CACHE to the cache directory\n');
  process.exit(2);
}
for (const entry of ENTRIES) await import(new URL(entry, import.meta.url).href);
flushCompileCache();
