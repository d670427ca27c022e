// proctor export -> proctor verify <packet> round trip on a real (PGlite) ledger with real OPA decisions: a clean
// packet verifies offline (exit 0), exports are byte-identical for the same inputs, filters select the right records,
// uncheckpointed records are refused, and each tamper class fails with its exact finding code and exit 1.
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExport } from '../../src/cli/export.ts';
import { runVerify } from '../../src/cli/verify.ts';
import { openManifest, PACKET_FILES, readPacket } from '../../src/evidence/index.ts';
import { writeTarGz } from '../../src/tar/index.ts';
import type { InclusionEntry, PacketManifest } from '../../src/evidence/index.ts';
import { migrate, openPglite } from '../../src/db/index.ts';
import { canonicalize, generateSigningKey, loadSigner, openLedger, parseCanonical } from '../../src/ledger/index.ts';
import { signManifest, fileEntry } from '../../src/evidence/packet.ts';
import { HOSTILE_MODEL, openEvidenceLedger, standardTraffic } from '../helpers/evidence-ledger.ts';
import type { EvidenceLedger } from '../helpers/evidence-ledger.ts';

let l: EvidenceLedger;
let files: { ledgerPub: string; exporterPriv: string; exporterPub: string; otherPub: string };
let n = 0;

beforeAll(async () => {
  l = await openEvidenceLedger();
  await standardTraffic(l);
  files = {
    ledgerPub: path.join(l.dir, 'ledger.pub.pem'),
    exporterPriv: path.join(l.dir, 'exporter.pem'),
    exporterPub: path.join(l.dir, 'exporter.pub.pem'),
    otherPub: path.join(l.dir, 'other.pub.pem'),
  };
  writeFileSync(files.ledgerPub, l.ledgerKey.publicKeyPem);
  writeFileSync(files.exporterPriv, l.exporterKey.privateKeyPem);
  writeFileSync(files.exporterPub, l.exporterKey.publicKeyPem);
  writeFileSync(files.otherPub, createPrivateKeyPub());
}, 120_000);

afterAll(async () => {
  await l?.ledger.close();
  await l?.sql.close();
});

/** A valid Ed25519 key nobody trusts. */
function createPrivateKeyPub(): string {
  return generateSigningKey().publicKeyPem;
}

interface Run {
  code: number;
  out: string;
  err: string;
}

async function exportCli(args: string[], name?: string): Promise<Run & { file: string }> {
  const file =
    name === undefined
      ? path.join(l.dir, `packet-${++n}.tar.gz`)
      : path.join(mkdtempSync(path.join(l.dir, 'same-')), name);
  let out = '';
  let err = '';
  const code = await runExport(
    ['--key', files.exporterPriv, '--exported-by', 'Dana Auditor (compliance)', '--out', file, ...args],
    {
      stdout: (s) => (out += s),
      stderr: (s) => (err += s),
      env: {},
      openSql: async () => l.sql,
    },
  );
  return { code, out, err, file };
}

async function verifyCli(
  file: string,
  extra: string[] = ['--trust', files.ledgerPub, '--trust-exporter', files.exporterPub],
): Promise<Run & { report: { ok: boolean; findings: { code: string }[]; records: number } }> {
  let out = '';
  let err = '';
  const code = await runVerify([file, ...extra, '--json'], {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    env: {},
  });
  return { code, out, err, report: out ? JSON.parse(out) : { ok: false, findings: [], records: 0 } };
}

function manifestOf(file: string): PacketManifest {
  const packet = readPacket(readFileSync(file));
  const opened = openManifest(
    packet.get(PACKET_FILES.manifest) as Buffer,
    packet.get(PACKET_FILES.signature) as Buffer,
  );
  if (!opened.ok) throw new Error(opened.why);
  return opened.manifest;
}

