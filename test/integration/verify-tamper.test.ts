// The tamper suite: clean chains written by the real ledger into a throwaway PostgreSQL 15, then each tamper class
// applied directly in the database by a superuser with every guard trigger off, and `proctor verify` run on each
// chain: the exact finding codes and the exit status. A clean chain yields no finding. Also the state file
// (rollback and rewrite against the checkpoint accepted on an earlier run), the checkpoint stream on its own, and
// the retention boundary rule (a trimmed chain built by hand with sealRecord).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { sign } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../src/cli/verify.ts';
import { connectPostgres, migrate, toBytes } from '../../src/db/index.ts';
import type { Sql } from '../../src/db/index.ts';
import {
  canonicalize,
  generateSigningKey,
  leafHash,
  loadSigner,
  openLedger,
  sealRecord,
  signCheckpoint,
  signingMessage,
} from '../../src/ledger/index.ts';
import type { JsonValue, Ledger, UnsignedRecord } from '../../src/ledger/index.ts';
import { disableGuards, dropUniqueness } from '../helpers/ledger-tamper.ts';
import { startPostgres } from '../helpers/postgres.ts';
import type { ThrowawayPostgres } from '../helpers/postgres.ts';

const key = generateSigningKey();
const signer = loadSigner(key.privateKeyPem);
const intruder = loadSigner(generateSigningKey().privateKeyPem);
const allow = { decision: { allow: true, reasons: [], obligations: null } };
const deny = { decision: { allow: false, reasons: [], obligations: null } };

let pg: ThrowawayPostgres;
let sql: Sql;
let dir: string;
let trustFile: string;
let sinkFile: string;

function steppingClock() {
  let t = Date.parse('2026-03-01T00:00:00.000Z');
  return { now: () => new Date((t += 1000)) };
}

/** chain_opened, then `pairs` allowed decisions each with its outcome: 1 + 2·pairs records (seq 0..2·pairs). */
async function writeChain(chain: string, pairs: number, checkpoints = false): Promise<Ledger> {
  const ledger = await openLedger({
    sql,
    signer,
    chain,
    clock: steppingClock(),
    ...(checkpoints ? { checkpoints: { everyRecords: 4, everySeconds: 0, sinkPath: sinkFile } } : {}),
  });
  for (let i = 0; i < pairs; i++) {
    const d = await ledger.append('decision', `r-${i}`, allow);
    await ledger.append('outcome', `r-${i}`, { decision_hash: d.hash, status: 200 });
  }
  return ledger;
}

interface Finding {
  code: string;
  seq: number | null;
  severity: string;
  chain: string;
}

/** Without --state or --checkpoints a chain no checkpoint covers gets a VERIFY_TAIL_UNANCHORED warning (exit 0):
 * most chains here are written without checkpoints, so that warning is set apart in `unanchored`. */
async function verifyCli(args: string[]): Promise<{
  code: number;
  unanchored: string[];
  json: { findings: Finding[]; chains: { checkpoint: unknown }[]; state?: string };
}> {
  let out = '';
  const code = await runVerify([...args, '--json'], { stdout: (s) => (out += s), stderr: () => {}, env: {} });
  const json = JSON.parse(out) as { findings: Finding[]; chains: { checkpoint: unknown }[]; state?: string };
  if (args.includes('--state') || args.includes('--checkpoints')) return { code, unanchored: [], json };
  const unanchored = json.findings.filter((f) => f.code === 'VERIFY_TAIL_UNANCHORED');
  expect(unanchored.every((f) => f.severity === 'warning')).toBe(true);
  return {
    code,
    unanchored: unanchored.map((f) => f.chain),
    json: { ...json, findings: json.findings.filter((f) => f.code !== 'VERIFY_TAIL_UNANCHORED') },
  };
}

const verifyChain = (chain: string, ...extra: string[]) =>
  verifyCli(['--db', pg.superuserUrl, '--trust', trustFile, '--chain', chain, ...extra]);
const codes = (r: { json: { findings: { code: string }[] } }) =>
  [...new Set(r.json.findings.map((f) => f.code))].sort();

