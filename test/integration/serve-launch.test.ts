// `proctor serve`'s launcher (bin/proctor.js): it reads the memory limit before anything else, and refuses one it
// cannot size a heap for, naming the setting, before the configuration is even read.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/proctor.js', import.meta.url));

describe('proctor serve launcher', () => {
  it('refuses a memory limit too small to start on, with exit code 2', () => {
    const run = spawnSync(process.execPath, [bin, 'serve', '--config', '/nonexistent/proctor.yaml'], {
      env: { ...process.env, PROCTOR_MEMORY_LIMIT_MIB: '100', PROCTOR_NODE_HEAP: '' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('PROCTOR_MEMORY_LIMIT_MIB');
  });

  it('leaves the heap alone when told to (PROCTOR_NODE_HEAP=off): the configuration is read as before', () => {
    const run = spawnSync(process.execPath, [bin, 'serve', '--config', '/nonexistent/proctor.yaml'], {
      env: { ...process.env, PROCTOR_MEMORY_LIMIT_MIB: '100', PROCTOR_NODE_HEAP: 'off' },
      encoding: 'utf8',
    });
    expect(run.stderr).not.toContain('PROCTOR_MEMORY_LIMIT_MIB');
    expect(run.stderr).toContain('/nonexistent/proctor.yaml');
  });
});
