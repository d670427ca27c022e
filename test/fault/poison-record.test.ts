// One request's bad data never fails another's record, on a real PostgreSQL 15. Four rounds of twenty concurrent
// requests, two of them carrying a NUL (one in its token's subject, one in a tool parameter's name, which a finding's
// path carries into the record): no collateral 503, every request the upstream saw has its decision and its outcome,
// and `proctor verify` passes. Then the same through the ledger alone with the NUL slipped past the record builder's
// check into the statement itself, so PostgreSQL refuses the batch: the batch is split and only the poisoned record
// fails.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as cli } from '../../src/cli/main.ts';
import { connectPostgres, type Sql } from '../../src/db/index.ts';
import { startEchoUpstream, type EchoUpstream } from '../../src/dev/echo-upstream.ts';
import { generateSigningKey, loadSigner, openLedger, type LedgerError } from '../../src/ledger/index.ts';
import { verifyLedger } from '../../src/verify/index.ts';
import { startProctor } from '../../src/main.ts';
import { startOidcProvider, type RunningOidcProvider } from '../helpers/oidc-provider.ts';
import { startPostgres, type ThrowawayPostgres } from '../helpers/postgres.ts';
import { echoUpstream, proctorConfig } from '../helpers/proctor-config.ts';

const AUDIENCE = 'https://proctor.poison.test';
/** A tool whose parameter name holds a NUL and whose description a finding: the finding's path carries the NUL. */
const NUL_TOOL = {
  type: 'function',
  function: {
    name: 'lookup',
    description: 'look up a record',
    parameters: { type: 'object', properties: { 'ssn\u0000x': { type: 'string', description: 'for 123-45-6789' } } },
  },
};
const key = generateSigningKey();
let postgres: ThrowawayPostgres;
let idp: RunningOidcProvider;
let echo: EchoUpstream;
let sql: Sql;
let keyFile: string;
let dir: string;

beforeAll(async () => {
  postgres = await startPostgres();
  sql = connectPostgres(postgres.url, { max: 4 });
  idp = await startOidcProvider();
  echo = await startEchoUpstream();
  dir = mkdtempSync(path.join(tmpdir(), 'proctor-poison-'));
  keyFile = path.join(dir, 'ledger.pub.pem');
  writeFileSync(keyFile, key.publicKeyPem);
}, 120_000);

afterAll(async () => {
  await sql?.close();
  await echo?.close();
  await idp?.close();
  await postgres?.destroy();
});

function config(chain: string) {
  return proctorConfig({
    database: { url: { env: 'DATABASE_URL' }, connect_timeout_ms: 1000 },
    ledger: { chain, batch: { max_wait_ms: 5 } },
    issuers: [{ issuer: idp.issuer, audience: [AUDIENCE], allow_insecure_http: true }],
    upstreams: [
      echoUpstream(echo.url, {
        credentialEnv: 'UPSTREAM_KEY',
        models: ['echo-1'],
        attributes: { zero_data_retention: true },
      }),
    ],
    env: { DATABASE_URL: postgres.url, UPSTREAM_KEY: 'sk-echo' },
    signingKeyPem: key.privateKeyPem,
    baseDir: dir,
  });
}

const ROUNDS = 4;

