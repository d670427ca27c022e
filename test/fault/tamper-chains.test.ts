// Deletion and relabelling by a superuser on a real PostgreSQL 15, judged by `proctor verify` and `proctor export`:
// a chain deleted whole (records, head row, checkpoints) while the auditor's checkpoint sink or state file names it
// is CHAIN_MISSING (exit 1); a database emptied or its tables dropped is exit 1 when the inputs name chains; a tail
// deleted with every stored checkpoint and no anchor is a printed VERIFY_TAIL_UNANCHORED; a relabelled subject,
// decision, policy_version or kid column is RECORD_INDEX_MISMATCH (exit 1); and `export --subject carol` after carol's
// denials were relabelled is refused, or (a column only emptied) still discloses every denial: never a packet that
// verifies while hiding them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExport } from '../../src/cli/export.ts';
import { runVerify } from '../../src/cli/verify.ts';
import { connectPostgres, migrate } from '../../src/db/index.ts';
import type { Sql } from '../../src/db/index.ts';
import { generateSigningKey, loadSigner, openLedger } from '../../src/ledger/index.ts';
import type { JsonValue } from '../../src/ledger/index.ts';
import { disableGuards } from '../helpers/ledger-tamper.ts';
import { startPostgres } from '../helpers/postgres.ts';
import type { ThrowawayPostgres } from '../helpers/postgres.ts';

const key = generateSigningKey();
const signer = loadSigner(key.privateKeyPem);
const exporter = generateSigningKey();
const POLICY = { revision: 'v1', sha256: 'ab'.repeat(32) };
const POLICY_VERSION = `${POLICY.revision}@sha256:${POLICY.sha256}`;

let pg: ThrowawayPostgres;
let dir: string;
let trustFile: string;
let exporterFile: string;

interface Finding {
  code: string;
  severity: string;
  chain: string;
  seq: number | null;
}

function steppingClock() {
  let t = Date.parse('2026-04-01T00:00:00.000Z');
  return { now: () => new Date((t += 1000)) };
}

/** A database of its own (each scenario tampers with a whole ledger), migrated, as the superuser. */
async function database(name: string): Promise<{ sql: Sql; url: string }> {
  const admin = connectPostgres(pg.superuserUrl, { max: 1 });
  await admin.query(`CREATE DATABASE ${name} OWNER proctor`);
  await admin.close();
  const url = pg.superuserUrl.replace(/\/proctor$/, `/${name}`);
  const sql = connectPostgres(url, { max: 2 });
  await migrate(sql);
  return { sql, url };
}

/**
 * Writes `chain` as the proxy does: per request a decision (principal, policy, verdict) with its query columns, and
 * for an allowed one its outcome carrying the decision's columns; then a signed checkpoint (to `sink` if given).
 */
async function writeChain(
  sql: Sql,
  chain: string,
  requests: { sub: string; allow: boolean }[],
  sink?: string,
): Promise<void> {
  const ledger = await openLedger({
    sql,
    signer,
    chain,
    clock: steppingClock(),
    checkpoints: { everyRecords: 1000, everySeconds: 0, ...(sink ? { sinkPath: sink } : {}) },
  });
  for (const [i, r] of requests.entries()) {
    const id = `${chain}-${i}`;
    const body: Record<string, JsonValue> = {
      principal: {
        iss: 'https://idp.test',
        sub: r.sub,
        client_id: null,
        groups: ['staff'],
        tenant: null,
        token_fingerprint: 'f',
      },
      policy: { ...POLICY },
      decision: {
        allow: r.allow,
        stage: 'decide',
        reasons: r.allow ? [] : [{ code: 'PII_BLOCKED', message: 'no' }],
        obligations: null,
      },
    };
    const d = await ledger.append('decision', id, body, {
      subject: r.sub,
      decision: r.allow ? 'allow' : 'deny',
      policyVersion: POLICY_VERSION,
    });
    if (r.allow)
      await ledger.append(
        'outcome',
        id,
        { decision_hash: d.hash, status: 200 },
        { subject: r.sub, decision: 'allow', policyVersion: POLICY_VERSION },
      );
  }
  await ledger.checkpoint();
  await ledger.close();
}

async function verify(args: string[], json = true): Promise<{ code: number; findings: Finding[]; text: string }> {
  let out = '';
  const code = await runVerify([...args, '--trust', trustFile, ...(json ? ['--json'] : [])], {
    stdout: (s) => (out += s),
    stderr: () => {},
    env: {},
  });
  return { code, findings: json ? (JSON.parse(out) as { findings: Finding[] }).findings : [], text: out };
}

const errors = (r: { findings: Finding[] }) =>
  [...new Set(r.findings.filter((f) => f.severity === 'error').map((f) => f.code))].sort();

