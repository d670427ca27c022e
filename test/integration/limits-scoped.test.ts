// A policy's scoped limits reach the limits stage: a bundle whose data gives the group `ops` a shared bucket of two
// requests a minute (data.proctor.config.limits.scoped, passed through by policies/limits.rego as the decision's
// limits.scoped) refuses the third request from any member of that group, while a caller outside it is unaffected.
// Real parts: the OPA toolchain builds the bundle, PGlite holds the ledger and the counters, a real OIDC provider.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream, type EchoUpstream } from '../../src/dev/echo-upstream.ts';
import { startProctor, type RunningProctor } from '../../src/main.ts';
import { startOidcProvider } from '../helpers/oidc-provider.ts';
import { buildPolicyBundle } from '../helpers/policy-bundles.ts';
import { proctorConfig } from '../helpers/proctor-config.ts';

const AUDIENCE = 'https://proctor.test';
let idp: Awaited<ReturnType<typeof startOidcProvider>>;
let upstream: EchoUpstream;
let proctor: RunningProctor;

beforeAll(async () => {
  const bundle = buildPolicyBundle({
    revision: 'scoped-1',
    config: {
      limits: {
        default: {
          tokens_per_minute: 20000,
          requests_per_minute: 60,
          spend_micro_usd_per_day: 1000000,
          spend_micro_usd_per_month: 20000000,
        },
        groups: {},
        scoped: [{ scope: 'group', name: 'ops', requests_per_minute: 2 }],
      },
    },
  });
  idp = await startOidcProvider();
  upstream = await startEchoUpstream();
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-scoped-'));
  const config = proctorConfig({
    database: { pglite_dir: path.join(dir, 'db') },
    ledger: { chain: 'scoped-1' },
    issuers: [{ issuer: idp.issuer, audience: [AUDIENCE], allow_insecure_http: true }],
    policy: { bundle: bundle.path },
    upstreams: [
      {
        name: 'echo',
        kind: 'openai',
        base_url: upstream.url,
        models: ['*'],
        attributes: { zero_data_retention: true },
      },
    ],
    baseDir: dir,
  });
  proctor = await startProctor(config, { log: () => {} });
}, 120_000);

afterAll(async () => {
  await proctor?.close();
  await upstream?.close();
  await idp?.close();
});

async function ask(sub: string, groups: string[]) {
  const token = await idp.tokenFor({ audience: AUDIENCE, sub, groups });
  const openai = new OpenAI({ baseURL: proctor.url, apiKey: token, maxRetries: 0 });
  return openai.chat.completions
    .create({ model: 'echo-1', messages: [{ role: 'user', content: 'count me' }], max_tokens: 20 })
    .then(
      () => 200,
      (e: unknown) => (e instanceof OpenAI.APIError ? { status: e.status, code: e.code, message: e.message } : e),
    );
}

describe("a policy's scoped limits", () => {
  it('refuse the third request of a group across its members; a caller outside the group is unaffected', async () => {
    // The window is a minute: the three requests below take well under one, whatever minute they start in, unless
    // they straddle its end, in which case the group's bucket restarts and the third is admitted (retried once).
    for (let attempt = 0; attempt < 2; attempt++) {
      const first = await ask(`ann-${attempt}`, ['ops']);
      const second = await ask(`bob-${attempt}`, ['ops']);
      const third = await ask(`cat-${attempt}`, ['ops']);
      expect([first, second]).toEqual([200, 200]);
      if (third === 200) continue; // the minute turned between them
      expect(third).toMatchObject({ status: 429, code: 'ERR_LIMIT_EXCEEDED' });
      expect((third as { message: string }).message).toContain('group');
      const outside = await ask(`dan-${attempt}`, ['eng']);
      expect(outside).toBe(200);
      return;
    }
    throw new Error('the group limit never refused a third request');
  });
});