async function row(chain: string, seq: number): Promise<{ bytes: Uint8Array; text: string; hash: Buffer }> {
  const { rows } = await sql.query<{ record: unknown; hash: unknown }>(
    'SELECT record, hash FROM audit_records WHERE chain = $1 AND seq = $2',
    [chain, seq],
  );
  if (!rows[0]) throw new Error(`no record ${chain}/${seq}`);
  const bytes = toBytes(rows[0].record);
  return { bytes, text: Buffer.from(bytes).toString('utf8'), hash: Buffer.from(toBytes(rows[0].hash)) };
}

async function setBytes(chain: string, seq: number, bytes: Uint8Array, hash?: Uint8Array): Promise<void> {
  await sql.query('UPDATE audit_records SET record = $3, hash = coalesce($4, hash) WHERE chain = $1 AND seq = $2', [
    chain,
    seq,
    Buffer.from(bytes),
    hash ? Buffer.from(hash) : null,
  ]);
}

/** A record signed by hand (no schema check), as a compromised or buggy writer could produce. */
function handSeal(unsigned: Record<string, JsonValue>, by = signer): { bytes: Uint8Array; hash: Uint8Array } {
  const hash = leafHash(canonicalize(unsigned));
  const keyObject = (by === signer ? key : null)?.privateKeyPem;
  if (!keyObject) throw new Error('handSeal signs with the trusted key only');
  const sig = sign(null, signingMessage(hash), keyObject);
  const record = {
    ...unsigned,
    hash: Buffer.from(hash).toString('hex'),
    kid: signer.kid,
    sig: Buffer.from(sig).toString('base64url'),
  };
  return { bytes: canonicalize(record), hash };
}

beforeAll(async () => {
  pg = await startPostgres();
  sql = connectPostgres(pg.superuserUrl, { max: 4 });
  await migrate(sql);
  dir = mkdtempSync(path.join(tmpdir(), 'proctor-tamper-'));
  trustFile = path.join(dir, 'trusted.pem');
  sinkFile = path.join(dir, 'checkpoints.jsonl');
  writeFileSync(trustFile, key.publicKeyPem);
  // Every clean chain first (the ledger's own guards on), then the guards go off for the tampering.
  for (const chain of [
    'clean',
    'bytes',
    'rehashed',
    'sig',
    'foreign-key',
    'window',
    'link',
    'gap',
    'dup',
    'reorder',
    'insert',
    'canon',
    'schema',
  ]) {
    await (await writeChain(chain, 3)).close();
  }
  for (const chain of ['truncate', 'rollback', 'rewrite', 'cp-invalid', 'cp-mismatch'])
    await (await writeChain(chain, 4, true)).close();
  const orphan = await openLedger({ sql, signer, chain: 'orphan', clock: steppingClock() });
  await orphan.append('outcome', 'o', { decision_hash: 'ab'.repeat(32), status: 200 });
  await orphan.close();
  const open = await writeChain('open-decision', 1);
  await open.append('decision', 'crashed', allow);
  await open.close();
  await dropUniqueness(sql);
  await disableGuards(sql);
}, 120_000);

afterAll(async () => {
  await sql?.close();
  await pg?.destroy();
});

describe('a clean chain', () => {
  it('yields no finding but the unanchored tail (no checkpoint: a warning, exit 0), with every signature checked', async () => {
    const r = await verifyChain('clean');
    expect(r.code).toBe(0);
    expect(r.json.findings).toEqual([]);
    expect(r.unanchored).toEqual(['clean']);
    expect(r.json).toMatchObject({ ok: true, chains: [{ records: 7, signatures_checked: 7 }] });
  });
});

