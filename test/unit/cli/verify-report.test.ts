// The human summary and exit code of `proctor verify`, from a report: what was checked, the time range, records per
// chain with the checkpoint anchoring each tail, every finding with where and why, and the verdict.
import { describe, expect, it } from 'vitest';
import { formatVerifyReport, verifyExitCode } from '../../../src/cli/verify-report.ts';
import type { VerifyReport } from '../../../src/verify/index.ts';

const base: VerifyReport = {
  kind: 'ledger',
  ok: true,
  inconclusive: false,
  source: 'postgres db.example:5432/proctor',
  signatures: 'all',
  sample_seed: null,
  trusted_kids: ['ed25519:' + 'a'.repeat(64)],
  chains: [
    {
      chain: 'r1',
      records: 9,
      first_seq: 0,
      last_seq: 8,
      first_ts: '2026-03-01T00:00:01.000Z',
      last_ts: '2026-03-01T00:00:09.000Z',
      head_hash: 'b'.repeat(64),
      signatures_checked: 9,
      checkpoint: { origin: 'proctor/ledger/r1', size: 8, root: 'c'.repeat(64), note: 'n', source: 'sink' },
      trimmed_through: null,
    },
    {
      chain: 'r2',
      records: 3,
      first_seq: 4,
      last_seq: 6,
      first_ts: '2026-02-01T00:00:00.000Z',
      last_ts: '2026-02-01T00:00:02.000Z',
      head_hash: 'd'.repeat(64),
      signatures_checked: 3,
      checkpoint: null,
      trimmed_through: 3,
    },
  ],
  findings: [],
};

describe('formatVerifyReport', () => {
  it('says what was checked, from when to when, per chain, and the verdict', () => {
    const text = formatVerifyReport(base, { state: 'updated s.json: r1 at 8 records' });
    expect(text).toContain('source: postgres db.example:5432/proctor');
    expect(text).toContain('signatures: every record: 12 of 12 record signatures verified');
    expect(text).toContain('time range: 2026-02-01T00:00:00.000Z .. 2026-03-01T00:00:09.000Z');
    expect(text).toContain('chain r1: 9 records, seq 0..8');
    expect(text).toContain('tail anchored by the sink checkpoint at 8 records');
    expect(text).toContain('chain r2: 3 records, seq 4..6');
    expect(text).toContain('records 0..3 removed by retention; tail not anchored by a trusted checkpoint');
    expect(text).toMatch(/verdict: OK: verified \(0 error\(s\), 0 warning\(s\)\)\nstate: updated s\.json/);
    expect(verifyExitCode(base)).toBe(0);
  });

  it('lists every finding with where and why; errors win over inconclusive', () => {
    const failed: VerifyReport = {
      ...base,
      ok: false,
      inconclusive: true,
      findings: [
        { code: 'CHAIN_ROLLED_BACK', severity: 'error', chain: 'r1', seq: 5, message: 'rolled back' },
        { code: 'VERIFY_TAIL_UNANCHORED', severity: 'warning', chain: 'r2', seq: 6, message: 'unanchored' },
        { code: 'CHAIN_TRIMMED', severity: 'info', chain: 'r2', seq: 4, message: 'trimmed' },
      ],
    };
    const text = formatVerifyReport(failed);
    expect(text).toContain('ERROR CHAIN_ROLLED_BACK (chain r1 seq 5): rolled back');
    expect(text).toContain('WARNING VERIFY_TAIL_UNANCHORED (chain r2 seq 6): unanchored');
    expect(text).toContain('INFO CHAIN_TRIMMED (chain r2 seq 4): trimmed');
    expect(text).toContain('verdict: FAILED: integrity errors found (1 error(s), 1 warning(s))');
    expect(verifyExitCode(failed)).toBe(1);
    expect(verifyExitCode({ ...failed, findings: failed.findings.slice(1) })).toBe(3);
  });
});
