// Closed world, requests: for every API, any body its adapter accepts (generated from the adapter's own request shape)
// with a value planted at a random string position or object key goes through the real pipeline stages (the real
// classifier, the real default policy bundle) and either is refused or reaches the upstream without the value.
// The ledger is a fake (no I/O here); the upstream is a recording forwarder.
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClassifier } from '../../src/classification/index.ts';
import { createRequestHandler, type PipelineDeps } from '../../src/pipeline/index.ts';
import { loadPolicyBundle, type PolicyEngine } from '../../src/policy/index.ts';
import { allAdapters, type Api } from '../../src/providers/index.ts';
import type { Ledger } from '../../src/ledger/index.ts';
import { registryOf, upstreamSettings } from '../helpers/upstreams.ts';
import { arbitraryOf, plantArbitrary, plantSecret } from '../helpers/shape-arbitrary.ts';

const DEFAULT_BUNDLE = fileURLToPath(new URL('../../bundles/default.tar.gz', import.meta.url));
/** Denied by the default policy (secrets, national ids) or redacted for an upstream without zero data retention. */
const SECRETS = ['AKIAQ3EGTHV5RJ7YWU2P', '219-09-9999', 'jdoe.private@corp-mail.net'] as const;

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(3) });
let engine: PolicyEngine;
beforeAll(async () => {
  engine = await loadPolicyBundle(DEFAULT_BUNDLE);
});

/** A client that reads nothing: the streamed answer is not what these tests look at. */
function sink() {
  return { open: () => {}, write: async () => {}, end: () => {}, signal: new AbortController().signal };
}

function pipeline() {
  const sent: string[] = [];
  const records: string[] = [];
  const ledger = {
    chain: 'test',
    async append(_type: string, _requestId: string | null, body: Record<string, unknown>) {
      records.push(JSON.stringify(body));
      return { chain: 'test', seq: 1, hash: 'h', bytes: new Uint8Array(), record: {} };
    },
  } as unknown as Ledger;
  const record = (body: Record<string, unknown>) => sent.push(JSON.stringify(body));
  const deps: PipelineDeps = {
    authenticator: {
      authenticate: async () => ({
        iss: 'https://idp.test',
        sub: 'alice',
        client_id: null,
        groups: ['eng'],
        tenant: null,
        token_fingerprint: 'f'.repeat(64),
      }),
    },
    classifier,
    policy: { decide: (input) => ({ decision: engine.decide(input), version: engine.version, shadow: null }) },
    ledger,
    forwarder: {
      forward: async (_target, _path, body) => {
        record(body);
        return { status: 500, contentType: 'application/json', body: { error: { message: 'recorded' } } };
      },
      openStream: async (_target, _path, body) => {
        record(body);
        return {
          status: 500,
          contentType: 'application/json',
          retryAfter: null,
          body: { error: { message: 'recorded' } },
          events: null,
          abort: () => {},
        };
      },
      close: async () => {},
    },
    upstreams: registryOf([upstreamSettings({ name: 'echo', apis: ['openai', 'anthropic'] })]),
    clock: { now: () => new Date('2026-01-01T00:00:00.000Z') },
  };
  return { handler: createRequestHandler(deps), sent, records };
}

describe.each(allAdapters().map((a) => [a.api, a] as const))('closed world for %s requests', (api: Api, adapter) => {
  const bodies = arbitraryOf(adapter.requestShape).map((b) => ({ ...(b as Record<string, unknown>), model: 'echo-1' }));

  it('forwards generated bodies (the generator reaches the upstream, so the property below is not vacuous)', async () => {
    const { handler, sent } = pipeline();
    const samples = fc.sample(bodies, { numRuns: 150, seed: 7 });
    for (const body of samples) {
      await handler.handle({
        requestId: 'r',
        api,
        headers: {},
        body: new TextEncoder().encode(JSON.stringify(body)),
        sink: sink(),
      });
    }
    expect(sent.length).toBeGreaterThan(samples.length * 0.8);
  });

  it('never forwards or records a planted value: refused, or absent from every byte sent upstream; never in a record', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, plantArbitrary, fc.constantFrom(...SECRETS), async (body, plant, secret) => {
        const { handler, sent, records } = pipeline();
        const planted = plantSecret(body, secret, plant);
        const reply = await handler.handle({
          requestId: 'r',
          api,
          headers: {},
          body: new TextEncoder().encode(JSON.stringify(planted)),
          sink: sink(),
        });
        for (const bytes of sent) expect(bytes).not.toContain(secret);
        // No raw value in a record either: not in a finding's path, a tool name, the model or a reason.
        for (const record of records) expect(record).not.toContain(secret);
        if (sent.length === 0) expect(reply.status).toBeGreaterThanOrEqual(400);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the model name', () => {
  it('is text: one that holds a finding is refused and kept out of the record', async () => {
    const { handler, sent, records } = pipeline();
    const body = { model: 'jdoe.private@corp-mail.net', messages: [{ role: 'user', content: 'hi' }] };
    const reply = await handler.handle({
      requestId: 'r',
      api: 'openai.chat_completions',
      headers: {},
      body: new TextEncoder().encode(JSON.stringify(body)),
    });
    expect(reply.status).toBe(400);
    expect(sent).toEqual([]);
    expect(records.length).toBe(1);
    expect(records.join('')).not.toContain('corp-mail');
  });
});