describe('each tamper class: the exact finding codes and exit 1', () => {
  it('modified bytes: RECORD_HASH_MISMATCH (the signature no longer covers them)', async () => {
    const r0 = await row('bytes', 2);
    await setBytes('bytes', 2, Buffer.from(r0.text.replace('"status":200', '"status":500')));
    const r = await verifyChain('bytes');
    expect(codes(r)).toEqual(['RECORD_HASH_MISMATCH', 'RECORD_SIGNATURE_INVALID']);
    expect(r.code).toBe(1);
  });

  it('modified record with its hash recomputed: RECORD_SIGNATURE_INVALID and CHAIN_LINK_BROKEN after it', async () => {
    const { hash: _h, kid, sig, ...rest } = JSON.parse((await row('rehashed', 2)).text) as Record<string, JsonValue>;
    const edited = { ...rest, status: 500 };
    const hash = leafHash(canonicalize(edited));
    await setBytes(
      'rehashed',
      2,
      canonicalize({ ...edited, hash: Buffer.from(hash).toString('hex'), kid, sig } as Record<string, JsonValue>),
      hash,
    );
    const r = await verifyChain('rehashed');
    expect(codes(r)).toEqual(['CHAIN_LINK_BROKEN', 'RECORD_SIGNATURE_INVALID']);
    expect(r.json.findings.find((f) => f.code === 'CHAIN_LINK_BROKEN')?.seq).toBe(3);
    expect(r.code).toBe(1);
  });

  it('a forged signature: RECORD_SIGNATURE_INVALID', async () => {
    const r0 = await row('sig', 3);
    await setBytes(
      'sig',
      3,
      Buffer.from(r0.text.replace(/"sig":"(.)/, (_m, c: string) => `"sig":"${c === 'A' ? 'B' : 'A'}`)),
    );
    const r = await verifyChain('sig');
    expect(codes(r)).toEqual(['RECORD_SIGNATURE_INVALID']);
    expect(r.code).toBe(1);
  });

  it('a record re-signed by an unknown key: RECORD_KEY_UNTRUSTED', async () => {
    const parsed = JSON.parse((await row('foreign-key', 4)).text) as Record<string, JsonValue>;
    const { hash: _h, kid: _k, sig: _s, ...unsigned } = parsed;
    const sealed = await sealRecord(unsigned as UnsignedRecord, intruder);
    await setBytes('foreign-key', 4, sealed.bytes);
    await sql.query("UPDATE audit_records SET kid = $1 WHERE chain = 'foreign-key' AND seq = 4", [intruder.kid]);
    const r = await verifyChain('foreign-key');
    expect(codes(r)).toEqual(['RECORD_KEY_UNTRUSTED']);
    expect(r.code).toBe(1);
  });

  it('a key used outside its keyring window: RECORD_KEY_OUTSIDE_WINDOW', async () => {
    const keyring = path.join(dir, 'keyring.json');
    writeFileSync(
      keyring,
      JSON.stringify({
        version: 1,
        keys: [
          {
            kid: key.kid,
            public_key_pem: key.publicKeyPem,
            not_before: '2026-01-01T00:00:00Z',
            not_after: '2026-03-01T00:00:03Z',
          },
        ],
      }),
    );
    const r = await verifyCli(['--db', pg.superuserUrl, '--trust', keyring, '--chain', 'window']);
    expect(codes(r)).toEqual(['RECORD_KEY_OUTSIDE_WINDOW']);
    expect(r.code).toBe(1);
  });

  it('a record whose prev names another record (re-signed by a compromised writer): CHAIN_LINK_BROKEN', async () => {
    const parsed = JSON.parse((await row('link', 4)).text) as Record<string, JsonValue>;
    const { hash: _h, kid: _k, sig: _s, ...unsigned } = parsed;
    const forged = handSeal({ ...unsigned, prev: 'cd'.repeat(32) });
    await setBytes('link', 4, forged.bytes, forged.hash);
    await sql.query("UPDATE audit_records SET prev = $1 WHERE chain = 'link' AND seq = 4", [
      Buffer.from('cd'.repeat(32), 'hex'),
    ]);
    const r = await verifyChain('link');
    expect(codes(r)).toEqual(['CHAIN_LINK_BROKEN']);
    expect(r.json.findings.map((f) => f.seq)).toEqual([4, 5]);
    expect(r.code).toBe(1);
  });

  it('a deleted decision and its outcome: CHAIN_SEQ_GAP', async () => {
    await sql.query("DELETE FROM audit_records WHERE chain = 'gap' AND seq IN (3, 4)");
    const r = await verifyChain('gap');
    expect(codes(r)).toEqual(['CHAIN_SEQ_GAP']);
    expect(r.code).toBe(1);
  });

  it('a record stored twice: RECORD_DUPLICATE', async () => {
    await sql.query("INSERT INTO audit_records SELECT * FROM audit_records WHERE chain = 'dup' AND seq = 3");
    const r = await verifyChain('dup');
    expect(codes(r)).toEqual(['RECORD_DUPLICATE']);
    expect(r.code).toBe(1);
  });

  it('two records swapped: CHAIN_REORDERED', async () => {
    await sql.query("UPDATE audit_records SET seq = 1000 WHERE chain = 'reorder' AND seq = 3");
    await sql.query("UPDATE audit_records SET seq = 3 WHERE chain = 'reorder' AND seq = 4");
    await sql.query("UPDATE audit_records SET seq = 4 WHERE chain = 'reorder' AND seq = 1000");
    const r = await verifyChain('reorder');
    expect(codes(r)).toEqual(['CHAIN_REORDERED']);
    expect(r.code).toBe(1);
  });

  it('a forged record inserted mid-chain, later records renumbered: RECORD_INSERTED (and its key is untrusted)', async () => {
    const before = await row('insert', 2);
    const forged = await sealRecord(
      {
        v: 1,
        type: 'decision',
        chain: 'insert',
        seq: 3,
        ts: '2026-03-01T00:00:04.500Z',
        prev: before.hash.toString('hex'),
        request_id: 'forged',
        ...deny,
      },
      intruder,
    );
    await sql.query("UPDATE audit_records SET seq = seq + 1000 WHERE chain = 'insert' AND seq >= 3");
    await sql.query("UPDATE audit_records SET seq = seq - 999 WHERE chain = 'insert' AND seq >= 1000");
    await sql.query(
      "INSERT INTO audit_records (chain, seq, ts, type, request_id, prev, hash, kid, record) VALUES ('insert', 3, $1, 'decision', 'forged', $2, $3, $4, $5)",
      [forged.record.ts, before.hash, Buffer.from(forged.hash), intruder.kid, Buffer.from(forged.bytes)],
    );
    await sql.query("UPDATE audit_chains SET head_seq = head_seq + 1 WHERE chain = 'insert'");
    const r = await verifyChain('insert');
    expect(codes(r)).toEqual(['RECORD_INSERTED', 'RECORD_KEY_UNTRUSTED']);
    expect(r.json.findings.find((f) => f.code === 'RECORD_INSERTED')?.seq).toBe(3);
    expect(r.code).toBe(1);
  });

  it('the tail removed and the head rewound: CHAIN_TRUNCATED against the signed checkpoint', async () => {
    const last = await row('truncate', 6);
    await sql.query("DELETE FROM audit_records WHERE chain = 'truncate' AND seq > 6");
    await sql.query("UPDATE audit_chains SET head_seq = 6, head_hash = $1 WHERE chain = 'truncate'", [last.hash]);
    const r = await verifyChain('truncate');
    expect(codes(r)).toEqual(['CHAIN_TRUNCATED']);
    expect(r.code).toBe(1);
  });

  it('the tail and its checkpoints removed: CHAIN_ROLLED_BACK against the state file, which a failed run does not move', async () => {
    const state = path.join(dir, 'state-rollback.json');
    const first = await verifyChain('rollback', '--state', state);
    expect(first.code).toBe(0);
    expect(JSON.parse(readFileSync(state, 'utf8')).chains.rollback).toMatchObject({
      size: 9,
      origin: 'proctor/ledger/rollback',
    });
    const kept = await row('rollback', 4);
    await sql.query("DELETE FROM audit_records WHERE chain = 'rollback' AND seq > 4");
    await sql.query("DELETE FROM audit_checkpoints WHERE chain = 'rollback' AND tree_size > 5");
    await sql.query("UPDATE audit_chains SET head_seq = 4, head_hash = $1 WHERE chain = 'rollback'", [kept.hash]);
    const withoutState = await verifyChain('rollback');
    expect(withoutState.code).toBe(0); // the database alone cannot tell: that is what the state file is for
    const r = await verifyChain('rollback', '--state', state);
    expect(codes(r)).toEqual(['CHAIN_ROLLED_BACK']);
    expect(r.code).toBe(1);
    expect(JSON.parse(readFileSync(state, 'utf8')).chains.rollback.size).toBe(9);
  });

  it('a remembered root that the records no longer have: CHECKPOINT_INCONSISTENT (history rewritten)', async () => {
    const state = path.join(dir, 'state-rewrite.json');
    expect((await verifyChain('rewrite', '--state', state)).code).toBe(0);
    const doc = JSON.parse(readFileSync(state, 'utf8'));
    doc.chains.rewrite.root = 'ee'.repeat(32);
    writeFileSync(state, JSON.stringify(doc));
    const r = await verifyChain('rewrite', '--state', state);
    expect(codes(r)).toEqual(['CHECKPOINT_INCONSISTENT']);
    expect(r.code).toBe(1);
  });

  it('a checkpoint note with a broken signature: CHECKPOINT_INVALID', async () => {
    await sql.query(
      "UPDATE audit_checkpoints SET note = replace(note, E'\\n\u2014 ', E'\\n\u2014 x') WHERE chain = 'cp-invalid' AND tree_size = (SELECT min(tree_size) FROM audit_checkpoints WHERE chain = 'cp-invalid')",
    );
    const r = await verifyChain('cp-invalid');
    expect(codes(r)).toEqual(['CHECKPOINT_INVALID']);
    expect(r.code).toBe(1);
  });

  it('a signed checkpoint whose root the records do not have: CHECKPOINT_MISMATCH', async () => {
    const { rows } = await sql.query<{ tree_size: string }>(
      "SELECT tree_size::text FROM audit_checkpoints WHERE chain = 'cp-mismatch'",
    );
    const size = [1, 2, 3, 5, 6, 7].find((n) => !rows.some((r) => Number(r.tree_size) === n)) ?? 0;
    const note = await signCheckpoint(
      { origin: 'proctor/ledger/cp-mismatch', size, root: new Uint8Array(32).fill(9) },
      signer,
    );
    await sql.query(
      "INSERT INTO audit_checkpoints (chain, tree_size, root_hash, frontier, note) VALUES ('cp-mismatch', $3, $1, '\\x'::bytea, $2)",
      [Buffer.alloc(32, 9), note, size],
    );
    const r = await verifyChain('cp-mismatch');
    expect(codes(r)).toEqual(['CHECKPOINT_MISMATCH']);
    expect(r.code).toBe(1);
  });

  it('non-canonical bytes: RECORD_NOT_CANONICAL', async () => {
    const r0 = await row('canon', 0);
    await setBytes('canon', 0, Buffer.from(r0.text.replace('{"chain"', '{ "chain"')));
    const r = await verifyChain('canon');
    expect(codes(r)).toEqual(['RECORD_NOT_CANONICAL']);
    expect(r.code).toBe(1);
  });

  it('a signed record that does not match the schema: RECORD_SCHEMA_INVALID', async () => {
    const last = JSON.parse((await row('schema', 6)).text) as Record<string, JsonValue>;
    const { hash: _h, kid: _k, sig: _s, ...unsigned } = last;
    const forged = handSeal({ ...unsigned, v: 2 });
    await setBytes('schema', 6, forged.bytes, forged.hash);
    await sql.query("UPDATE audit_chains SET head_hash = $1 WHERE chain = 'schema'", [Buffer.from(forged.hash)]);
    const r = await verifyChain('schema');
    expect(codes(r)).toEqual(['RECORD_SCHEMA_INVALID']);
    expect(r.code).toBe(1);
  });

  it('an outcome without its decision is an error: OUTCOME_WITHOUT_DECISION', async () => {
    const r = await verifyChain('orphan');
    expect(codes(r)).toEqual(['OUTCOME_WITHOUT_DECISION']);
    expect(r.code).toBe(1);
  });

  it('a decision without outcome is a warning (incomplete, not tampering): DECISION_WITHOUT_OUTCOME, exit 0', async () => {
    const r = await verifyChain('open-decision');
    expect(codes(r)).toEqual(['DECISION_WITHOUT_OUTCOME']);
    expect(r.json.findings[0]?.severity).toBe('warning');
    expect(r.code).toBe(0);
  });
});

describe('trust', () => {
  it('a bare fingerprint resolves against the keys in the database (the fingerprint pins the key)', async () => {
    const r = await verifyCli(['--db', pg.superuserUrl, '--trust', key.kid, '--chain', 'clean']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ trusted_kids: [key.kid], chains: [{ signatures_checked: 7 }] });
  });

  it('a fingerprint of another key: RECORD_KEY_UNTRUSTED, exit 1', async () => {
    const r = await verifyCli(['--db', pg.superuserUrl, '--trust', generateSigningKey().kid, '--chain', 'clean']);
    expect(codes(r)).toEqual(['RECORD_KEY_UNTRUSTED']);
    expect(r.code).toBe(1);
  });

  it('a pinned fingerprint whose public key is nowhere in the source: TRUST_KEY_NOT_FOUND, exit 3 (not proven)', async () => {
    const hidden = generateSigningKey();
    const hiddenSigner = loadSigner(hidden.privateKeyPem);
    let prev: string | null = null;
    for (let seq = 0; seq < 3; seq++) {
      const s = await sealRecord(
        {
          v: 1,
          type: seq === 0 ? 'chain_opened' : 'decision',
          chain: 'hidden-key',
          seq,
          ts: `2026-03-03T00:00:0${seq}.000Z`,
          prev,
          request_id: seq === 0 ? null : `h${seq}`,
          ...(seq === 0 ? {} : deny),
        },
        hiddenSigner,
      );
      await sql.query(
        'INSERT INTO audit_records (chain, seq, ts, type, request_id, prev, hash, kid, record) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        [
          'hidden-key',
          seq,
          s.record.ts,
          s.record.type,
          s.record.request_id,
          prev === null ? null : Buffer.from(prev, 'hex'),
          Buffer.from(s.hash),
          hidden.kid,
          Buffer.from(s.bytes),
        ],
      );
      prev = s.record.hash;
    }
    const r = await verifyCli(['--db', pg.superuserUrl, '--trust', hidden.kid, '--chain', 'hidden-key']);
    expect(codes(r)).toEqual(['CHAIN_HEAD_MISMATCH', 'TRUST_KEY_NOT_FOUND']);
    expect(r.code).toBe(1);
    await sql.query("INSERT INTO audit_chains (chain, head_seq, head_hash) VALUES ('hidden-key', 2, $1)", [
      Buffer.from(prev ?? '', 'hex'),
    ]);
    const again = await verifyCli(['--db', pg.superuserUrl, '--trust', hidden.kid, '--chain', 'hidden-key']);
    expect(codes(again)).toEqual(['TRUST_KEY_NOT_FOUND']);
    expect(again.code).toBe(3);
    const withPem = path.join(dir, 'hidden.pem');
    writeFileSync(withPem, hidden.publicKeyPem);
    expect((await verifyCli(['--db', pg.superuserUrl, '--trust', withPem, '--chain', 'hidden-key'])).code).toBe(0);
  });

  it('sample and checkpoints modes check every hash and link; the sample is reproducible from its seed', async () => {
    const sample = await verifyChain('clean', '--signatures', 'sample', '--sample-seed', '0123456789abcdef');
    expect(sample.code).toBe(0);
    expect(sample.json).toMatchObject({ signatures: 'sample', sample_seed: '0123456789abcdef' });
    expect(codes(await verifyChain('bytes', '--signatures', 'checkpoints'))).toEqual(['RECORD_HASH_MISMATCH']);
  });
});

describe('anchoring the tail', () => {
  it('with --state but no checkpoint for the chain anywhere: VERIFY_TAIL_UNANCHORED, exit 3, state not written', async () => {
    const state = path.join(dir, 'state-unanchored.json');
    const r = await verifyChain('clean', '--state', state);
    expect(codes(r)).toEqual(['VERIFY_TAIL_UNANCHORED']);
    expect(r.code).toBe(3);
    expect(r.json.state).toMatch(/not updated/);
  });

  it('an unreadable state file is a usage error naming --state', async () => {
    const bad = path.join(dir, 'bad-state.json');
    writeFileSync(bad, '{"version": 7}');
    let err = '';
    const code = await runVerify(['--db', pg.superuserUrl, '--trust', trustFile, '--state', bad], {
      stdout: () => {},
      stderr: (s) => (err += s),
      env: {},
    });
    expect(code).toBe(2);
    expect(err).toContain('--state');
  });
});

describe('the checkpoint stream on its own (no database)', () => {
  it('verifies the sink the writers appended to', async () => {
    const r = await verifyCli(['--checkpoints', sinkFile, '--trust', trustFile]);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ kind: 'checkpoint-stream', findings: [] });
  });

  it('a stream that goes backwards or forks: CHECKPOINT_INCONSISTENT; a bad signature: CHECKPOINT_INVALID', async () => {
    const lines = readFileSync(sinkFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { chain: string; note: string; tree_size: number });
    const ofChain = lines.filter((l) => l.chain === 'truncate');
    const backwards = path.join(dir, 'backwards.jsonl');
    writeFileSync(backwards, [...ofChain, ofChain[0]].map((l) => JSON.stringify(l)).join('\n'));
    const r = await verifyCli(['--checkpoints', backwards, '--trust', trustFile]);
    expect(codes(r)).toEqual(['CHECKPOINT_INCONSISTENT']);
    expect(r.code).toBe(1);
    const fork = await signCheckpoint(
      { origin: 'proctor/ledger/truncate', size: ofChain[0]?.tree_size ?? 0, root: new Uint8Array(32).fill(1) },
      signer,
    );
    const forged = await signCheckpoint(
      { origin: 'proctor/ledger/truncate', size: 100, root: new Uint8Array(32).fill(2) },
      intruder,
    );
    const forkFile = path.join(dir, 'fork.jsonl');
    writeFileSync(
      forkFile,
      [...ofChain, { chain: 'truncate', note: fork }, { chain: 'truncate', note: forged }]
        .map((l) => JSON.stringify(l))
        .join('\n'),
    );
    expect(codes(await verifyCli(['--checkpoints', forkFile, '--trust', trustFile]))).toEqual([
      'CHECKPOINT_INCONSISTENT',
      'CHECKPOINT_INVALID',
    ]);
  });

  it('behind the state file: CHAIN_ROLLED_BACK', async () => {
    const state = path.join(dir, 'state-stream.json');
    const lines = readFileSync(sinkFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { chain: string; tree_size: number; root: string; note: string });
    const newest = lines.filter((l) => l.chain === 'rewrite').at(-1);
    writeFileSync(
      state,
      JSON.stringify({
        version: 1,
        chains: {
          rewrite: {
            origin: 'proctor/ledger/rewrite',
            size: 50,
            root: newest?.root,
            note: newest?.note,
            accepted_at: '2026-03-01T00:00:00Z',
          },
        },
      }),
    );
    const r = await verifyCli([
      '--checkpoints',
      sinkFile,
      '--trust',
      trustFile,
      '--chain',
      'rewrite',
      '--state',
      state,
    ]);
    expect(codes(r)).toEqual(['CHAIN_ROLLED_BACK']);
    expect(r.code).toBe(1);
  });
});

describe('the retention boundary', () => {
  /** Seals seq 0..n-1 of `chain` by hand; returns the sealed records. */
  async function sealChain(chain: string, n: number) {
    const sealed = [];
    let prev: string | null = null;
    for (let seq = 0; seq < n; seq++) {
      const s = await sealRecord(
        {
          v: 1,
          type: seq === 0 ? 'chain_opened' : 'decision',
          chain,
          seq,
          ts: new Date(Date.parse('2026-03-02T00:00:00Z') + seq * 1000).toISOString(),
          prev,
          request_id: seq === 0 ? null : `q${seq}`,
          ...(seq === 0 ? {} : deny),
        },
        signer,
      );
      sealed.push(s);
      prev = s.record.hash;
    }
    return sealed;
  }

  async function store(records: Awaited<ReturnType<typeof sealChain>>) {
    for (const s of records) {
      const r = s.record;
      await sql.query(
        'INSERT INTO audit_records (chain, seq, ts, type, request_id, prev, hash, kid, record) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        [
          r.chain,
          r.seq,
          r.ts,
          r.type,
          r.request_id,
          r.prev === null ? null : Buffer.from(r.prev, 'hex'),
          Buffer.from(s.hash),
          r.kid,
          Buffer.from(s.bytes),
        ],
      );
    }
    const last = records.at(-1)?.record;
    await sql.query('INSERT INTO audit_chains (chain, head_seq, head_hash) VALUES ($1, $2, $3)', [
      last?.chain,
      last?.seq,
      Buffer.from(last?.hash ?? '', 'hex'),
    ]);
  }

  async function trimmed(
    chain: string,
    through: { seq: number; hash: (records: Awaited<ReturnType<typeof sealChain>>) => string },
  ) {
    const records = await sealChain(chain, 6);
    const last = records.at(-1)?.record;
    const retention = await sealRecord(
      {
        v: 1,
        type: 'retention_applied',
        chain,
        seq: 6,
        ts: '2026-03-02T00:01:00.000Z',
        prev: last?.hash ?? null,
        request_id: null,
        dropped_through_seq: through.seq,
        dropped_through_hash: through.hash(records),
        partitions: ['audit_records_2026_01'],
        retention_months: 6,
      },
      signer,
    );
    await store([...records.slice(3), retention]);
  }

  it('a chain starting at seq k with a signed retention_applied naming k-1 and its hash: CHAIN_TRIMMED (info), exit 0', async () => {
    await trimmed('trimmed', { seq: 2, hash: (r) => r[2]?.record.hash ?? '' });
    const r = await verifyChain('trimmed');
    expect(codes(r)).toEqual(['CHAIN_TRIMMED']);
    expect(r.json.findings[0]).toMatchObject({ severity: 'info', seq: 3 });
    expect(r.json.chains[0]).toMatchObject({ trimmed_through: 2 });
    expect(r.code).toBe(0);
  });

  it('a retention_applied record that names another boundary does not excuse the missing start: CHAIN_SEQ_GAP', async () => {
    await trimmed('trimmed-wrong-seq', { seq: 1, hash: (r) => r[1]?.record.hash ?? '' });
    expect(codes(await verifyChain('trimmed-wrong-seq'))).toEqual(['CHAIN_SEQ_GAP']);
    await trimmed('trimmed-wrong-hash', { seq: 2, hash: () => 'ab'.repeat(32) });
    const r = await verifyChain('trimmed-wrong-hash');
    expect(codes(r)).toEqual(['CHAIN_SEQ_GAP']);
    expect(r.code).toBe(1);
  });

  it('without a retention_applied record the missing start is CHAIN_SEQ_GAP; trimming never excuses a later gap', async () => {
    const records = await sealChain('cut', 6);
    await store(records.slice(2));
    expect(codes(await verifyChain('cut'))).toEqual(['CHAIN_SEQ_GAP']);
    await trimmed('trimmed-gap', { seq: 2, hash: (r) => r[2]?.record.hash ?? '' });
    await sql.query("DELETE FROM audit_records WHERE chain = 'trimmed-gap' AND seq = 4");
    const r = await verifyChain('trimmed-gap');
    expect(codes(r)).toEqual(['CHAIN_SEQ_GAP', 'CHAIN_TRIMMED']);
    expect(r.json.findings.find((f) => f.code === 'CHAIN_SEQ_GAP')?.seq).toBe(5);
    expect(r.code).toBe(1);
  });
});
