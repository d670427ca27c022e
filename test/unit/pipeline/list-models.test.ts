// GET /v1/models lists what the caller's policy allows, also when every upstream is configured with models: ["*"]:
// names come from routing routes, the pricing table and explicit upstream lists; patterns are never listed; each name
// is decided by the policy, needs a permitted upstream and a price on one of them.
import { describe, expect, it } from 'vitest';
import { createRequestHandler, type PipelineDeps } from '../../../src/pipeline/index.ts';
import type { Decision, PolicyInput } from '../../../src/policy/index.ts';
import type { Ledger } from '../../../src/ledger/index.ts';
import { parsePricing } from '../../../src/limits/index.ts';
import { registryOf, upstreamSettings } from '../../helpers/upstreams.ts';
import { createMemoryLimiter, FREE_PRICING } from '../../helpers/memory-limiter.ts';
import { createLogSink } from '../../helpers/log-sink.ts';

const principal = {
  iss: 'https://idp.test',
  sub: 'alice',
  client_id: null,
  groups: ['eng'],
  tenant: null,
  token_fingerprint: 'f'.repeat(64),
};
const price = { input: 1, output: 1, cached_input: 1 };

function decisionFor(model: string): Decision {
  const upstreams = model === 'only-on-b' || model === 'priced-on-a-only-b-allowed' ? ['b'] : ['a', 'b'];
  return {
    allow: model !== 'forbidden',
    reasons: [],
    obligations: { upstreams, max_tokens: null, redact: [], response: { redact: [], block: [] }, limits: null },
  };
}

/** `revision(n)`: the policy revision that decides the n-th model (one revision for all unless given). */
function harness(pricingDoc: unknown, revision: (n: number) => string = () => 'r') {
  const decided: string[] = [];
  const records: Record<string, unknown>[] = [];
  const ledger = {
    chain: 't',
    async append(_type: string, _id: string | null, body: Record<string, unknown>) {
      records.push(structuredClone(body));
      return { chain: 't', seq: records.length, hash: `h${records.length}`, bytes: new Uint8Array(), record: {} };
    },
  } as unknown as Ledger;
  const deps: PipelineDeps = {
    authenticator: { authenticate: async () => principal },
    classifier: { classify: () => ({ findings: [] }) },
    policy: {
      decide: (input: PolicyInput) => {
        decided.push(input.request.model);
        return {
          decision: decisionFor(input.request.model),
          version: { revision: revision(decided.length), sha256: '0'.repeat(64) },
          shadow: null,
        };
      },
    },
    ledger,
    forwarder: {
      forward: async () => {
        throw new Error('nothing is forwarded');
      },
      openStream: async () => {
        throw new Error('nothing is forwarded');
      },
      close: async () => {},
    },
    upstreams: registryOf(
      [
        upstreamSettings({ name: 'a', models: ['*'] }),
        upstreamSettings({ name: 'b', models: ['*'] }),
        upstreamSettings({ name: 'c', models: ['listed-on-c', 'gpt-*'] }),
      ],
      {
        routes: [
          { model: 'routed-model', api: null, upstreams: ['a'] },
          { model: 'claude-*', api: null, upstreams: ['b'] },
          { model: 'forbidden', api: null, upstreams: ['a'] },
          { model: 'priced-on-a-only-b-allowed', api: null, upstreams: ['a', 'b'] },
        ],
      },
    ),
    clock: { now: () => new Date('2026-01-01T00:00:00Z') },
    limits: createMemoryLimiter({ pricing: parsePricing(pricingDoc, 'test') }),
    log: createLogSink().log,
  };
  const handler = createRequestHandler(deps);
  return {
    decided,
    records,
    list: () => handler.listModels({ requestId: 'r1', headers: { authorization: 'Bearer t' } }),
  };
}

const ids = (reply: { body: unknown }) => (reply.body as { data: { id: string }[] }).data.map((m) => m.id);

describe('GET /v1/models', () => {
  it('lists names from routing, pricing and explicit lists, never a pattern, each decided by policy', async () => {
    const h = harness({
      version: 'v1',
      unknown_model: { price_as: 'flat' },
      defaults: { flat: price },
      upstreams: {
        a: { 'gpt-4o': price, 'o3-mini': price, forbidden: price },
        b: { 'only-on-b': price, 'priced-on-a-only-b-allowed': price },
      },
    });
    const reply = await h.list();
    expect(reply.status).toBe(200);
    expect(ids(reply)).toEqual([
      'gpt-4o',
      'listed-on-c',
      'o3-mini',
      'only-on-b',
      'priced-on-a-only-b-allowed',
      'routed-model',
    ]);
    expect(ids(reply).some((id) => id.includes('*'))).toBe(false);
    // Every candidate went to the policy, the denied one included; no pattern did.
    expect([...h.decided].sort()).toEqual([
      'forbidden',
      'gpt-4o',
      'listed-on-c',
      'o3-mini',
      'only-on-b',
      'priced-on-a-only-b-allowed',
      'routed-model',
    ]);
    expect(h.records).toHaveLength(1);
    expect(h.records[0]).toMatchObject({ decision: { allow: true, reasons: [{ code: 'MODELS_LISTED' }] } });
  });

  it('leaves out a model no permitted upstream can price when unknown models are denied', async () => {
    const h = harness({
      version: 'v1',
      unknown_model: 'deny',
      upstreams: { a: { 'gpt-4o': price, 'priced-on-a-only-b-allowed': price }, b: { 'only-on-b': price } },
    });
    // routed-model and listed-on-c have no price anywhere; priced-on-a-only-b-allowed is priced only where the policy
    // does not allow it to go.
    expect(ids(await h.list())).toEqual(['gpt-4o', 'only-on-b']);
  });

  it('with every model priced as a default, lists every allowed name routing and upstream lists give', async () => {
    const h = harness(FREE_PRICING);
    expect(ids(await h.list())).toEqual(['listed-on-c', 'priced-on-a-only-b-allowed', 'routed-model']);
  });

  it('records the one policy version that decided every listed model', async () => {
    const h = harness(FREE_PRICING, () => 'rev-7');
    expect((await h.list()).status).toBe(200);
    expect(h.records).toHaveLength(1);
    expect(h.records[0]?.['policy']).toEqual({ revision: 'rev-7', sha256: '0'.repeat(64) });
  });

  it('refuses a listing two policy versions decided (never records one of them as deciding all)', async () => {
    // The third model is decided by another revision than the first two (a swap inside a listing).
    const h = harness(FREE_PRICING, (n) => (n < 3 ? 'old' : 'new'));
    const reply = await h.list();
    expect(reply.status).toBe(500);
    expect(reply.body).toMatchObject({ error: { code: 'ERR_INTERNAL' } });
    expect(h.records).toHaveLength(1);
    expect(h.records[0]).toMatchObject({
      policy: { revision: 'old' },
      decision: { allow: false, stage: 'internal', reasons: [{ code: 'ERR_INTERNAL' }] },
    });
  });
});
