// The request pipeline as the attack unit tests use it: the real classifier and the real default policy bundle, a fake
// ledger that keeps every record's JSON, and a forwarder that keeps every body it would send upstream (and answers
// 500, since what comes back is not what these tests look at). No I/O beyond reading the bundle once.
import { fileURLToPath } from 'node:url';
import { createClassifier } from '../../src/classification/index.ts';
import type { Ledger } from '../../src/ledger/index.ts';
import { createRequestHandler, type PipelineDeps } from '../../src/pipeline/index.ts';
import { loadPolicyBundle, type PolicyEngine } from '../../src/policy/index.ts';
import { registryOf, upstreamSettings } from '../helpers/upstreams.ts';
import { createMemoryLimiter } from '../helpers/memory-limiter.ts';
import { createLogSink } from '../helpers/log-sink.ts';

const DEFAULT_BUNDLE = fileURLToPath(new URL('../../bundles/default.tar.gz', import.meta.url));

export const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(3) });

let engine: Promise<PolicyEngine> | null = null;

/** The default bundle, loaded once per test file. */
export function defaultPolicy(): Promise<PolicyEngine> {
  engine ??= loadPolicyBundle(DEFAULT_BUNDLE);
  return engine;
}

/** A client that reads nothing: the streamed answer is not what these tests look at. */
export function sink() {
  return { open: () => {}, write: async () => {}, end: () => {}, signal: new AbortController().signal };
}

/** A handler whose upstream bytes (`sent`) and record JSON (`records`) a test can scan. */
export async function recordingPipeline() {
  const policy = await defaultPolicy();
  const sent: string[] = [];
  const records: string[] = [];
  const ledger = {
    chain: 'test',
    async append(_type: string, _requestId: string | null, body: Record<string, unknown>) {
      records.push(JSON.stringify(body));
      return { chain: 'test', seq: 1, hash: 'h', bytes: new Uint8Array(), record: {} };
    },
  } as unknown as Ledger;
  // Each request is identified a minute after the last, so the default policy's per-minute limits (checked by a real
  // in-memory limiter) never refuse an attack request: these tests look at what leaves, not at limits.
  let minutes = 0;
  const refused = { status: 500, contentType: 'application/json', body: { error: { message: 'recorded' } } };
  const deps: PipelineDeps = {
    authenticator: {
      authenticate: async () => {
        minutes += 1;
        return {
          iss: 'https://idp.test',
          sub: 'alice',
          client_id: null,
          groups: ['eng'],
          tenant: null,
          token_fingerprint: 'f'.repeat(64),
        };
      },
    },
    classifier,
    policy: { decide: (input) => ({ decision: policy.decide(input), version: policy.version, shadow: null }) },
    ledger,
    forwarder: {
      forward: async (_target, _path, body) => {
        sent.push(JSON.stringify(body));
        return refused;
      },
      openStream: async (_target, _path, body) => {
        sent.push(JSON.stringify(body));
        return { ...refused, retryAfter: null, events: null, abort: () => {} };
      },
      close: async () => {},
    },
    upstreams: registryOf([upstreamSettings({ name: 'echo', apis: ['openai', 'anthropic'] })]),
    clock: { now: () => new Date('2026-01-01T00:00:00.000Z') },
    limits: createMemoryLimiter({ now: () => minutes * 60_000 }),
    log: createLogSink().log,
  };
  return { handler: createRequestHandler(deps), sent, records };
}
