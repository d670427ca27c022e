// report.html escapes every attacker-influenced value and states the verdict it was given.
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderReport, verdictLabel } from '../../../src/evidence/index.ts';
import type { PacketManifest } from '../../../src/evidence/index.ts';

const manifest: Omit<PacketManifest, 'files'> = {
  v: 1,
  kind: 'proctor-evidence-packet',
  exported_at: '2026-01-01T00:00:00.000Z',
  exported_by: '<b>Eve</b>',
  exporter: { kid: `ed25519:${'0'.repeat(64)}`, public_key_pem: '' },
  query: {
    subjects: ['"><svg onload=1>'],
    groups: [],
    tenants: [],
    clients: [],
    request_ids: [],
    from: null,
    to: null,
    decision: null,
    policy_versions: [],
    types: ['decision'],
    until_checkpoint: false,
  },
  counts: {
    records: 1,
    decisions: 1,
    allowed: 0,
    denied: 1,
    redacted: 0,
    outcomes: 0,
    other: 0,
    chains: 1,
    checkpoints: 1,
    excluded_uncheckpointed: 0,
  },
  chains: [
    {
      chain: 'c<1>',
      records: 1,
      first_ts: '2026-01-01T00:00:00.000Z',
      last_ts: '2026-01-01T00:00:00.000Z',
      checkpoint_size: 2,
    },
  ],
};
const record = {
  type: 'decision',
  ts: '2026-01-01T00:00:00.000Z',
  request: { model: '</code><script>x</script>' },
  classification: { findings: [{ category: '<i>PII</i>' }] },
  decision: { allow: false, reasons: [{ code: '<R>', message: 'it\'s <bad> & "quoted"' }] },
};

describe('renderReport', () => {
  it('escapes subjects, models, reasons, categories, chains and the exporter name', () => {
    const html = renderReport({
      manifest,
      records: [record],
      verdict: { keySource: 'pinned', trustedKids: [], findings: [] },
      packetName: 'p<1>.tar.gz',
    });
    for (const raw of ['<b>Eve', '<svg onload', '<script>x', '<i>PII', '<R>', '<bad>', 'c<1>', 'p<1>'])
      expect(html).not.toContain(raw);
    expect(html).toContain(escapeHtml('it\'s <bad> & "quoted"'));
    expect(html).toContain('id="count-denied">1<');
  });

  it('labels the verdict by findings and key source', () => {
    const error = {
      code: 'RECORD_HASH_MISMATCH' as const,
      severity: 'error' as const,
      chain: 'c',
      seq: 1,
      message: 'x',
    };
    expect(verdictLabel({ keySource: 'pinned', trustedKids: [], findings: [error] })).toBe('FAILED');
    expect(verdictLabel({ keySource: 'database', trustedKids: [], findings: [] })).toBe('SELF-CHECK PASSED');
    expect(verdictLabel({ keySource: 'pinned', trustedKids: [], findings: [] })).toBe('VERIFIED');
  });
});
