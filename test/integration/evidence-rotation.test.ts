// Evidence packets across a key rotation, with only the first ledger key pinned: the export carries the chain's
// key_rotated records, and the offline verifier follows a rotation only from a trusted key (counter-signature checked),
// only for later records and for checkpoints whose tree holds the rotation. Forged rotations, records re-signed with
// the new key before the rotation, and the old key signing after it each fail with their finding code and exit 1.
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExport } from '../../src/cli/export.ts';
import { runVerify } from '../../src/cli/verify.ts';
import { openManifest, PACKET_FILES, readPacket } from '../../src/evidence/index.ts';
import { writeTarGz } from '../../src/tar/index.ts';
import type { CheckpointEntry, PacketManifest } from '../../src/evidence/index.ts';
import { fileEntry, signManifest } from '../../src/evidence/packet.ts';
import { migrate, openPglite } from '../../src/db/index.ts';
import type { Sql } from '../../src/db/index.ts';
import {
  canonicalize,
  generateSigningKey,
  loadSigner,
  openLedger,
  parseCanonical,
  sealRecord,
  signCheckpoint,
  signingMessage,
} from '../../src/ledger/index.ts';
import type { JsonValue, Signer, UnsignedRecord } from '../../src/ledger/index.ts';
import { rotationRecord } from '../../src/ledger/rotation.ts';

type Key = ReturnType<typeof generateSigningKey>;
interface Finding {
  code: string;
  chain: string;
  seq: number | null;
  message: string;
}

let dir: string;
let sql: Sql;
let oldKey: Key;
let newKey: Key;
let exporter: Key;
const file = (name: string) => path.join(dir, name);

// Chain rot-1: 0 chain_opened (old), 1 gina (old), 2 ivan (old), checkpoint 3 (old), 3 key_rotated old -> new,
// 4 gina (new), 5 bob (new), checkpoint 6 (new).
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'proctor-evidence-rotation-'));
  sql = await openPglite(path.join(dir, 'db'));
  await migrate(sql);
  oldKey = generateSigningKey();
  newKey = generateSigningKey();
  exporter = generateSigningKey();
  let t = Date.parse('2026-05-04T09:00:00.000Z');
  const clock = { now: () => new Date((t += 60_000)) };
  const ledger = await openLedger({
    sql,
    signer: loadSigner(oldKey.privateKeyPem),
    chain: 'rot-1',
    clock,
    checkpoints: { everyRecords: 1000, everySeconds: 0 },
  });
  const deny = (sub: string) => ({
    principal: { iss: 'https://idp', sub, client_id: null, groups: [], tenant: null },
    decision: { allow: false, stage: 'decide', reasons: [{ code: 'R', message: 'no' }], obligations: null },
  });
  await ledger.append('decision', 'g1', deny('gina'), { subject: 'gina', decision: 'deny' });
  await ledger.append('decision', 'i1', deny('ivan'), { subject: 'ivan', decision: 'deny' });
  await ledger.checkpoint();
  await ledger.rotateKey(loadSigner(newKey.privateKeyPem));
  await ledger.append('decision', 'g2', deny('gina'), { subject: 'gina', decision: 'deny' });
  await ledger.append('decision', 'b1', deny('bob'), { subject: 'bob', decision: 'deny' });
  await ledger.close();
  writeFileSync(file('old.pub.pem'), oldKey.publicKeyPem);
  writeFileSync(file('new.pub.pem'), newKey.publicKeyPem);
  writeFileSync(file('exporter.pem'), exporter.privateKeyPem);
  writeFileSync(file('exporter.pub.pem'), exporter.publicKeyPem);
}, 60_000);

afterAll(async () => {
  await sql?.close();
});

