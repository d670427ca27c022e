// The walking skeleton end to end, with real parts only: a throwaway PostgreSQL 15, a real OIDC provider issuing the
// tokens, the checked-in OPA wasm bundle, the official `openai` SDK as the client, and a local upstream that counts
// what it receives. The one oracle for the ledger is `proctor verify` itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import pg from 'pg';
import { generateSigningKey } from '../../src/ledger/index.ts';
import { startProctor, type RunningProctor } from '../../src/main.ts';
import { startEchoUpstream, type EchoUpstream } from '../../src/dev/echo-upstream.ts';
import { runVerify } from '../../src/cli/verify.ts';
import { startPostgres } from '../helpers/postgres.ts';
import { startOidcProvider } from '../helpers/oidc-provider.ts';
import { oidcIssuerEntry, proctorConfig } from '../helpers/proctor-config.ts';

const AUDIENCE = 'https://proctor.test';
const UPSTREAM_KEY = 'sk-upstream-test-credential';

let postgres: Awaited<ReturnType<typeof startPostgres>>;
let idp: Awaited<ReturnType<typeof startOidcProvider>>;
let upstream: EchoUpstream;
let proctor: RunningProctor;
let trustFile: string;
let clockOffsetMs = 0;
/** Decision rows visible to another connection at the moment the upstream received each request. */
const committedWhenUpstreamSaw = new Map<string, number>();
let db: pg.Pool;

