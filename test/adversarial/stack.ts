// The real pipeline for attack suites: Proctor as `proctor serve` builds it (startProctor: the real classifier, the
// checked-in policy bundle, the ledger on a throwaway PostgreSQL, real OIDC tokens) in front of a recording upstream
// (OpenAI-compatible and Anthropic kinds, zero-data-retention, so the default policy denies a national id or a secret
// rather than redacting it). RETAINING names a model also served without zero data retention, which the default
// policy allows the `eng` group: there it redacts personal data in requests and answers. `send` keeps every byte the
// client received, so a suite can scan both sides.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { runVerify } from '../../src/cli/verify.ts';
import { generateSigningKey } from '../../src/ledger/index.ts';
import { startProctor, type RunningProctor } from '../../src/main.ts';
import { startPostgres } from '../helpers/postgres.ts';
import { startOidcProvider } from '../helpers/oidc-provider.ts';
import { startRecordingUpstream, type Recorded, type RecordingUpstream } from './recording-upstream.ts';
import { proctorConfig, type ProctorConfigParts } from '../helpers/proctor-config.ts';

const AUDIENCE = 'https://proctor.test';

export type ApiName = 'chat' | 'completions' | 'embeddings' | 'responses' | 'messages';
export const PATHS: Record<ApiName, string> = {
  chat: '/v1/chat/completions',
  completions: '/v1/completions',
  embeddings: '/v1/embeddings',
  responses: '/v1/responses',
  messages: '/v1/messages',
};

export interface Exchange {
  status: number;
  requestId: string;
  /** Status line, headers and body as the client received them. */
  received: string;
  body: string;
  /** What reached the upstream for this request (empty when it was refused). */
  upstream: Recorded[];
}

export interface AdversarialStack {
  upstream: RecordingUpstream;
  /** Sends a body (an object is serialised; a string or bytes are sent as they are) and reads the whole answer. */
  send(
    api: ApiName,
    body: unknown,
    extra?: { headers?: Record<string, string>; query?: string; groups?: readonly string[] },
  ): Promise<Exchange>;
  /** Every byte every client connection received so far. */
  clientBytes(): string;
  /** Every record in the ledger, as stored (the signed bytes), one per line. */
  records(): Promise<string>;
  /** Every line Proctor logged. */
  logText(): string;
  /** `proctor verify` over the whole ledger with the public key only: its exit code and verdict. */
  verify(): Promise<{ code: number; ok: boolean }>;
  /** GET /v1/models for a caller in these groups: the listed model ids. */
  models(groups: readonly string[]): Promise<string[]>;
  /** Proctor's origin (no /v1), a bearer token for these groups, the ledger database's superuser URL: raw clients. */
  origin: string;
  token(groups: readonly string[]): Promise<string>;
  databaseUrl: string;
  close(): Promise<void>;
}

/** Edits Proctor's configuration before it starts (a short timeout, another issuer or upstream). */
export interface StackOptions {
  configure?: (parts: ProctorConfigParts) => ProctorConfigParts;
}

/** Requests per subject before a fresh one is used: the default policy allows 60 a minute per subject. */
const PER_SUBJECT = 20;

/** A model an upstream without zero data retention serves, and the groups the default policy allows it for. */
export const RETAINING = { model: 'gpt-4o-mini', groups: ['eng'] } as const;