async function exportSubject(
  url: string,
  sub: string,
): Promise<{ code: number; stdout: string; stderr: string; out: string }> {
  const out = path.join(dir, `${sub}-${Math.random().toString(36).slice(2)}.tar.gz`);
  let stdout = '';
  let stderr = '';
  const code = await runExport(
    [
      '--db',
      url,
      '--key',
      exporterFile,
      '--exported-by',
      'auditor',
      '--out',
      out,
      '--subject',
      sub,
      '--trust',
      trustFile,
    ],
    {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
      env: {},
    },
  );
  return { code, stdout, stderr, out };
}

const CAROL = [
  { sub: 'carol', allow: true },
  { sub: 'carol', allow: false },
  { sub: 'dave', allow: true },
  { sub: 'carol', allow: false },
];

beforeAll(async () => {
  pg = await startPostgres();
  dir = mkdtempSync(path.join(tmpdir(), 'proctor-tamper-chains-'));
  trustFile = path.join(dir, 'ledger.pem');
  exporterFile = path.join(dir, 'exporter.pem');
  writeFileSync(trustFile, key.publicKeyPem);
  writeFileSync(exporterFile, exporter.privateKeyPem);
}, 120_000);

afterAll(async () => {
  await pg?.destroy();
});

describe('a chain deleted whole: records, head row and checkpoints', () => {
  it('is CHAIN_MISSING (exit 1) when the checkpoint sink or the state file names it; without either it goes unseen', async () => {
    const { sql, url } = await database('whole_chain');
    const sink = path.join(dir, 'whole-chain.jsonl');
    const state = path.join(dir, 'whole-chain-state.json');
    await writeChain(sql, 'kept', CAROL, sink);
    await writeChain(sql, 'doomed', CAROL, sink);
    const first = await verify(['--db', url, '--state', state]);
    expect(first.code).toBe(0); // the state file now remembers both chains

    await disableGuards(sql);
    for (const table of ['audit_records', 'audit_chains', 'audit_checkpoints'])
      await sql.query(`DELETE FROM ${table} WHERE chain = 'doomed'`);

    const bySink = await verify(['--db', url, '--checkpoints', sink]);
    expect(bySink.code).toBe(1);
    expect(errors(bySink)).toEqual(['CHAIN_MISSING']);
    expect(bySink.findings.find((f) => f.code === 'CHAIN_MISSING')?.chain).toBe('doomed');
    const byState = await verify(['--db', url, '--state', state]);
    expect(byState.code).toBe(1);
    expect(errors(byState)).toEqual(['CHAIN_MISSING']);
    // Named explicitly, the chain is judged against the inputs too.
    expect(errors(await verify(['--db', url, '--state', state, '--chain', 'doomed']))).toEqual(['CHAIN_MISSING']);
    const text = (await verify(['--db', url, '--state', state], false)).text;
    expect(text).toMatch(/^chain doomed: MISSING/m);
    expect(text).toMatch(/^ERROR CHAIN_MISSING \(chain doomed\)/m);
    // The database alone cannot know the chain existed: what the sink and the state file are for (docs/auditing.md).
    expect((await verify(['--db', url])).code).toBe(0);
    await sql.close();
  });
});

describe('everything dropped', () => {
  it('an emptied database is exit 1 when the inputs name chains, exit 3 (nothing to verify) when they do not', async () => {
    const { sql, url } = await database('emptied');
    const sink = path.join(dir, 'emptied.jsonl');
    await writeChain(sql, 'a', CAROL, sink);
    await writeChain(sql, 'b', CAROL, sink);
    await disableGuards(sql);
    for (const table of ['audit_records', 'audit_chains', 'audit_checkpoints']) await sql.query(`DELETE FROM ${table}`);
    const r = await verify(['--db', url, '--checkpoints', sink]);
    expect(r.code).toBe(1);
    expect(
      r.findings
        .filter((f) => f.code === 'CHAIN_MISSING')
        .map((f) => f.chain)
        .sort(),
    ).toEqual(['a', 'b']);
    expect((await verify(['--db', url])).code).toBe(3);
    await sql.close();
  });

  it('dropped ledger tables are exit 1 when the inputs name chains', async () => {
    const { sql, url } = await database('dropped');
    const sink = path.join(dir, 'dropped.jsonl');
    await writeChain(sql, 'a', CAROL, sink);
    await sql.query('DROP TABLE audit_records, audit_chains, audit_checkpoints, audit_keys CASCADE');
    const r = await verify(['--db', url, '--checkpoints', sink]);
    expect(r.code).toBe(1);
    expect(errors(r)).toEqual(['CHAIN_MISSING']);
    await sql.close();
  });
});