let n = 0;
async function exportSubject(subject: string, trust: string[] = []): Promise<string> {
  const out = file(`${subject}-${++n}.tar.gz`);
  let err = '';
  const code = await runExport(
    ['--key', file('exporter.pem'), '--exported-by', 'rotation test', '--out', out, '--subject', subject, ...trust],
    {
      stdout: () => {},
      stderr: (s) => (err += s),
      env: {},
      openSql: async () => sql,
    },
  );
  expect(code, err).toBe(0);
  return out;
}

async function verify(
  packet: string,
  trust: string[] = ['--trust', file('old.pub.pem')],
): Promise<{ code: number; findings: Finding[] }> {
  let out = '';
  const code = await runVerify([packet, ...trust, '--trust-exporter', file('exporter.pub.pem'), '--json'], {
    stdout: (s) => (out += s),
    stderr: () => {},
    env: {},
  });
  return { code, findings: out ? (JSON.parse(out) as { findings: Finding[] }).findings : [] };
}

const recordLines = (files: Map<string, Buffer>) =>
  (files.get(PACKET_FILES.records) as Buffer)
    .toString('utf8')
    .split('\n')
    .filter((s) => s !== '')
    .map((s) => parseCanonical(Buffer.from(s)) as Record<string, JsonValue>);

/** Rewrites a packet's records (and optionally other files); the exporter re-signs the manifest, as a forger would. */
function tamper(
  packet: string,
  edit: (records: Record<string, JsonValue>[], files: Map<string, Buffer>) => Promise<void> | void,
): Promise<string> {
  return (async () => {
    const original = readPacket(readFileSync(packet));
    const opened = openManifest(
      original.get(PACKET_FILES.manifest) as Buffer,
      original.get(PACKET_FILES.signature) as Buffer,
    );
    if (!opened.ok) throw new Error(opened.why);
    const files = new Map(
      [...original].filter(([name]) => name !== PACKET_FILES.manifest && name !== PACKET_FILES.signature),
    );
    const records = recordLines(files);
    await edit(records, files);
    files.set(
      PACKET_FILES.records,
      Buffer.concat(records.flatMap((r) => [Buffer.from(canonicalize(r)), Buffer.from('\n')])),
    );
    const names = [...files.keys()].sort();
    const manifest: PacketManifest = {
      ...opened.manifest,
      files: names.map((name) => fileEntry(name, files.get(name) as Buffer)),
    };
    const signed = signManifest(manifest, createPrivateKey(exporter.privateKeyPem));
    const out = file(`tampered-${++n}.tar.gz`);
    writeFileSync(
      out,
      writeTarGz(
        [
          { name: PACKET_FILES.manifest, data: Buffer.from(signed.manifest) },
          { name: PACKET_FILES.signature, data: Buffer.from(signed.signature) },
          ...[...files].map(([name, data]) => ({ name, data })),
        ],
        0,
      ),
    );
    return out;
  })();
}

/** The record without its seal (what sealRecord and rotationRecord take). */
function unsealed(record: Record<string, JsonValue>): UnsignedRecord {
  const { hash: _h, kid: _k, sig: _s, ...rest } = record;
  return rest as UnsignedRecord;
}

/** Replaces kid and sig only (hash unchanged, so the inclusion proof still holds): a record re-signed by `signer`. */
async function resign(record: Record<string, JsonValue>, signer: Signer): Promise<void> {
  const sig = await signer.sign(signingMessage(Buffer.from(String(record.hash), 'hex')));
  record.kid = signer.kid;
  record.sig = Buffer.from(sig).toString('base64url');
}

const bySeq = (records: Record<string, JsonValue>[], seq: number) =>
  records.find((r) => r.seq === seq) as Record<string, JsonValue>;
const codesAt = (findings: Finding[], seq: number) => findings.filter((f) => f.seq === seq).map((f) => f.code);

