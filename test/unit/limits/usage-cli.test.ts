// `proctor usage` argument handling: usage errors exit 2 and name the flag, before any database is opened. Its report
// over a database is tested where one is already open: test/integration/limits-pglite.test.ts (PGlite) and
// limits-http.test.ts (PostgreSQL, with records).
import { describe, expect, it } from 'vitest';
import { runUsage } from '../../../src/cli/usage.ts';

function io() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (s: string) => (out.stdout += s), stderr: (s: string) => (out.stderr += s), env: {} } };
}

describe('proctor usage', () => {
  it('names what is wrong with its arguments', async () => {
    for (const [args, needle] of [
      [['--db', 'postgres://x', '--by', 'colour'], '--by'],
      [['--by', 'model'], '--db or --pglite'],
      [['--db', 'postgres://x', '--from', 'yesterday'], '--from'],
      [['--db', 'postgres://x', '--from', '2026-02-01', '--to', '2026-01-01'], '--from must be before --to'],
      [['--db', 'postgres://x', '--pglite', 'dir'], 'not both'],
    ] as const) {
      const { out, io: cli } = io();
      expect(await runUsage([...args], cli)).toBe(2);
      expect(out.stderr).toContain(needle);
    }
    const { out, io: cli } = io();
    expect(await runUsage(['--help'], cli)).toBe(0);
    expect(out.stdout).toContain('NOT checked');
  });
});
