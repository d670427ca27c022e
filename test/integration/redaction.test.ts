// Redaction end to end with real parts: a throwaway PostgreSQL 15, a real OIDC provider, the checked-in policy
// bundle (which redacts PII for upstreams without zero data retention and blocks answers carrying secrets), the
// official `openai` SDK, and a local upstream that records what it receives. `proctor verify` is the ledger oracle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import pg from 'pg';
import { generateSigningKey } from '../../src/ledger/index.ts';
import { startProctor, type RunningProctor } from '../../src/main.ts';
import { startEchoUpstream, type EchoUpstream, type ReceivedRequest } from '../../src/dev/echo-upstream.ts';
import { runVerify } from '../../src/cli/verify.ts';
import { startPostgres } from '../helpers/postgres.ts';
import { startOidcProvider } from '../helpers/oidc-provider.ts';
import { proctorConfig } from '../helpers/proctor-config.ts';

const AUDIENCE = 'https://proctor.test';
let postgres: Awaited<ReturnType<typeof startPostgres>>;
let idp: Awaited<ReturnType<typeof startOidcProvider>>;
let upstream: EchoUpstream;
let proctor: RunningProctor;
let db: pg.Pool;
let trustFile: string;
/** The next answer the upstream gives (undefined: echo the prompt). */
let nextAnswer: string | undefined;

beforeAll(async () => {
  postgres = await startPostgres();
  db = new pg.Pool({ connectionString: postgres.superuserUrl, max: 2 });
  db.on('error', () => {});
  idp = await startOidcProvider();
  upstream = await startEchoUpstream({
    respond: (_request: ReceivedRequest) => {
      if (nextAnswer === undefined) return undefined;
      const content = nextAnswer;
      nextAnswer = undefined;
      return {
        status: 200,
        body: {
          id: 'x',
          object: 'chat.completion',
          created: 1,
          model: 'echo-1',
          choices: [
            { index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' },
          ],
          usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 },
        },
      };
    },
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-redaction-'));
  const key = generateSigningKey();
  trustFile = path.join(dir, 'ledger.pub.pem');
  writeFileSync(trustFile, key.publicKeyPem);
  writeFileSync(
    path.join(dir, 'pricing.json'),
    JSON.stringify({
      version: 'redaction-test',
      unknown_model: 'deny',
      upstreams: { retaining: { 'echo-1': { input: 1000000, output: 2000000, cached_input: 500000 } } },
    }),
  );
  const config = proctorConfig({
    database: { url: { env: 'DATABASE_URL' } },
    ledger: { chain: 'redaction-1' },
    issuers: [{ issuer: idp.issuer, audience: [AUDIENCE], allow_insecure_http: true }],
    // No zero data retention: the default policy redacts PII for this upstream.
    upstreams: [
      {
        name: 'retaining',
        provider: 'openai',
        base_url: upstream.url,
        models: ['*'],
        attributes: { zero_data_retention: false },
      },
    ],
    // Unpriced models are denied (docs/limits.md): this test's upstream has a price of its own.
    sections: { limits: { pricing: path.join(dir, 'pricing.json') } },
    env: { DATABASE_URL: postgres.url },
    signingKeyPem: key.privateKeyPem,
    baseDir: dir,
  });
  proctor = await startProctor(config, { log: () => {} });
});

afterAll(async () => {
  await proctor?.close();
  await upstream?.close();
  await idp?.close();
  await db?.end();
  await postgres?.stop();
});

async function recordOf(requestId: string, type: 'decision' | 'outcome'): Promise<Record<string, unknown>> {
  const { rows } = await db.query('SELECT record FROM audit_records WHERE request_id = $1 AND type = $2', [
    requestId,
    type,
  ]);
  expect(rows).toHaveLength(1);
  return JSON.parse(Buffer.from(rows[0].record as Buffer).toString('utf8')) as Record<string, unknown>;
}

async function client(): Promise<OpenAI> {
  return new OpenAI({
    baseURL: proctor.url,
    apiKey: await idp.tokenFor({ audience: AUDIENCE, groups: ['eng'] }),
    maxRetries: 0,
  });
}

describe('redaction through every real part', () => {
  it('forwards placeholders, not the values, and the committed decision record says what was redacted', async () => {
    const before = upstream.received.length;
    const prompt = 'Write to anna.berg@lakeshore-bank.com and cc ANNA.BERG@lakeshore-bank.com from 73.162.214.25';
    const { data, response } = await (await client()).chat.completions
      .create({ model: 'echo-1', messages: [{ role: 'user', content: prompt }] })
      .withResponse();
    expect(upstream.received.length).toBe(before + 1);
    const sent = JSON.stringify(upstream.received.at(-1)?.body);
    expect(sent).not.toContain('anna.berg');
    expect(sent).not.toContain('73.162.214.25');
    expect(sent).toContain('Write to [EMAIL_1] and cc [EMAIL_1] from [IP_ADDRESS_1]');
    expect(data.choices[0]?.message.content).toBe('echo: Write to [EMAIL_1] and cc [EMAIL_1] from [IP_ADDRESS_1]');
    const id = response.headers.get('x-proctor-request-id') as string;
    const decision = await recordOf(id, 'decision');
    expect(decision.redaction).toEqual({ types: { EMAIL: 2, IP_ADDRESS: 1 } });
    expect(JSON.stringify(decision)).not.toContain('anna.berg');
  });

  it('redacts PII in the answer and records the response classification', async () => {
    nextAnswer = 'Her number is +44 20 7946 0958 and her email jo.smith@contoso-mail.com.';
    const { data, response } = await (await client()).chat.completions
      .create({ model: 'echo-1', messages: [{ role: 'user', content: 'how do I reach Jo?' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('Her number is [PHONE_1] and her email [EMAIL_1].');
    const outcome = await recordOf(response.headers.get('x-proctor-request-id') as string, 'outcome');
    expect(outcome).toMatchObject({
      status: 200,
      response_action: 'redacted',
      response_classification: { finding_count: 2, types: { EMAIL: 1, PHONE: 1 } },
    });
    expect(JSON.stringify(outcome)).not.toContain('jo.smith');
  });

  it('withholds an answer carrying a secret: 403 ERR_RESPONSE_BLOCKED, recorded, ledger verifies', async () => {
    nextAnswer = 'Sure, use key AKIA7UWK72QGS5IW4OM2 to deploy.';
    const error = await (await client()).chat.completions
      .create({ model: 'echo-1', messages: [{ role: 'user', content: 'what key should I use?' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const apiError = error as InstanceType<typeof OpenAI.PermissionDeniedError>;
    expect(apiError.code).toBe('ERR_RESPONSE_BLOCKED');
    expect(JSON.stringify(apiError.error)).not.toContain('AKIA7UWK72QGS5IW4OM2');
    const outcome = await recordOf(apiError.headers.get('x-proctor-request-id') as string, 'outcome');
    expect(outcome).toMatchObject({
      status: 403,
      upstream_status: 200,
      error: 'ERR_RESPONSE_BLOCKED',
      response_action: 'blocked',
    });
    let out = '';
    const code = await runVerify(['--db', postgres.superuserUrl, '--trust', trustFile, '--json'], {
      stdout: (s) => (out += s),
      stderr: () => {},
      env: {},
    });
    expect({ code, ok: (JSON.parse(out) as { ok: boolean }).ok }).toEqual({ code: 0, ok: true });
  });
});