async function ask(
  base: string,
  token: string,
  nulTool: boolean,
): Promise<{ status: number; id: string | null; code: string | null }> {
  const r = await fetch(`${base}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'echo-1',
      messages: [{ role: 'user', content: 'hello' }],
      ...(nulTool ? { tools: [NUL_TOOL] } : {}),
    }),
  });
  const body = (await r.json()) as { error?: { code?: string } };
  return { status: r.status, id: r.headers.get('x-proctor-request-id'), code: body.error?.code ?? null };
}

async function records(
  chain: string,
): Promise<{ type: string; request_id: string | null; record: Record<string, unknown> }[]> {
  const { rows } = await sql.query<{ type: string; request_id: string | null; record: Buffer }>(
    'SELECT type, request_id, record FROM audit_records WHERE chain = $1 ORDER BY seq',
    [chain],
  );
  return rows.map((r) => ({ ...r, record: JSON.parse(r.record.toString('utf8')) as Record<string, unknown> }));
}

async function verifyClean(): Promise<void> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await cli(['verify', '--db', postgres.url, '--trust', keyFile], {
    stdout: (s) => void out.push(s),
    stderr: (s) => void err.push(s),
    env: {},
  });
  expect(`${out.join('')}${err.join('')}`).not.toMatch(/"severity":\s*"error"|ERR_/);
  expect([0, 3]).toContain(status); // 3: warnings only (e.g. an unanchored tail), never an error
}

describe('a poisoned record among concurrent requests', () => {
  it('rounds of twenty concurrent requests, two carrying a NUL: only those are refused, the others answered and recorded', async () => {
    const chain = 'poison-http';
    const proctor = await startProctor(config(chain), { log: () => {} });
    const before = echo.received.length;
    try {
      // Four rounds (the issue saw 2 to 15 collateral 503s a round, varying with how requests fell into batches).
      for (let round = 0; round < ROUNDS; round++) {
        const seen = echo.received.length;
        const subjects = Array.from({ length: 20 }, (_, i) =>
          i === 11 ? `mallory\u0000${round}` : `user-${round}-${i}`,
        );
        const tokens = await Promise.all(
          subjects.map((sub) => idp.tokenFor({ audience: AUDIENCE, sub, groups: ['eng'] })),
        );
        const responses = await Promise.all(tokens.map((token, i) => ask(proctor.url, token, i === 3)));
        // The poisoned requests are refused (a NUL subject at identify; a NUL in a client-chosen schema key never
        // reaches the record, whose finding paths name keys by position, so that request is judged on its content:
        // the SSN in it is denied by policy and recorded); no other request pays for them.
        expect(responses.filter((_, i) => i !== 11 && i !== 3).map((r) => r.status)).toEqual(
          Array.from({ length: 18 }, () => 200),
        );
        expect(responses[11]?.status).toBe(401);
        expect([responses[3]?.status, responses[3]?.code]).toEqual([403, 'ERR_POLICY_DENIED']);
        const forwarded = echo.received.slice(seen).map((r) => r.headers['x-proctor-request-id']);
        expect(forwarded.length).toBe(18);
        expect(forwarded).not.toContain(responses[11]?.id);
        expect(forwarded).not.toContain(responses[3]?.id);
        const refused = (await records(chain)).filter((r) => r.request_id === responses[3]?.id);
        expect(refused.map((r) => [r.type, (r.record.decision as { stage?: string }).stage])).toEqual([
          ['decision', 'decide'],
        ]);
        expect(JSON.stringify(refused[0]?.record)).not.toContain('\\u0000');
      }
    } finally {
      await proctor.close();
    }
    // Every forwarded request has its decision and its outcome, and the decision's body digest is keyed.
    const rows = await records(chain);
    const forwarded = new Set(echo.received.slice(before).map((r) => String(r.headers['x-proctor-request-id'])));
    expect(forwarded.size).toBe(18 * ROUNDS);
    for (const id of forwarded) {
      expect(
        rows
          .filter((r) => r.request_id === id)
          .map((r) => r.type)
          .sort(),
      ).toEqual(['decision', 'outcome']);
    }
    const decision = rows.find((r) => r.type === 'decision' && forwarded.has(String(r.request_id)));
    expect((decision?.record.request as Record<string, unknown>).body_hmac_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.hasOwn(decision?.record.request as object, 'body_sha256')).toBe(false);
    await verifyClean();
  }, 120_000);

  it('a batch PostgreSQL refuses for one record (a NUL slipped into its statement) commits every other record', async () => {
    // The record builder refuses a NUL before it reaches a batch; this wrapper puts one into the statement's subject
    // column behind its back, so the refusal is PostgreSQL's own (22021) and the batch must be split.
    let refusals = 0;
    const poisoned =
      (inner: Sql): Sql['query'] =>
      async <R>(text: string, params?: readonly unknown[]) => {
        if (!text.includes('audit_append_batch(') || !params) return inner.query<R>(text, params);
        const subjects = (params[6] as (string | null)[]).map((s) => (s === 'mallory' ? 'mallory\u0000' : s));
        try {
          return await inner.query<R>(text, [...params.slice(0, 6), subjects, ...params.slice(7)]);
        } catch (error) {
          if ((error as { code?: string }).code === '22021') refusals++;
          throw error;
        }
      };
    const poisoning: Sql = {
      query: poisoned(sql),
      transaction: (fn) => sql.transaction((tx) => fn({ ...tx, query: poisoned(tx) })),
      tryLease: (name) => sql.tryLease(name),
      close: async () => undefined,
    };
    const chain = 'poison-ledger';
    const ledger = await openLedger({
      sql: poisoning,
      signer: loadSigner(key.privateKeyPem),
      chain,
      clock: { now: () => new Date() },
      batch: { maxWaitMs: 5 },
    });
    const subjects = Array.from({ length: 20 }, (_, i) => (i === 6 ? 'mallory' : `user-${i}`));
    const decisions = await Promise.allSettled(
      subjects.map((sub, i) =>
        ledger.append(
          'decision',
          `d${i}`,
          { principal: { sub }, decision: { allow: true, reasons: [], obligations: null } },
          { subject: sub, decision: 'allow' },
        ),
      ),
    );
    expect(refusals).toBeGreaterThan(0);
    expect(decisions.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as LedgerError).code))).toEqual(
      subjects.map((_, i) => (i === 6 ? 'ERR_RECORD_INVALID' : 'ok')),
    );
    const outcomes = await Promise.all(
      decisions.flatMap((r, i) =>
        r.status === 'fulfilled'
          ? [
              ledger.append(
                'outcome',
                `d${i}`,
                { decision_hash: r.value.hash, status: 200 },
                { subject: subjects[i] ?? null, decision: 'allow' },
              ),
            ]
          : [],
      ),
    );
    expect(outcomes.length).toBe(19);
    await ledger.close();
    const report = await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: [chain] });
    expect(report.findings).toEqual([]);
  }, 60_000);
});