export async function startAdversarialStack(name: string, options: StackOptions = {}): Promise<AdversarialStack> {
  const postgres = await startPostgres();
  const idp = await startOidcProvider();
  const upstream = await startRecordingUpstream();
  const dir = mkdtempSync(path.join(tmpdir(), `proctor-adv-${name}-`));
  const key = generateSigningKey();
  const trustFile = path.join(dir, 'ledger.pub.pem');
  writeFileSync(trustFile, key.publicKeyPem);
  const logs: string[] = [];
  writeFileSync(
    path.join(dir, 'pricing.json'),
    JSON.stringify({
      version: 'adversarial',
      unknown_model: { price_as: 'flat' },
      defaults: { flat: { input: 1, output: 1, cached_input: 1 } },
      // echo-1 is named only here (every upstream serving it is configured with models: ["*"]).
      upstreams: { rec: { 'echo-1': { input: 1, output: 1, cached_input: 1 } } },
    }),
  );
  let proctor: RunningProctor;
  try {
    const parts: ProctorConfigParts = {
      database: { url: { env: 'DATABASE_URL' }, connect_timeout_ms: 2000 },
      ledger: { chain: `adv-${name}` },
      issuers: [{ issuer: idp.issuer, audience: [AUDIENCE], allow_insecure_http: true }],
      upstreams: [
        {
          name: 'rec',
          kind: 'openai-compatible',
          base_url: upstream.url,
          credential: { env: 'UPSTREAM_KEY' },
          models: ['*'],
          timeouts: { first_byte_ms: 5000 },
          attributes: { zero_data_retention: true },
        },
        {
          name: 'rec-anthropic',
          kind: 'anthropic',
          base_url: upstream.url,
          credential: { env: 'UPSTREAM_KEY' },
          models: ['*'],
          timeouts: { first_byte_ms: 5000 },
          attributes: { zero_data_retention: true },
        },
        ...(['openai-compatible', 'anthropic'] as const).map((kind) => ({
          name: `rec-${kind}-retaining`,
          kind,
          base_url: upstream.url,
          credential: { env: 'UPSTREAM_KEY' },
          models: [RETAINING.model],
          timeouts: { first_byte_ms: 5000 },
          attributes: { zero_data_retention: false },
        })),
      ],
      sections: {
        // Retried error answers are still retried (twice), without waiting between attempts.
        routing: { retry: { max_attempts: 2, backoff_ms: 0 } },
        // Attack requests rarely cap max_tokens: reserving the default 4,096 for each, five at once on one subject
        // would pass the default policy's 20,000 tokens a minute and answer a correct but unwanted 429.
        limits: { pricing: path.join(dir, 'pricing.json'), default_max_tokens: 256 },
      },
      env: { DATABASE_URL: postgres.url, UPSTREAM_KEY: 'sk-recording-upstream' },
      signingKeyPem: key.privateKeyPem,
      baseDir: dir,
    };
    const config = proctorConfig(options.configure ? options.configure(parts) : parts);
    proctor = await startProctor(config, {
      log: (level, message, fields) => logs.push(JSON.stringify({ level, message, fields })),
    });
  } catch (error) {
    await upstream.close();
    await idp.close();
    await postgres.stop();
    throw error;
  }
  const origin = proctor.url.replace(/\/v1$/, '');
  const received: string[] = [];
  const subjects = new Map<string, { sent: number; token: Promise<string> | null }>();

  /** A token for these groups; a fresh subject every PER_SUBJECT requests. */
  function nextToken(groups: readonly string[]): Promise<string> {
    const key = groups.join(',');
    const subject = subjects.get(key) ?? { sent: 0, token: null };
    subjects.set(key, subject);
    if (subject.token === null || subject.sent % PER_SUBJECT === 0) {
      const sub = `attacker-${name}-${key || 'none'}-${subject.sent / PER_SUBJECT}`;
      subject.token = idp.tokenFor({ audience: AUDIENCE, sub, groups: [...groups] });
    }
    subject.sent += 1;
    return subject.token;
  }

  return {
    upstream,
    async send(api, body, extra = {}) {
      const bearer = await nextToken(extra.groups ?? []);
      const response = await fetch(`${origin}${PATHS[api]}${extra.query ?? ''}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${bearer}`,
          'x-api-key': bearer,
          'content-type': 'application/json',
          'anthropic-version': '2023-06-01',
          ...extra.headers,
        },
        body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
      });
      const text = await response.text();
      const head = [`HTTP/1.1 ${response.status}`, ...[...response.headers].map(([k, v]) => `${k}: ${v}`)].join('\r\n');
      const all = `${head}\r\n\r\n${text}`;
      received.push(all);
      const requestId = response.headers.get('x-proctor-request-id') ?? '';
      return {
        status: response.status,
        requestId,
        received: all,
        body: text,
        upstream: upstream.forRequest(requestId),
      };
    },
    clientBytes: () => received.join('\n'),
    origin,
    token: nextToken,
    databaseUrl: postgres.superuserUrl,
    async models(groups) {
      const response = await fetch(`${origin}/v1/models`, {
        headers: { authorization: `Bearer ${await nextToken(groups)}` },
      });
      const listing = (await response.json()) as { data?: { id: string }[] };
      return (listing.data ?? []).map((m) => m.id);
    },
    async records() {
      const db = new pg.Client({ connectionString: postgres.superuserUrl });
      await db.connect();
      try {
        const { rows } = await db.query<{ record: Buffer }>('SELECT record FROM audit_records ORDER BY seq');
        return rows.map((r) => r.record.toString('utf8')).join('\n');
      } finally {
        await db.end();
      }
    },
    logText: () => logs.join('\n'),
    async verify() {
      let out = '';
      const args = ['--db', postgres.superuserUrl, '--trust', trustFile, '--json'];
      const code = await runVerify(args, { stdout: (s) => (out += s), stderr: () => {}, env: {} });
      return { code, ok: (JSON.parse(out) as { ok: boolean }).ok };
    },
    async close() {
      await proctor.close();
      await upstream.close();
      await idp.close();
      await postgres.stop();
    },
  };
}
