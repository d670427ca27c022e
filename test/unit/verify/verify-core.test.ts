// The verifier core without a database: a memory source through the worker-thread pool (the path long chains take)
// gives the same findings as inline inspection; key rotations inside and across worker batches; signature modes;
// the ordering rules on renumbered rows; the state file.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, loadSigner } from '../../../src/ledger/keys.ts';
import type { Signer } from '../../../src/ledger/keys.ts';
import { sealRecord } from '../../../src/ledger/record.ts';
import type { SealedRecord, UnsignedRecord } from '../../../src/ledger/record.ts';
import { rotationRecord } from '../../../src/ledger/rotation.ts';
import { verifyLedger } from '../../../src/verify/verify.ts';
import type { VerifyReport } from '../../../src/verify/report.ts';
import { rowSource } from '../../../src/verify/source.ts';
import type { SourceCheckpoint } from '../../../src/verify/source.ts';
import { CompactTree } from '../../../src/ledger/merkle.ts';
import { signCheckpoint } from '../../../src/ledger/note.ts';
import type { RecordRow } from '../../../src/verify/inspect-record.ts';
import { readVerifyState, StateFileError, writeVerifyState } from '../../../src/verify/state.ts';

const first = generateSigningKey();
const second = generateSigningKey();
const firstSigner = loadSigner(first.privateKeyPem);
const secondSigner = loadSigner(second.privateKeyPem);

/** A chain of `n` denied decisions; at `rotateAt` a key_rotated record hands over to the second key. */
async function chain(name: string, n: number, rotateAt: number | null = null): Promise<SealedRecord[]> {
  const out: SealedRecord[] = [];
  let prev: string | null = null;
  let signer: Signer = firstSigner;
  for (let seq = 0; seq < n; seq++) {
    const base = {
      v: 1 as const,
      chain: name,
      seq,
      ts: new Date(Date.parse('2026-02-01T00:00:00Z') + seq).toISOString(),
      prev,
      request_id: seq === 0 ? null : `r${seq}`,
    };
    let unsigned: UnsignedRecord =
      seq === 0
        ? { ...base, type: 'chain_opened' }
        : { ...base, type: 'decision', decision: { allow: false, reasons: [], obligations: null } };
    if (seq === rotateAt)
      unsigned = await rotationRecord({ ...base, type: 'key_rotated', request_id: null }, firstSigner, secondSigner);
    const sealed = await sealRecord(unsigned, signer);
    if (seq === rotateAt) signer = secondSigner;
    out.push(sealed);
    prev = sealed.record.hash;
  }
  return out;
}

function rows(records: SealedRecord[], edit?: (row: RecordRow) => RecordRow | null): Map<string, RecordRow[]> {
  const out = new Map<string, RecordRow[]>();
  for (const s of records) {
    const r = s.record;
    const row = {
      seq: r.seq,
      bytes: s.bytes,
      hash: r.hash,
      prev: r.prev,
      type: r.type,
      request_id: r.request_id,
      ts: Date.parse(r.ts),
    };
    const edited = edit ? edit(row) : row;
    if (edited === null) continue;
    out.set(r.chain, [...(out.get(r.chain) ?? []), edited]);
  }
  return out;
}

const codes = (report: VerifyReport) => report.findings.map((f) => `${f.code}@${f.seq ?? '-'}`).sort();

let long: SealedRecord[];
beforeAll(async () => {
  long = await chain('long', 5000, 2500);
}, 60_000);