/** Rewrites a packet: `edit` changes its files; with resign the (malicious) exporter re-signs a fresh manifest. */
function tamper(
  file: string,
  edit: (files: Map<string, Buffer>, manifest: PacketManifest) => void,
  resign: boolean,
): string {
  const packet = readPacket(readFileSync(file));
  const manifest = manifestOf(file);
  const contents = new Map(
    [...packet].filter(([name]) => name !== PACKET_FILES.manifest && name !== PACKET_FILES.signature),
  );
  edit(contents, manifest);
  let manifestBytes = packet.get(PACKET_FILES.manifest) as Buffer;
  let sig = packet.get(PACKET_FILES.signature) as Buffer;
  if (resign) {
    const names = [...contents.keys()].sort();
    const signed = signManifest(
      { ...manifest, files: names.map((name) => fileEntry(name, contents.get(name) as Buffer)) },
      createPrivateKey(l.exporterKey.privateKeyPem),
    );
    manifestBytes = Buffer.from(signed.manifest);
    sig = Buffer.from(signed.signature);
  }
  const out = path.join(l.dir, `tampered-${++n}.tar.gz`);
  writeFileSync(
    out,
    writeTarGz(
      [
        { name: PACKET_FILES.manifest, data: manifestBytes },
        { name: PACKET_FILES.signature, data: sig },
        ...[...contents].map(([name, data]) => ({ name, data })),
      ],
      0,
    ),
  );
  return out;
}

const lines = (b: Buffer) =>
  b
    .toString('utf8')
    .split('\n')
    .filter((s) => s !== '');

