// report.html in a real browser: headless Chromium (Debian `chromium`) renders the report from a packet exported
// with a pinned ledger key, and the rendered DOM carries the packet's key numbers, the verdict and both SVG charts.
// In CI (CI=true) Chromium is required; elsewhere the test is skipped when it is not installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPacket, PACKET_FILES, readPacket } from '../../src/evidence/index.ts';
import { openEvidenceLedger, standardTraffic } from '../helpers/evidence-ledger.ts';
import type { EvidenceLedger } from '../helpers/evidence-ledger.ts';

const chromium = ['chromium', 'chromium-browser'].find(
  (bin) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0,
);
if (chromium === undefined && process.env.CI === 'true')
  throw new Error('chromium is required in CI (apt-get install chromium)');

let l: EvidenceLedger;

beforeAll(async () => {
  l = await openEvidenceLedger('html-1');
  await standardTraffic(l);
}, 120_000);

afterAll(async () => {
  await l?.ledger.close();
  await l?.sql.close();
});

describe.skipIf(chromium === undefined)('report.html in headless Chromium', () => {
  it('shows the counts, the denials, the verdict and the charts', async () => {
    const exported = await exportPacket({
      sql: l.sql,
      exporterKey: createPrivateKey(l.exporterKey.privateKeyPem),
      exportedBy: 'Dana Auditor',
      exportedAt: new Date('2026-03-03T10:00:00Z'),
      query: {
        subjects: [],
        groups: [],
        tenants: [],
        clients: [],
        request_ids: [],
        from: null,
        to: null,
        decision: null,
        policy_versions: [],
        types: ['decision', 'outcome'],
        until_checkpoint: false,
      },
      trust: { ledgerKeys: [l.ledgerKey.publicKeyPem], exporterKeys: [] },
      packetName: 'dana.tar.gz',
    });
    const dir = mkdtempSync(path.join(l.dir, 'html-'));
    const file = path.join(dir, 'report.html');
    writeFileSync(file, readPacket(exported.bytes).get(PACKET_FILES.report) as Buffer);
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    const dom = execFileSync(
      chromium as string,
      [
        '--headless',
        '--disable-gpu',
        ...(root ? ['--no-sandbox'] : []),
        `--user-data-dir=${path.join(dir, 'profile')}`,
        '--dump-dom',
        `file://${file}`,
      ],
      { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const text = (id: string) => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(dom)?.[1];
    expect(text('verdict')).toBe('VERIFIED');
    expect(text('count-records')).toBe('11');
    expect(text('count-decisions')).toBe('7');
    expect(text('count-allowed')).toBe('4');
    expect(text('count-denied')).toBe('3');
    expect(text('count-redacted')).toBe('1');
    expect(text('count-outcomes')).toBe('4');
    expect(text('exported-by')).toBe('Dana Auditor');
    // Top denial reasons: MODEL_NOT_PERMITTED 3 times, PCI_NOT_PERMITTED twice.
    expect(dom).toMatch(/<code>MODEL_NOT_PERMITTED<\/code><\/td><td>3<\/td>/);
    expect(dom).toMatch(/<code>PCI_NOT_PERMITTED<\/code><\/td><td>2<\/td>/);
    expect(dom).toContain('aria-label="decisions over time"');
    expect(dom).toContain('aria-label="findings by category"');
    expect(text('reverify')).toBe(
      `proctor verify dana.tar.gz --trust ${l.ledgerKey.kid} --trust-exporter ${l.exporterKey.kid}`,
    );
    expect(dom).not.toContain('<script>alert');
  }, 90_000);
});