describe('a tail deleted with every stored checkpoint, no sink and no state', () => {
  it('cannot be proven from the database alone, and says so: VERIFY_TAIL_UNANCHORED, printed', async () => {
    const { sql, url } = await database('tail_cut');
    await writeChain(sql, 'cut', CAROL);
    expect((await verify(['--db', url])).findings).toEqual([]); // anchored by its stored checkpoint
    await disableGuards(sql);
    await sql.query("DELETE FROM audit_records WHERE chain = 'cut' AND seq > 3");
    await sql.query("DELETE FROM audit_checkpoints WHERE chain = 'cut'");
    await sql.query(
      "UPDATE audit_chains SET head_seq = 3, head_hash = (SELECT hash FROM audit_records WHERE chain = 'cut' AND seq = 3) WHERE chain = 'cut'",
    );
    const r = await verify(['--db', url], false);
    expect(r.code).toBe(0); // a warning: nothing signed was contradicted (docs/auditing.md, exit codes)
    expect(r.text).toMatch(/^WARNING VERIFY_TAIL_UNANCHORED \(chain cut seq 3\)/m);
    await sql.close();
  });
});

describe('relabelled columns (bytes untouched)', () => {
  let sql: Sql;
  let url: string;
  beforeAll(async () => {
    ({ sql, url } = await database('relabel'));
    for (const chain of ['subject', 'decision', 'policy', 'kid', 'outcome']) await writeChain(sql, chain, CAROL);
    await disableGuards(sql);
  }, 60_000);
  afterAll(async () => {
    await sql?.close();
  });

  const cases: [string, string, string][] = [
    [
      'subject',
      "UPDATE audit_records SET subject = 'mallory' WHERE chain = 'subject' AND subject = 'carol'",
      'subject',
    ],
    [
      'decision',
      "UPDATE audit_records SET decision = 'allow' WHERE chain = 'decision' AND decision = 'deny'",
      'decision',
    ],
    [
      'policy',
      "UPDATE audit_records SET policy_version = 'v0@sha256:00' WHERE chain = 'policy' AND type = 'decision'",
      'policy_version',
    ],
    ['kid', `UPDATE audit_records SET kid = 'ed25519:${'cd'.repeat(32)}' WHERE chain = 'kid' AND seq = 2`, 'kid'],
    ['outcome', "UPDATE audit_records SET subject = 'mallory' WHERE chain = 'outcome' AND type = 'outcome'", 'subject'],
  ];
  for (const [chain, update, column] of cases) {
    it(`${chain === 'outcome' ? "an outcome's subject" : column}: RECORD_INDEX_MISMATCH naming the column, exit 1`, async () => {
      await sql.query(update);
      const r = await verify(['--db', url, '--chain', chain]);
      expect(r.code).toBe(1);
      expect(errors(r)).toEqual(['RECORD_INDEX_MISMATCH']);
      expect(
        r.findings
          .filter((f) => f.code === 'RECORD_INDEX_MISMATCH')
          .every((f) => (f as Finding & { message: string }).message.includes(column)),
      ).toBe(true);
    });
  }
});

describe('export --subject carol after her denials were relabelled', () => {
  it('a clean ledger: the packet holds both denials and verifies', async () => {
    const { sql, url } = await database('export_clean');
    await writeChain(sql, 'c', CAROL);
    const r = await exportSubject(url, 'carol');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/3 decisions: 1 allowed, 2 denied/);
    expect(r.stdout).toMatch(/check before signing: VERIFIED/);
    await sql.close();
  });

  it('subject column rewritten to another name: the export is refused (ERR_EXPORT_LEDGER_INCONSISTENT), nothing written', async () => {
    const { sql, url } = await database('export_relabel');
    await writeChain(sql, 'c', CAROL);
    await disableGuards(sql);
    await sql.query("UPDATE audit_records SET subject = 'mallory' WHERE subject = 'carol' AND decision = 'deny'");
    const r = await exportSubject(url, 'carol');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERR_EXPORT_LEDGER_INCONSISTENT/);
    expect(r.stdout).toBe('');
    await sql.close();
  });

  it('subject column emptied (NULL says nothing): the denials are still selected by their signed content', async () => {
    const { sql, url } = await database('export_nulled');
    await writeChain(sql, 'c', CAROL);
    await disableGuards(sql);
    await sql.query(
      "UPDATE audit_records SET subject = NULL, decision = NULL, policy_version = NULL WHERE subject = 'carol' AND decision = 'deny'",
    );
    const r = await exportSubject(url, 'carol');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/3 decisions: 1 allowed, 2 denied/);
    await sql.close();
  });
});