describe('worker threads', () => {
  it('a long chain with a key rotation verifies on worker threads, every signature checked', async () => {
    for (const workers of [2, 0]) {
      const report = await verifyLedger({ source: rowSource(rows(long)), trustedKeys: [first.publicKeyPem], workers });
      expect(codes(report)).toEqual([]);
      expect(report.chains[0]).toMatchObject({ records: 5000, signatures_checked: 5000 });
    }
  });

  it('finds the same tampering on worker threads as inline', async () => {
    const tamper = (row: RecordRow): RecordRow => {
      if (row.seq === 1234)
        return {
          ...row,
          bytes: Buffer.from(Buffer.from(row.bytes).toString().replace('"allow":false', '"allow":true ')),
        };
      if (row.seq === 4321)
        return {
          ...row,
          bytes: Buffer.from(
            Buffer.from(row.bytes)
              .toString()
              .replace(/"sig":"(.)/, (_m, c: string) => `"sig":"${c === 'A' ? 'B' : 'A'}`),
          ),
        };
      return row;
    };
    const results = [];
    for (const workers of [2, 0])
      results.push(
        codes(
          await verifyLedger({ source: rowSource(rows(long, tamper)), trustedKeys: [first.publicKeyPem], workers }),
        ),
      );
    expect(results[0]).toEqual(['RECORD_NOT_CANONICAL@1234', 'RECORD_SIGNATURE_INVALID@4321']);
    expect(results[1]).toEqual(results[0]);
  });

  it('the rotated-in key is trusted only through the rotation: pinning only the second key leaves the first half untrusted', async () => {
    const report = await verifyLedger({
      source: rowSource(rows(long)),
      trustedKeys: [second.publicKeyPem],
      workers: 2,
    });
    expect(codes(report)).toEqual(['RECORD_KEY_UNTRUSTED@0']);
    expect(report.findings[0]?.message).toContain('2501 record(s)');
  });
});

describe('signature modes', () => {
  it('sample: reproducible from its seed, always the last record; checkpoints: no record signature but hashes and links', async () => {
    const source = () => rowSource(rows(long));
    const a = await verifyLedger({
      source: source(),
      trustedKeys: [first.publicKeyPem],
      signatures: 'sample',
      sampleSeed: 'aabbccdd',
      workers: 0,
    });
    const b = await verifyLedger({
      source: source(),
      trustedKeys: [first.publicKeyPem],
      signatures: 'sample',
      sampleSeed: 'aabbccdd',
      workers: 0,
    });
    expect(a.ok).toBe(true);
    expect(a.chains[0]?.signatures_checked).toBe(b.chains[0]?.signatures_checked);
    expect(a.chains[0]?.signatures_checked).toBeGreaterThan(40);
    expect(a.chains[0]?.signatures_checked).toBeLessThan(250);
    const lastForged = rows(long, (row) =>
      row.seq === 4999
        ? {
            ...row,
            bytes: Buffer.from(
              Buffer.from(row.bytes)
                .toString()
                .replace(/"sig":"(.)/, (_m, c: string) => `"sig":"${c === 'A' ? 'B' : 'A'}`),
            ),
          }
        : row,
    );
    expect(
      codes(
        await verifyLedger({
          source: rowSource(lastForged),
          trustedKeys: [first.publicKeyPem],
          signatures: 'sample',
          workers: 0,
        }),
      ),
    ).toEqual(['RECORD_SIGNATURE_INVALID@4999']);
    const cp = await verifyLedger({
      source: source(),
      trustedKeys: [first.publicKeyPem],
      signatures: 'checkpoints',
      workers: 0,
    });
    expect(cp.ok).toBe(true);
    expect(cp.chains[0]?.signatures_checked).toBe(1); // the key_rotated record: trust must follow it
  });
});

describe('the order of the rows against the signed order', () => {
  it('a record deleted and the rows after it renumbered: CHAIN_SEQ_GAP naming the signed seqs', async () => {
    const records = await chain('renumbered', 12);
    const source = rowSource(
      rows(records, (row) => (row.seq === 5 ? null : row.seq > 5 ? { ...row, seq: row.seq - 1 } : row)),
    );
    const report = await verifyLedger({ source, trustedKeys: [first.publicKeyPem], workers: 0 });
    expect(codes(report)).toEqual(['CHAIN_SEQ_GAP@5']);
    expect(report.findings[0]?.message).toContain('5..5');
  });

  it('a record moved to the end and the rows after it renumbered down: CHAIN_REORDERED once, where the hole opened', async () => {
    const records = await chain('moved', 12);
    const source = rowSource(
      rows(records, (row) => (row.seq === 3 ? { ...row, seq: 11 } : row.seq > 3 ? { ...row, seq: row.seq - 1 } : row)),
    );
    const report = await verifyLedger({ source, trustedKeys: [first.publicKeyPem], workers: 0 });
    expect(codes(report)).toEqual(['CHAIN_REORDERED@3']);
    expect(report.findings[0]?.message).toContain('signed as seq 3');
  });

  it('a record deleted under a checkpoint the chain still spans: CHAIN_SEQ_GAP and CHECKPOINT_MISMATCH (the root is never reached)', async () => {
    const records = await chain('gap-under-cp', 12);
    const tree = new CompactTree();
    for (const r of records) tree.append(r.hash);
    const root = tree.root();
    const checkpoint: SourceCheckpoint = {
      size: 12,
      root: Buffer.from(root).toString('hex'),
      note: await signCheckpoint({ origin: 'proctor/ledger/gap-under-cp', size: 12, root }, firstSigner),
      frontier: null,
    };
    const source = rowSource(
      rows(records, (row) => (row.seq === 5 ? null : row)),
      { checkpoints: new Map([['gap-under-cp', [checkpoint]]]) },
    );
    expect(codes(await verifyLedger({ source, trustedKeys: [first.publicKeyPem], workers: 0 }))).toEqual([
      'CHAIN_SEQ_GAP@6',
      'CHECKPOINT_MISMATCH@11',
    ]);
  });

  it('two records far apart swapped: one CHAIN_REORDERED', async () => {
    const records = await chain('far-swap', 12);
    const source = rowSource(
      rows(records, (row) => (row.seq === 3 ? { ...row, seq: 8 } : row.seq === 8 ? { ...row, seq: 3 } : row)),
    );
    expect(codes(await verifyLedger({ source, trustedKeys: [first.publicKeyPem], workers: 0 }))).toEqual([
      'CHAIN_REORDERED@3',
    ]);
  });
});

describe('a chain trimmed by retention, with checkpoints', () => {
  /**
   * seq 0..11, then a retention_applied record (seq 12) for records 0..4; checkpoints at 4, 8 and 13 with frontiers.
   */
  async function trimmedChain(name: string) {
    const records = await chain(name, 12);
    const last = records.at(-1)?.record;
    const retention = await sealRecord(
      {
        v: 1,
        type: 'retention_applied',
        chain: name,
        seq: 12,
        ts: '2026-02-02T00:00:00.000Z',
        prev: last?.hash ?? null,
        request_id: null,
        dropped_through_seq: 4,
        dropped_through_hash: records[4]?.record.hash ?? '',
        partitions: ['audit_records_2026_01'],
        retention_months: 6,
      },
      firstSigner,
    );
    const all = [...records, retention];
    const tree = new CompactTree();
    const checkpoints: SourceCheckpoint[] = [];
    for (const s of all) {
      tree.append(s.hash);
      if (tree.size === 4 || tree.size === 8 || tree.size === 13) {
        const root = tree.root();
        checkpoints.push({
          size: tree.size,
          root: Buffer.from(root).toString('hex'),
          note: await signCheckpoint({ origin: `proctor/ledger/${name}`, size: tree.size, root }, firstSigner),
          frontier: tree.frontier().map((h) => Buffer.from(h).toString('hex')),
        });
      }
    }
    return { kept: all.slice(5), checkpoints };
  }

  it('is accepted as trimmed; its tree resumes from a signed frontier, so later checkpoints are still checked', async () => {
    const { kept, checkpoints } = await trimmedChain('trim-cp');
    const clean = await verifyLedger({
      source: rowSource(rows(kept), { checkpoints: new Map([['trim-cp', checkpoints]]) }),
      trustedKeys: [first.publicKeyPem],
      workers: 0,
    });
    expect(codes(clean)).toEqual(['CHAIN_TRIMMED@5']);
    expect(clean.ok).toBe(true);
    expect(clean.chains[0]).toMatchObject({ trimmed_through: 4, checkpoint: { size: 13 } });
    const swapped = rows(kept, (row) => (row.seq === 10 ? { ...row, hash: kept[4]?.record.hash ?? '' } : row));
    const bad = [...(swapped.get('trim-cp') ?? [])];
    [bad[5], bad[6]] = [
      { ...(bad[6] as RecordRow), seq: 10 },
      { ...(bad[5] as RecordRow), seq: 11 },
    ];
    const tampered = await verifyLedger({
      source: rowSource(new Map([['trim-cp', bad]]), { checkpoints: new Map([['trim-cp', checkpoints]]) }),
      trustedKeys: [first.publicKeyPem],
      workers: 0,
    });
    expect(codes(tampered)).toContain('CHECKPOINT_MISMATCH@12');
  });
});

describe('the state file', () => {
  it('a missing file is a first run; a malformed one is an error naming the file; writes are atomic', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'proctor-state-'));
    const file = path.join(dir, 'state.json');
    expect(readVerifyState(file)).toEqual({ version: 1, chains: {} });
    const state = {
      version: 1 as const,
      chains: { a: { origin: 'o', size: 3, root: 'ab'.repeat(32), note: 'n', accepted_at: '2026-01-01T00:00:00Z' } },
    };
    writeVerifyState(file, state);
    expect(readVerifyState(file)).toEqual(state);
    expect(readdirSync(dir)).toEqual(['state.json']);
    for (const bad of ['nope', '{"version":1,"chains":[]}', '{"version":1,"chains":{"a":{"size":0}}}']) {
      writeFileSync(file, bad);
      expect(() => readVerifyState(file)).toThrow(StateFileError);
    }
    expect(() => writeVerifyState(path.join(dir, 'missing-dir', 'state.json'), state)).toThrow(StateFileError);
    expect(existsSync(path.join(dir, 'missing-dir'))).toBe(false);
  });
});