describe('evidence packets across a key rotation, only the first key pinned', () => {
  it('exports the rotation with the records that span it and verifies (exit 0)', async () => {
    const packet = await exportSubject('gina', ['--trust', file('old.pub.pem')]);
    const files = readPacket(readFileSync(packet));
    expect(recordLines(files).map((r) => [r.seq, r.type, r.kid])).toEqual([
      [1, 'decision', oldKey.kid],
      [3, 'key_rotated', oldKey.kid],
      [4, 'decision', newKey.kid],
    ]);
    const proofs = (files.get(PACKET_FILES.proofs) as Buffer)
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { seq: number; tree_size: number });
    expect(proofs.map((p) => [p.seq, p.tree_size])).toEqual([
      [1, 3],
      [3, 6],
      [4, 6],
    ]);
    const result = await verify(packet);
    expect(result.findings).toEqual([]);
    expect(result.code).toBe(0);
    // A pinned keyring holding only the old key keeps its window semantics and follows the rotation too.
    const keyring = file('old-keyring.json');
    writeFileSync(
      keyring,
      JSON.stringify({
        version: 1,
        keys: [
          {
            kid: oldKey.kid,
            public_key_pem: oldKey.publicKeyPem,
            not_before: '2026-01-01T00:00:00.000Z',
            not_after: null,
          },
        ],
      }),
    );
    expect((await verify(packet, ['--trust', keyring])).code).toBe(0);
    // Its window closing at the rotation's own timestamp puts that record (signed by the old key) outside it.
    const rotatedAt = String(recordLines(files).find((r) => r.type === 'key_rotated')?.ts);
    const closed = file('old-keyring-closed.json');
    writeFileSync(
      closed,
      JSON.stringify({
        version: 1,
        keys: [
          {
            kid: oldKey.kid,
            public_key_pem: oldKey.publicKeyPem,
            not_before: '2026-01-01T00:00:00.000Z',
            not_after: rotatedAt,
          },
        ],
      }),
    );
    const windowed = await verify(packet, ['--trust', closed]);
    expect(windowed.code).toBe(1);
    expect(windowed.findings.map((f) => [f.code, f.seq])).toEqual([['RECORD_KEY_OUTSIDE_WINDOW', 3]]);
  });

  it('carries the rotation for a subject whose records all precede it: the newest checkpoint is signed by the new key', async () => {
    const packet = await exportSubject('ivan');
    expect(recordLines(readPacket(readFileSync(packet))).map((r) => [r.seq, r.type])).toEqual([
      [2, 'decision'],
      [3, 'key_rotated'],
    ]);
    expect(await verify(packet)).toEqual({ code: 0, findings: [] });
  });

  it('a rotation whose counter-signature is broken (signed by the trusted key): KEY_ROTATION_INVALID, later records untrusted', async () => {
    const packet = await exportSubject('gina');
    const forged = await tamper(packet, async (records) => {
      const rotation = bySeq(records, 3);
      const resealed = await sealRecord(
        { ...unsealed(rotation), counter_sig: Buffer.alloc(64, 7).toString('base64url') } as UnsignedRecord,
        loadSigner(oldKey.privateKeyPem),
      );
      records[records.indexOf(rotation)] = resealed.record as unknown as Record<string, JsonValue>;
    });
    const result = await verify(forged);
    expect(result.code).toBe(1);
    expect(codesAt(result.findings, 3)).toContain('KEY_ROTATION_INVALID');
    expect(codesAt(result.findings, 4)).toContain('RECORD_KEY_UNTRUSTED');
    // The checkpoint the new key signed is not trusted either, so nothing after the rotation is anchored.
    expect(result.findings.some((f) => f.code === 'CHECKPOINT_INVALID' && f.seq === 5)).toBe(true);
  });

  it('a rotation signed by a key nobody trusts introduces nothing: it and the records after it are RECORD_KEY_UNTRUSTED', async () => {
    const packet = await exportSubject('gina');
    const forgerOld = loadSigner(generateSigningKey().privateKeyPem);
    const forgerNew = loadSigner(generateSigningKey().privateKeyPem);
    const forged = await tamper(packet, async (records) => {
      const rotation = bySeq(records, 3);
      const { old_kid: _o, new_kid: _n, new_public_key: _p, counter_sig: _c, ...base } = unsealed(rotation);
      const forgedRotation = await sealRecord(
        await rotationRecord(base as UnsignedRecord, forgerOld, forgerNew),
        forgerOld,
      );
      records[records.indexOf(rotation)] = forgedRotation.record as unknown as Record<string, JsonValue>;
      await resign(bySeq(records, 4), forgerNew);
    });
    const result = await verify(forged);
    expect(result.code).toBe(1);
    expect(codesAt(result.findings, 3)).toContain('RECORD_KEY_UNTRUSTED');
    expect(codesAt(result.findings, 4)).toContain('RECORD_KEY_UNTRUSTED');
    expect(result.findings.some((f) => f.code === 'KEY_ROTATION_INVALID')).toBe(false);
  });

  it('a record before the rotation re-signed with the new key is RECORD_KEY_UNTRUSTED, naming the rotation', async () => {
    const packet = await exportSubject('gina');
    const forged = await tamper(packet, async (records) => {
      await resign(bySeq(records, 1), loadSigner(newKey.privateKeyPem));
    });
    const result = await verify(forged);
    expect(result.code).toBe(1);
    expect(result.findings.map((f) => [f.code, f.seq])).toEqual([['RECORD_KEY_UNTRUSTED', 1]]);
    expect(result.findings[0]?.message).toContain('after the key_rotated record at seq 3');
    // The rotation record itself re-signed by the new key: not trusted at its own position, so it rotates nothing in.
    const self = await tamper(packet, async (records) => {
      await resign(bySeq(records, 3), loadSigner(newKey.privateKeyPem));
    });
    const selfResult = await verify(self);
    expect(selfResult.code).toBe(1);
    expect(codesAt(selfResult.findings, 3)).toContain('RECORD_KEY_UNTRUSTED');
    expect(codesAt(selfResult.findings, 4)).toContain('RECORD_KEY_UNTRUSTED');
  });

  it('the old key signing after the rotation is RECORD_KEY_RETIRED', async () => {
    const packet = await exportSubject('gina');
    const forged = await tamper(packet, async (records) => {
      await resign(bySeq(records, 4), loadSigner(oldKey.privateKeyPem));
    });
    const result = await verify(forged);
    expect(result.code).toBe(1);
    expect(result.findings.map((f) => [f.code, f.seq])).toEqual([['RECORD_KEY_RETIRED', 4]]);
  });

  it('a checkpoint signed by the new key for a tree that does not hold the rotation is CHECKPOINT_INVALID', async () => {
    const packet = await exportSubject('gina');
    const forged = await tamper(packet, async (_records, files) => {
      const entries = (files.get(PACKET_FILES.checkpoints) as Buffer)
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as CheckpointEntry);
      const early = entries.find((c) => c.tree_size === 3) as CheckpointEntry;
      early.note = await signCheckpoint(
        { origin: early.note.split('\n')[0] as string, size: 3, root: Buffer.from(early.root, 'hex') },
        loadSigner(newKey.privateKeyPem),
      );
      files.set(
        PACKET_FILES.checkpoints,
        Buffer.concat(
          entries.flatMap((c) => [Buffer.from(canonicalize(c as unknown as JsonValue)), Buffer.from('\n')]),
        ),
      );
    });
    const result = await verify(forged);
    expect(result.code).toBe(1);
    expect(result.findings.some((f) => f.code === 'CHECKPOINT_INVALID' && f.seq === 2)).toBe(true);
    // Pinning the new key as well makes that checkpoint trusted again (a pinned key is trusted everywhere).
    expect((await verify(forged, ['--trust', file('old.pub.pem'), '--trust', file('new.pub.pem')])).code).toBe(0);
  });
});
