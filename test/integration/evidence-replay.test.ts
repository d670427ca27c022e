// proctor replay: recorded decisions re-evaluated against the bundle each record names reproduce (database and
// packet sources); a decision whose recorded input does not give its recorded decision is reported (exit 1); a
// bundle that is not at hand — including a modified one, whose SHA-256 differs — is reported as missing (exit 3).
import { createPrivateKey } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReplay } from '../../src/cli/replay.ts';
import { exportPacket } from '../../src/evidence/index.ts';
import type { PacketQuery, ReplayReport } from '../../src/evidence/index.ts';
import { loadPolicyBundleBytes } from '../../src/policy/index.ts';
import { buildPolicyBundle } from '../helpers/policy-bundles.ts';
import { openEvidenceLedger, standardTraffic } from '../helpers/evidence-ledger.ts';
import type { EvidenceLedger } from '../helpers/evidence-ledger.ts';

let l: EvidenceLedger;
let bundles: string;
let otherBundles: string;
let empty: string;

const ALL: PacketQuery = {
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
};

beforeAll(async () => {
  l = await openEvidenceLedger('rp-1');
  await standardTraffic(l);
  bundles = path.join(l.dir, 'bundles');
  otherBundles = path.join(l.dir, 'other-bundles');
  empty = path.join(l.dir, 'empty');
  for (const d of [bundles, otherBundles, empty]) mkdirSync(d);
  writeFileSync(path.join(bundles, 'ev-v1.tar.gz'), l.bundle);
  // Same revision name, different policy: a tampered bundle. Its SHA-256 is not the recorded one.
  writeFileSync(
    path.join(otherBundles, 'ev-v1.tar.gz'),
    buildPolicyBundle({ revision: 'ev-v1', config: { pci_groups: ['sales'] } }).bytes,
  );
}, 180_000);

afterAll(async () => {
  await l?.ledger.close();
  await l?.sql.close();
});

async function replay(args: string[]): Promise<{ code: number; report: ReplayReport; err: string }> {
  let out = '';
  let err = '';
  const code = await runReplay([...args, '--json'], {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    env: {},
    openSql: async () => l.sql,
  });
  return { code, report: out ? (JSON.parse(out) as ReplayReport) : ({} as ReplayReport), err };
}

describe('proctor replay', () => {
  it('reproduces every recorded decision from the database', async () => {
    const r = await replay(['--bundles', bundles]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({ decisions: 7, replayed: 7, reproduced: 7, mismatches: [], missing_bundles: [] });
  });

  it('replays one request, and a time window', async () => {
    const one = await replay(['--bundles', bundles, '--request-id', 'req-0005']);
    expect(one.report).toMatchObject({ decisions: 1, reproduced: 1 });
    const window = await replay([
      '--bundles',
      bundles,
      '--from',
      '2026-03-02T08:00:00Z',
      '--to',
      '2026-03-02T08:07:00Z',
    ]);
    expect(window.code).toBe(0);
    expect(window.report.decisions).toBeGreaterThan(0);
    expect(window.report.decisions).toBeLessThan(7);
  });

  it('reports a missing bundle, and a modified bundle is not the recorded one (exit 3)', async () => {
    for (const dir of [empty, otherBundles]) {
      const r = await replay(['--bundles', dir]);
      expect(r.code).toBe(3);
      expect(r.report.replayed).toBe(0);
      expect(r.report.missing_bundles).toEqual([{ sha256: l.engine.version.sha256, revision: 'ev-v1', decisions: 7 }]);
    }
  });

  it('reports a decision whose recorded input does not give the recorded decision (exit 1)', async () => {
    await l.request({ sub: 'mallory', groups: ['sales'] }, { card: true, lieAboutInput: true });
    const r = await replay(['--bundles', bundles]);
    expect(r.code).toBe(1);
    expect(r.report.mismatches).toHaveLength(1);
    expect(r.report.mismatches[0]).toMatchObject({
      chain: 'rp-1',
      slot: 'active',
      differs: expect.arrayContaining(['reasons']),
    });
    expect(r.report.mismatches[0]?.recorded.reasons).toContain('PCI_NOT_PERMITTED');
    expect(r.report.mismatches[0]?.replayed.reasons).not.toContain('PCI_NOT_PERMITTED');
    expect(r.report.reproduced).toBe(7);
  });

  it('replays the shadow decision against the candidate bundle; without that bundle it is missing', async () => {
    const candidateBytes = buildPolicyBundle({ revision: 'ev-candidate', config: { pci_groups: ['sales'] } }).bytes;
    const candidate = await loadPolicyBundleBytes(candidateBytes);
    await l.request({ sub: 'bob', groups: ['sales'] }, { card: true, shadow: candidate });
    const withCandidate = path.join(l.dir, 'with-candidate');
    mkdirSync(withCandidate);
    writeFileSync(path.join(withCandidate, 'ev-v1.tar.gz'), l.bundle);
    writeFileSync(path.join(withCandidate, 'candidate.tar.gz'), candidateBytes);
    const both = await replay(['--bundles', withCandidate, '--request-id', 'req-0009']);
    expect(both.code).toBe(0);
    expect(both.report).toMatchObject({ decisions: 1, replayed: 2, reproduced: 2 });
    const activeOnly = await replay(['--bundles', bundles, '--request-id', 'req-0009']);
    expect(activeOnly.code).toBe(3);
    expect(activeOnly.report.missing_bundles).toEqual([
      { sha256: candidate.version.sha256, revision: 'ev-candidate', decisions: 1 },
    ]);
  });

  it('replays from an evidence packet, with the bundles it carries', async () => {
    await l.ledger.checkpoint();
    const bundleMap = new Map([[l.engine.version.sha256, l.bundle as Uint8Array]]);
    const exported = await exportPacket({
      sql: l.sql,
      exporterKey: createPrivateKey(l.exporterKey.privateKeyPem),
      exportedBy: 'replay test',
      exportedAt: new Date(),
      query: { ...ALL, subjects: ['alice'] },
      bundles: bundleMap,
    });
    const file = path.join(l.dir, 'packet.tar.gz');
    writeFileSync(file, exported.bytes);
    const r = await replay([file]);
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({ decisions: 4, reproduced: 4, mismatches: [], missing_bundles: [] });
    // A packet altered after signing is refused before anything is replayed.
    const bad = Buffer.from(exported.bytes);
    bad[bad.length - 20] = (bad[bad.length - 20] as number) ^ 0xff;
    writeFileSync(path.join(l.dir, 'bad.tar.gz'), bad);
    const refused = await replay([path.join(l.dir, 'bad.tar.gz')]);
    expect(refused.code).toBe(1);
  });

  it('refuses usage errors (exit 2)', async () => {
    expect((await replay([])).code).toBe(2);
    expect((await replay(['--bundles', path.join(l.dir, 'nope')])).code).toBe(2);
  });
});