describe('proctor export and offline packet verification', () => {
  it('exports everything and verifies the packet offline: exit 0, counts match the ledger', async () => {
    const exported = await exportCli([]);
    expect(exported.err).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.out).toContain('check before signing: SELF-CHECK PASSED');
    const m = manifestOf(exported.file);
    // 7 decisions: alice 4 allowed (1 redacted), bob 2 denied (card data, model), carol 1 denied (model); one
    // outcome per allowed decision; the policy_activated record is not a decision or outcome and not selected.
    expect(m.counts).toEqual({
      records: 11,
      decisions: 7,
      allowed: 4,
      denied: 3,
      redacted: 1,
      outcomes: 4,
      other: 0,
      chains: 1,
      checkpoints: 2,
      excluded_uncheckpointed: 0,
    });
    expect(m.exported_by).toBe('Dana Auditor (compliance)');
    // The selection is stated under the exporter's signature: by signed content, every chain read whole.
    expect(m.selection?.basis).toBe('signed-content');
    expect(m.selection?.scanned.map((c) => c.first_seq)).toEqual(m.selection?.scanned.map(() => 0));
    expect(m.selection?.scanned.reduce((n, c) => n + c.records, 0)).toBeGreaterThan(m.counts.records);
    const html = (readPacket(readFileSync(exported.file)).get(PACKET_FILES.report) as Buffer).toString('utf8');
    expect(html).toContain('id="selected-by"');
    const verified = await verifyCli(exported.file);
    expect(verified.report.findings).toEqual([]);
    expect(verified.code).toBe(0);
    expect(verified.report.records).toBe(m.counts.records);

    // Human output names the verdict; a packet is verified without any database.
    let text = '';
    expect(
      await runVerify([exported.file, '--trust', files.ledgerPub, '--trust-exporter', files.exporterPub], {
        stdout: (s) => (text += s),
        stderr: () => {},
        env: {},
      }),
    ).toBe(0);
    expect(text).toContain('verdict: OK: verified');
    expect(text).toContain('exported by: Dana Auditor (compliance)');
    expect(text).toContain('selected by: the signed record content');
  });

  it('is byte-identical for the same database, query, keys and export time', async () => {
    // The packet's file name is part of report.html (the re-verify command), so both carry the same name.
    const a = await exportCli(['--exported-at', '2026-03-03T10:00:00Z', '--subject', 'alice'], 'alice.tar.gz');
    const b = await exportCli(['--exported-at', '2026-03-03T10:00:00Z', '--subject', 'alice'], 'alice.tar.gz');
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    expect(Buffer.compare(readFileSync(a.file), readFileSync(b.file))).toBe(0);
  });

  it('filters by subject, group, tenant, client, decision, policy version, type and time window', async () => {
    const records = (file: string) =>
      lines(readPacket(readFileSync(file)).get(PACKET_FILES.records) as Buffer).map(
        (s) => parseCanonical(Buffer.from(s)) as Record<string, any>,
      );
    const subj = await exportCli(['--subject', 'bob']);
    expect(records(subj.file).map((r) => [r.type, r.principal?.sub])).toEqual([
      ['decision', 'bob'],
      ['decision', 'bob'],
    ]);
    const denied = await exportCli(['--decision', 'deny']);
    expect(records(denied.file).every((r) => r.type === 'decision' && r.decision.allow === false)).toBe(true);
    const group = await exportCli(['--group', 'eng', '--tenant', 'globex']);
    expect(new Set(records(group.file).map((r) => r.request_id))).toEqual(
      new Set([records(group.file)[0]?.request_id]),
    );
    expect(records(group.file)[0]?.principal.sub).toBe('carol');
    const client = await exportCli(['--client', 'crm']);
    expect(records(client.file).map((r) => r.principal?.sub)).toEqual(['bob', 'bob']);
    // Outcomes follow their decisions: every selected outcome names a selected decision.
    const alice = records((await exportCli(['--subject', 'alice'])).file);
    const hashes = new Set(alice.filter((r) => r.type === 'decision').map((r) => r.hash));
    expect(alice.filter((r) => r.type === 'outcome').every((r) => hashes.has(r.decision_hash))).toBe(true);
    expect(alice.filter((r) => r.type === 'outcome').length).toBeGreaterThan(0);
    const activation = await exportCli(['--type', 'policy_activated', '--policy-version', l.engine.version.sha256]);
    expect(records(activation.file).map((r) => r.type)).toEqual(['policy_activated']);
    const window = await exportCli(['--from', '2026-03-02T08:00:00Z', '--to', '2026-03-02T08:05:00Z']);
    expect(
      records(window.file).every((r) => r.ts >= '2026-03-02T08:00:00.000Z' && r.ts < '2026-03-02T08:05:00.000Z'),
    ).toBe(true);
    const none = await exportCli(['--subject', 'nobody']);
    expect(none.code).toBe(1);
    expect(none.err).toContain('ERR_EXPORT_NOTHING_SELECTED');
  });

  it('refuses usage errors with exit 2, naming the flag', async () => {
    expect((await exportCli(['--decision', 'maybe'])).err).toContain('--decision');
    const noBy = await runExport(
      ['--pglite', l.dataDir, '--key', files.exporterPriv, '--out', path.join(l.dir, 'x.tar.gz')],
      { stdout: () => {}, stderr: () => {}, env: {} },
    );
    expect(noBy).toBe(2);
    expect((await exportCli(['--from', 'yesterday'])).code).toBe(2);
  });

  it('never signs a checkpoint: records newer than the latest checkpoint fail the export unless --until-checkpoint', async () => {
    await l.request({ sub: 'dave', groups: ['eng'] });
    const refused = await exportCli(['--subject', 'dave']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('ERR_EXPORT_NOT_CHECKPOINTED');
    const all = await exportCli(['--until-checkpoint']);
    expect(all.code).toBe(0);
    expect(manifestOf(all.file).counts.excluded_uncheckpointed).toBeGreaterThanOrEqual(1);
    expect((await verifyCli(all.file)).code).toBe(0);
    await l.ledger.checkpoint();
    const later = await exportCli(['--subject', 'dave']);
    expect(later.code).toBe(0);
    // Several checkpoints anchor the records of a full export; consistency proofs link them and verify.
    const full = await exportCli([]);
    const checkpoints = lines(readPacket(readFileSync(full.file)).get(PACKET_FILES.checkpoints) as Buffer);
    expect(checkpoints.length).toBeGreaterThan(1);
    expect(lines(readPacket(readFileSync(full.file)).get(PACKET_FILES.consistency) as Buffer)).toHaveLength(
      checkpoints.length - 1,
    );
    expect((await verifyCli(full.file)).code).toBe(0);
  });

  it('escapes attacker-influenced values in report.html and loads nothing from outside', async () => {
    const exported = await exportCli(['--subject', 'carol']);
    const html = (readPacket(readFileSync(exported.file)).get(PACKET_FILES.report) as Buffer).toString('utf8');
    expect(html).not.toContain(HOSTILE_MODEL);
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
    expect(html).not.toMatch(/<(script|link|img|iframe|object|embed)\b|@import|url\(|\shref=/i);
    expect(html).toContain("default-src 'none'");
  });

  describe('tampering', () => {
    let clean: string;
    beforeAll(async () => {
      const e = await exportCli(['--until-checkpoint']);
      clean = e.file;
    });

    it('a file changed after signing: PACKET_FILE_DIGEST_MISMATCH', async () => {
      const bad = tamper(clean, (f) => f.set(PACKET_FILES.report, Buffer.from('<p>all fine</p>')), false);
      const v = await verifyCli(bad);
      expect(v.code).toBe(1);
      expect(v.report.findings.map((f) => f.code)).toEqual(['PACKET_FILE_DIGEST_MISMATCH']);
    });

    it('one record altered (and the manifest re-signed by the exporter): RECORD_HASH_MISMATCH', async () => {
      const bad = tamper(
        clean,
        (f) => {
          const recs = lines(f.get(PACKET_FILES.records) as Buffer);
          const i = recs.findIndex((r) => r.includes('"allow":false'));
          const record = JSON.parse(recs[i] as string);
          record.decision.allow = true;
          recs[i] = Buffer.from(canonicalize(record)).toString('utf8');
          f.set(PACKET_FILES.records, Buffer.from(`${recs.join('\n')}\n`));
        },
        true,
      );
      const v = await verifyCli(bad);
      expect(v.code).toBe(1);
      const codes = v.report.findings.map((f) => f.code);
      expect(codes).toContain('RECORD_HASH_MISMATCH');
      expect(codes).toContain('PACKET_PROOF_INVALID');
    });

    it('one record removed (manifest re-signed, counts kept): PACKET_RECORD_MISSING', async () => {
      const bad = tamper(
        clean,
        (f) => {
          const recs = lines(f.get(PACKET_FILES.records) as Buffer);
          recs.splice(1, 1);
          f.set(PACKET_FILES.records, Buffer.from(`${recs.join('\n')}\n`));
        },
        true,
      );
      const v = await verifyCli(bad);
      expect(v.code).toBe(1);
      expect(new Set(v.report.findings.map((f) => f.code))).toEqual(new Set(['PACKET_RECORD_MISSING']));
    });

    it('a forged inclusion proof: PACKET_PROOF_INVALID', async () => {
      const bad = tamper(
        clean,
        (f) => {
          const proofs = lines(f.get(PACKET_FILES.proofs) as Buffer).map((s) => JSON.parse(s) as InclusionEntry);
          const p = proofs.find((x) => x.proof.length > 0) as InclusionEntry;
          p.proof[0] = 'f'.repeat(64);
          f.set(
            PACKET_FILES.proofs,
            Buffer.from(proofs.map((x) => `${Buffer.from(canonicalize(x)).toString()}\n`).join('')),
          );
        },
        true,
      );
      const v = await verifyCli(bad);
      expect(v.code).toBe(1);
      expect(v.report.findings.map((f) => f.code)).toEqual(['PACKET_PROOF_INVALID']);
    });

    it('a forged checkpoint (not signed by a trusted key): CHECKPOINT_INVALID', async () => {
      const bad = tamper(
        clean,
        (f) => {
          const cps = lines(f.get(PACKET_FILES.checkpoints) as Buffer).map((s) => JSON.parse(s));
          cps[0].note = cps[0].note.replace(/\n\n.*$/s, '\n\n\u2014 proctor/ledger/ev-1 AAAAAA==\n');
          f.set(PACKET_FILES.checkpoints, Buffer.from(cps.map((c: unknown) => `${JSON.stringify(c)}\n`).join('')));
        },
        true,
      );
      const v = await verifyCli(bad);
      expect(v.code).toBe(1);
      expect(v.report.findings.map((f) => f.code)).toContain('CHECKPOINT_INVALID');
    });

    it('an unlisted file: PACKET_FILE_UNLISTED; a forged manifest signature: PACKET_MANIFEST_SIGNATURE_INVALID', async () => {
      const bad = tamper(clean, (f) => f.set('extra.txt', Buffer.from('x')), false);
      const v = await verifyCli(bad);
      expect(v.code).toBe(1);
      expect(v.report.findings.map((f) => f.code)).toEqual(['PACKET_FILE_UNLISTED']);
      const packet = readPacket(readFileSync(clean));
      const sig = JSON.parse((packet.get(PACKET_FILES.signature) as Buffer).toString());
      sig.sig = Buffer.alloc(64, 7).toString('base64url');
      const forged = tamper(clean, () => {}, false);
      const rebuilt = readPacket(readFileSync(forged));
      rebuilt.set(PACKET_FILES.signature, Buffer.from(JSON.stringify(sig)));
      writeFileSync(
        forged,
        writeTarGz(
          [...rebuilt].map(([name, data]) => ({ name, data })),
          0,
        ),
      );
      const v2 = await verifyCli(forged);
      expect(v2.code).toBe(1);
      expect(v2.report.findings.map((f) => f.code)).toEqual(['PACKET_MANIFEST_SIGNATURE_INVALID']);
    });

    it('an exporter nobody trusts is inconclusive (exit 3); no trusted ledger key is inconclusive too', async () => {
      const untrusted = await verifyCli(clean, ['--trust', files.ledgerPub]);
      expect(untrusted.code).toBe(3);
      expect(untrusted.report.findings.map((f) => f.code)).toEqual(['PACKET_EXPORTER_UNTRUSTED']);
      const wrongLedger = await verifyCli(clean, ['--trust', files.otherPub, '--trust-exporter', files.exporterPub]);
      expect(wrongLedger.code).toBe(1);
      expect(wrongLedger.report.findings.map((f) => f.code)).toContain('RECORD_KEY_UNTRUSTED');
    });

    it('bundles ride along with --include-bundles; a swapped bundle is PACKET_BUNDLE_MISMATCH', async () => {
      const bundles = mkdtempSync(path.join(l.dir, 'bundles-'));
      writeFileSync(path.join(bundles, 'ev-v1.tar.gz'), l.bundle);
      const withBundle = await exportCli(['--until-checkpoint', '--include-bundles', bundles]);
      expect(withBundle.code).toBe(0);
      const packet = readPacket(readFileSync(withBundle.file));
      const name = `policies/${l.engine.version.sha256}.tar.gz`;
      expect(Buffer.compare(packet.get(name) as Buffer, l.bundle)).toBe(0);
      expect(JSON.parse((packet.get(PACKET_FILES.policies) as Buffer).toString())).toEqual([
        { revision: 'ev-v1', sha256: l.engine.version.sha256, decisions: expect.any(Number), bundle: name },
      ]);
      expect((await verifyCli(withBundle.file)).code).toBe(0);
      const swapped = tamper(withBundle.file, (f) => f.set(name, Buffer.concat([l.bundle, Buffer.from('x')])), true);
      const v = await verifyCli(swapped);
      expect(v.code).toBe(1);
      expect(v.report.findings.map((f) => f.code)).toEqual(['PACKET_BUNDLE_MISMATCH']);
    });

    it('accepts pinned fingerprints: the ledger key resolved from the packet keyring, the exporter from the manifest', async () => {
      const pinned = await verifyCli(clean, ['--trust', l.ledgerKey.kid, '--trust-exporter', l.exporterKey.kid]);
      expect(pinned.report.findings).toEqual([]);
      expect(pinned.code).toBe(0);
      const unknown = await verifyCli(clean, [
        '--trust',
        generateSigningKey().kid,
        '--trust-exporter',
        l.exporterKey.kid,
      ]);
      expect(unknown.code).toBe(3);
      expect(unknown.report.findings.map((f) => f.code)).toContain('TRUST_KEY_NOT_FOUND');
      expect((await verifyCli(clean, ['--trust', 'ed25519:xyz'])).code).toBe(2);
    });

    it('refuses unsafe archives (path traversal) and usage errors', async () => {
      const evil = path.join(l.dir, 'evil.tar.gz');
      const tar = writeTarGz([{ name: 'manifest.json', data: Buffer.from('{}') }], 0);
      // Patch the entry name to ../x and fix the header checksum: the reader must refuse it.
      const { gunzipSync, gzipSync } = await import('node:zlib');
      const raw = gunzipSync(tar);
      raw.fill(0, 0, 100);
      raw.write('../etc/passwd', 0, 'latin1');
      raw.fill(0x20, 148, 156);
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += raw[i] as number;
      raw.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'latin1');
      writeFileSync(evil, gzipSync(raw));
      const v = await verifyCli(evil);
      expect(v.code).toBe(1);
      expect(v.report.findings.map((f) => f.code)).toEqual(['PACKET_MALFORMED']);
      let err = '';
      expect(
        await runVerify([clean, '--trust', path.join(l.dir, 'missing.pem')], {
          stdout: () => {},
          stderr: (s) => (err += s),
          env: {},
        }),
      ).toBe(2);
      expect(err).toContain('--trust');
    });
  });
});

