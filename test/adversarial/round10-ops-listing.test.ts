// Round 10 ops, GET /v1/models against a subject's requests a minute: docs/limits.md ("Denied requests count:
// admission") says every request that gets past identification counts against its subject's minute counter, whatever
// becomes of it. The listing (src/pipeline/list-models.ts) decides every model name the configuration knows (a
// policy evaluation each) and signs one decision record a call, but takes nothing from the limits. Through the real
// server (startProctor with the development issuer, PGlite, the checked-in policy: 60 requests a minute a subject):
// one subject lists the models 130 times, another sends 130 chat requests; minute windows are calendar minutes, so
// 130 requests meet at least one full window of 61 unless they take over a minute. The ledger counts the records.
// Holes not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks that held are controls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type Sql } from '../../src/db/index.ts';
import { generateDevIssuerKey, mintDevToken, startDevIssuer } from '../../src/dev/dev-issuer.ts';
import { startEchoUpstream, type EchoUpstream } from '../../src/dev/echo-upstream.ts';
import { startProctor, type RunningProctor } from '../../src/main.ts';
import { devIssuerEntry, echoUpstream, proctorConfig } from '../helpers/proctor-config.ts';

const CALLS = 130;
let key: Awaited<ReturnType<typeof generateDevIssuerKey>>;
let issuer: Awaited<ReturnType<typeof startDevIssuer>>;
let upstream: EchoUpstream;
let sql: Sql;
let proctor: RunningProctor;

beforeAll(async () => {
  key = await generateDevIssuerKey();
  issuer = await startDevIssuer({ key, host: '127.0.0.1', port: 0 });
  upstream = await startEchoUpstream();
  sql = await openPglite();
  const config = proctorConfig({
    database: { pglite_dir: '/unused' },
    ledger: { chain: 'r10-ops-listing' },
    issuers: [devIssuerEntry(issuer.issuer, 'proctor')],
    upstreams: [echoUpstream(upstream.url)],
  });
  proctor = await startProctor(config, { sql, log: () => {} });
}, 120_000);

afterAll(async () => {
  await proctor?.close();
  await upstream?.close();
  await issuer?.close();
  await sql?.close();
});

const tokenFor = (sub: string) =>
  mintDevToken({ key, issuer: issuer.issuer, audience: 'proctor', sub, groups: [], tenant: null, ttlSeconds: 300 });

async function recordCount(): Promise<number> {
  const rows = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_records');
  return Number(rows.rows[0]?.n ?? 0);
}

describe("GET /v1/models against the subject's requests a minute", () => {
  it(`control: ${CALLS} chat requests from one subject meet the limit (429)`, async () => {
    const bearer = `Bearer ${await tokenFor('r10-listing-chat')}`;
    const statuses: number[] = [];
    for (let k = 0; k < CALLS; k++) {
      const answer = await fetch(`${proctor.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: bearer, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'echo-1', messages: [{ role: 'user', content: `hi ${k}` }], max_tokens: 16 }),
      });
      statuses.push(answer.status);
      await answer.text();
    }
    console.info(
      `chat: ${statuses.filter((s) => s === 200).length} answered, ${statuses.filter((s) => s === 429).length} refused 429`,
    );
    expect(statuses).toContain(429);
  }, 180_000);

  // A listing is admitted as the LLM APIs' requests are (src/pipeline/list-models.ts): 130 of 130 were answered 200
  // here before, each a policy evaluation per configured model and a signed record.
  it(`${CALLS} listings from one subject meet the limit (429)`, async () => {
    const bearer = `Bearer ${await tokenFor('r10-listing-models')}`;
    const before = await recordCount();
    const statuses: number[] = [];
    for (let k = 0; k < CALLS; k++) {
      const answer = await fetch(`${proctor.url}/models`, { headers: { authorization: bearer } });
      statuses.push(answer.status);
      await answer.text();
    }
    const records = (await recordCount()) - before;
    console.info(
      `listing: ${statuses.filter((s) => s === 200).length} answered 200 of ${CALLS}, ${records} records signed`,
    );
    expect(statuses).toContain(429);
  }, 180_000);
});
