// `proctor usage` argument handling (usage errors exit 2 and name the flag) and its report over PGlite records.
import { describe, expect, it } from 'vitest';
import { runUsage, usageReport } from '../../../src/cli/usage.ts';
import { migrate, openPglite } from '../../../src/db/index.ts';

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

  it('reports nothing for an empty ledger', async () => {
    const sql = await openPglite();
    try {
      await migrate(sql);
      const report = await usageReport(sql, new Date('2026-01-01'), new Date('2027-01-01'), 'model');
      expect(report).toMatchObject({ by: 'model', rows: [], totals: { requests: 0, cost_micro_usd: 0 } });
    } finally {
      await sql.close();
    }
  });
});