beforeAll(async () => {
  postgres = await startPostgres();
  db = new pg.Pool({ connectionString: postgres.superuserUrl, max: 2, connectionTimeoutMillis: 2000 });
  db.on('error', () => {});
  idp = await startOidcProvider();
  upstream = await startEchoUpstream({
    respond: (request) => {
      const id = request.headers['x-proctor-request-id'];
      if (typeof id === 'string') {
        // Synchronous hook: record a promise result later via the map (see checkCommitted below).
        pendingChecks.push(checkCommitted(id));
      }
      return undefined;
    },
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-it-'));
  const key = generateSigningKey();
  trustFile = path.join(dir, 'ledger.pub.pem');
  writeFileSync(trustFile, key.publicKeyPem);
  const config = proctorConfig({
    server: { body_limit_bytes: 65536 },
    database: { url: { env: 'DATABASE_URL' }, connect_timeout_ms: 1000 },
    ledger: { chain: 'it-1' },
    issuers: [oidcIssuerEntry(idp.issuer, AUDIENCE)],
    upstreams: [
      {
        name: 'echo',
        provider: 'openai',
        base_url: upstream.url,
        credential: { env: 'UPSTREAM_KEY' },
        models: ['*'],
        attributes: { zero_data_retention: true },
      },
    ],
    env: { DATABASE_URL: postgres.url, UPSTREAM_KEY },
    signingKeyPem: key.privateKeyPem,
    baseDir: dir,
  });
  proctor = await startProctor(config, { clock: { now: () => new Date(Date.now() + clockOffsetMs) }, log: () => {} });
});

afterAll(async () => {
  await proctor?.close();
  await upstream?.close();
  await idp?.close();
  await db?.end();
  await postgres?.stop();
});

const pendingChecks: Promise<void>[] = [];
async function checkCommitted(requestId: string): Promise<void> {
  const { rows } = await db.query(
    "SELECT count(*)::int AS n FROM audit_records WHERE request_id = $1 AND type = 'decision'",
    [requestId],
  );
  committedWhenUpstreamSaw.set(requestId, rows[0].n as number);
}

function client(token: string): OpenAI {
  return new OpenAI({ baseURL: proctor.url, apiKey: token, maxRetries: 0, timeout: 15_000 });
}

async function decisionFor(requestId: string): Promise<Record<string, unknown>> {
  const { rows } = await db.query("SELECT record FROM audit_records WHERE request_id = $1 AND type = 'decision'", [
    requestId,
  ]);
  expect(rows).toHaveLength(1);
  return JSON.parse(Buffer.from(rows[0].record as Buffer).toString('utf8')) as Record<string, unknown>;
}

async function verify(): Promise<{
  code: number;
  report: { ok: boolean; findings: { code: string; severity: string }[] };
}> {
  let out = '';
  const code = await runVerify(['--db', postgres.superuserUrl, '--trust', trustFile, '--json'], {
    stdout: (s) => (out += s),
    stderr: () => {},
    env: {},
  });
  return { code, report: JSON.parse(out) };
}

describe('a request through every real part', () => {
  it('forwards an allowed request after its decision record is committed, with the upstream credential only', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE, groups: ['eng'] });
    const before = upstream.received.length;
    const { data, response } = await client(token)
      .chat.completions.create({ model: 'echo-1', messages: [{ role: 'user', content: 'hello from alice' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('echo: hello from alice');
    expect(upstream.received.length).toBe(before + 1);
    const seen = upstream.received.at(-1);
    expect(seen?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(JSON.stringify(seen?.headers)).not.toContain(token);
    const requestId = response.headers.get('x-proctor-request-id') as string;
    await Promise.all(pendingChecks);
    expect(committedWhenUpstreamSaw.get(requestId)).toBe(1);
    const record = await decisionFor(requestId);
    expect(record).toMatchObject({ type: 'decision', decision: { allow: true }, route: { upstream: 'echo' } });
    expect(JSON.stringify(record)).not.toContain('hello from alice');
    const outcome = await db.query("SELECT record FROM audit_records WHERE request_id = $1 AND type = 'outcome'", [
      requestId,
    ]);
    expect(JSON.parse(Buffer.from(outcome.rows[0].record as Buffer).toString('utf8'))).toMatchObject({
      status: 200,
      usage: { total_tokens: expect.any(Number) },
    });
  });

  it.each([
    ['a US SSN', 'my ssn is 219-09-9999, please file my taxes', 'NATIONAL_ID_DETECTED'],
    ['an AWS access key', 'deploy with AKIA2E0A8F3B244C9986 now', 'SECRET_DETECTED'],
  ])('refuses a prompt carrying %s, never forwards it, and records the denial', async (_what, prompt, reason) => {
    const token = await idp.tokenFor({ audience: AUDIENCE, groups: ['eng'] });
    const before = upstream.received.length;
    const error = await client(token)
      .chat.completions.create({ model: 'echo-1', messages: [{ role: 'user', content: prompt }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const apiError = error as InstanceType<typeof OpenAI.PermissionDeniedError>;
    expect(apiError.code).toBe('ERR_POLICY_DENIED');
    expect(upstream.received.length).toBe(before);
    const record = await decisionFor(apiError.headers.get('x-proctor-request-id') as string);
    expect(record).toMatchObject({ decision: { allow: false, stage: 'decide' }, route: null });
    expect((record.decision as { reasons: { code: string }[] }).reasons.map((r) => r.code)).toContain(reason);
    expect(JSON.stringify(record)).not.toContain(prompt.slice(10, 22));
  });

  it.each([
    ['a malformed token', async () => 'not-a-jwt', ['ERR_TOKEN_MALFORMED']],
    [
      'a token for another audience',
      async () => idp.tokenFor({ audience: 'https://someone-else.test' }),
      ['ERR_TOKEN_AUDIENCE'],
    ],
    ['a tampered token', async () => tamper(await idp.tokenFor({ audience: AUDIENCE })), ['ERR_TOKEN_SIGNATURE']],
  ])('answers 401 to %s and records it', async (_what, makeToken, codes) => {
    const before = upstream.received.length;
    const error = await client(await makeToken())
      .chat.completions.create({ model: 'echo-1', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    const apiError = error as InstanceType<typeof OpenAI.AuthenticationError>;
    expect(codes).toContain(apiError.code);
    expect(upstream.received.length).toBe(before);
    const record = await decisionFor(apiError.headers.get('x-proctor-request-id') as string);
    expect(record).toMatchObject({
      principal: null,
      decision: { allow: false, stage: 'identify', reasons: [{ code: apiError.code }] },
    });
  });

  it('answers 401 to an expired token and records it', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE });
    clockOffsetMs = 6 * 3600_000;
    try {
      const error = await client(token)
        .chat.completions.create({ model: 'echo-1', messages: [{ role: 'user', content: 'hi' }] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('ERR_TOKEN_EXPIRED');
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('rejects an unknown body field with 400, names it, and records the denial', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE });
    const before = upstream.received.length;
    const response = await fetch(`${proctor.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'echo-1', messages: [{ role: 'user', content: 'hi' }], user: 'mallory' }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; param: string } };
    expect(body.error).toMatchObject({ code: 'ERR_REQUEST_UNKNOWN_FIELD', param: 'user' });
    expect(upstream.received.length).toBe(before);
    const record = await decisionFor(response.headers.get('x-proctor-request-id') as string);
    expect(record).toMatchObject({ decision: { allow: false, stage: 'parse' } });
  });

  it('answers 413 to a body over the limit, before reading it whole, and records it', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE });
    const before = upstream.received.length;
    const response = await fetch(`${proctor.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'echo-1', messages: [{ role: 'user', content: 'x'.repeat(70_000) }] }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('ERR_REQUEST_TOO_LARGE');
    expect(upstream.received.length).toBe(before);
    const record = await decisionFor(response.headers.get('x-proctor-request-id') as string);
    expect(record).toMatchObject({ decision: { allow: false, stage: 'transport' } });
  });

  it('verifies the chain written so far', async () => {
    // Its own request first, so the chain holds at least one decision and outcome whatever ran before.
    const token = await idp.tokenFor({ audience: AUDIENCE, groups: ['eng'] });
    await client(token).chat.completions.create({
      model: 'echo-1',
      messages: [{ role: 'user', content: 'to verify' }],
    });
    const { code, report } = await verify();
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(code).toBe(0);
  });

  it('answers 503 and forwards nothing while the database is down, then recovers', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE, groups: ['eng'] });
    const before = upstream.received.length;
    await postgres.stop();
    try {
      const error = await client(token)
        .chat.completions.create({ model: 'echo-1', messages: [{ role: 'user', content: 'during outage' }] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
      expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('ERR_AUDIT_UNAVAILABLE');
      expect(upstream.received.length).toBe(before);
    } finally {
      await postgres.start();
    }
    const answer = await client(token).chat.completions.create({
      model: 'echo-1',
      messages: [{ role: 'user', content: 'after outage' }],
    });
    expect(answer.choices[0]?.message.content).toBe('echo: after outage');
    expect((await verify()).code).toBe(0);
  });

  it('fails verification, naming the record, when a stored record is modified or deleted', async () => {
    // Its own request's decision is the record tampered with; the test puts everything back, so order does not matter.
    const token = await idp.tokenFor({ audience: AUDIENCE, groups: ['eng'] });
    const { response } = await client(token)
      .chat.completions.create({ model: 'echo-1', messages: [{ role: 'user', content: 'to tamper with' }] })
      .withResponse();
    const requestId = response.headers.get('x-proctor-request-id') as string;
    const { rows } = await db.query(
      "SELECT seq, record FROM audit_records WHERE chain = 'it-1' AND request_id = $1 AND type = 'decision'",
      [requestId],
    );
    expect(rows).toHaveLength(1);
    const seq = Number(rows[0].seq);
    const original = Buffer.from(rows[0].record as Buffer);
    // A malicious database administrator: disables the append-only triggers and edits history.
    await db.query('ALTER TABLE audit_records DISABLE TRIGGER ALL');
    try {
      const modified = Buffer.from(original.toString('utf8').replace('"decision"', '"decisioN"'), 'utf8');
      await db.query("UPDATE audit_records SET record = $1 WHERE chain = 'it-1' AND seq = $2", [modified, seq]);
      const afterEdit = await verify();
      expect(afterEdit.code).toBe(1);
      expect(afterEdit.report.findings.map((f) => f.code).join(',')).toMatch(
        /RECORD_(HASH_MISMATCH|SCHEMA_INVALID|NOT_CANONICAL)/,
      );

      await db.query("UPDATE audit_records SET record = $1 WHERE chain = 'it-1' AND seq = $2", [original, seq]);
      expect((await verify()).code).toBe(0);

      // The decision is followed by its outcome, so its deletion leaves a gap the verifier names.
      await db.query("CREATE TABLE deleted_record AS SELECT * FROM audit_records WHERE chain = 'it-1' AND seq = $1", [
        seq,
      ]);
      await db.query("DELETE FROM audit_records WHERE chain = 'it-1' AND seq = $1", [seq]);
      const afterDelete = await verify();
      expect(afterDelete.code).toBe(1);
      expect(afterDelete.report.findings.map((f) => f.code)).toEqual(
        expect.arrayContaining([expect.stringMatching(/CHAIN_(SEQ_GAP|LINK_BROKEN)/)]),
      );
      await db.query('INSERT INTO audit_records SELECT * FROM deleted_record');
      await db.query('DROP TABLE deleted_record');
      expect((await verify()).code).toBe(0);
    } finally {
      await db.query('ALTER TABLE audit_records ENABLE TRIGGER ALL');
      await db.query('ALTER TABLE audit_records ENABLE ALWAYS TRIGGER audit_records_no_update_delete');
      await db.query('ALTER TABLE audit_records ENABLE ALWAYS TRIGGER audit_records_no_truncate');
    }
  });
});

function tamper(jwt: string): string {
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
  return [header, payload, flipped].join('.');
}