describe('evidence packets across a key rotation', () => {
  it('verifies with a pinned keyring that holds both keys, and with only the old key pinned (the rotation rides along)', async () => {
    const dir = mkdtempSync(path.join(l.dir, 'rotation-'));
    const sql = await openPglite(path.join(dir, 'db'));
    await migrate(sql);
    const oldKey = generateSigningKey();
    const newKey = generateSigningKey();
    const ledger = await openLedger({
      sql,
      signer: loadSigner(oldKey.privateKeyPem),
      chain: 'rot-1',
      clock: { now: () => new Date() },
      checkpoints: { everyRecords: 1000, everySeconds: 0 },
    });
    const deny = (sub: string) => ({
      principal: { iss: 'https://idp', sub, client_id: null, groups: [], tenant: null },
      decision: { allow: false, stage: 'decide', reasons: [{ code: 'R', message: 'no' }], obligations: null },
    });
    await ledger.append('decision', 'a', deny('gina'), { subject: 'gina', decision: 'deny' });
    await ledger.rotateKey(loadSigner(newKey.privateKeyPem));
    await ledger.append('decision', 'b', deny('gina'), { subject: 'gina', decision: 'deny' });
    await ledger.close();
    const out = path.join(dir, 'gina.tar.gz');
    const code = await runExport(
      ['--key', files.exporterPriv, '--exported-by', 'rotation test', '--out', out, '--subject', 'gina'],
      { stdout: () => {}, stderr: () => {}, env: {}, openSql: async () => sql },
    );
    expect(code).toBe(0);
    const keyring = path.join(dir, 'keyring.json');
    writeFileSync(
      keyring,
      JSON.stringify({
        version: 1,
        keys: [oldKey, newKey].map((k) => ({
          kid: k.kid,
          public_key_pem: k.publicKeyPem,
          not_before: '2020-01-01T00:00:00.000Z',
          not_after: null,
        })),
      }),
    );
    expect((await verifyCli(out, ['--trust', keyring, '--trust-exporter', files.exporterPub])).code).toBe(0);
    const oldOnly = path.join(dir, 'old.pub.pem');
    writeFileSync(oldOnly, oldKey.publicKeyPem);
    const followed = await verifyCli(out, ['--trust', oldOnly, '--trust-exporter', files.exporterPub]);
    expect(followed.report.findings).toEqual([]);
    expect(followed.code).toBe(0);
    // Only the new key pinned: the records before the rotation (and the rotation itself) are not its to sign.
    const newOnly = path.join(dir, 'new.pub.pem');
    writeFileSync(newOnly, newKey.publicKeyPem);
    const partial = await verifyCli(out, ['--trust', newOnly, '--trust-exporter', files.exporterPub]);
    expect(partial.code).toBe(1);
    expect(partial.report.findings.map((f) => f.code)).toContain('RECORD_KEY_UNTRUSTED');
    await sql.close();
  }, 60_000);
});
