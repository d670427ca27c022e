// Request-shaped fixtures for the policy and ledger CPU benches: each request parsed by the real adapter, classified
// by the real classifier, its policy input built and decided by the default bundle, and its decision and outcome
// bodies built as the pipeline builds them (src/pipeline/handle-request.ts, outcome.ts). Built once, outside any
// measurement, so the benches time only the stage they name.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createClassifier, type Classification } from '../src/classification/index.ts';
import type { UpstreamSettings } from '../src/config/index.ts';
import type { Principal } from '../src/identity/index.ts';
import { bodyDigest, bodyDigestKey } from '../src/ledger/index.ts';
import { buildPolicyInput } from '../src/pipeline/policy-input.ts';
import { classificationRecord, decidedFields, emptyDecisionBody } from '../src/pipeline/records.ts';
import type { DecisionBody, OutcomeBody } from '../src/pipeline/records.ts';
import { createPolicyRuntime, loadPolicyBundleBytes } from '../src/policy/index.ts';
import type { PolicyEngine, PolicyInput, PolicyRuntime } from '../src/policy/index.ts';
import { adapterFor, type NormalizedRequest } from '../src/providers/index.ts';
import { upstreamSettings } from '../test/helpers/upstreams.ts';

export interface RequestFixture {
  principal: Principal;
  request: NormalizedRequest;
  classification: Classification;
  upstreams: UpstreamSettings[];
  now: Date;
  usage: NonNullable<PolicyInput['usage']>;
  input: PolicyInput;
  decision: DecisionBody;
  outcome: OutcomeBody;
}

export const DEFAULT_BUNDLE = fileURLToPath(new URL('../bundles/default.tar.gz', import.meta.url));

/** The side-by-side bench's prompt (clean), and prompts with PII, a secret and card data. */
const PROMPTS = [
  'Summarise the quarterly report for the north region in two sentences, please.',
  'Write to alice@contoso-mail.com and call +1 415 555 2671 about the invoice.',
  'Deploy with AKIAIOSFODNN7EXAMPLE and the usual secret, then tell me what broke.',
  'Charge 4111 1111 1111 1111 exp 12/29 for the renewal.',
];

export async function requestFixtures(bundlePath = DEFAULT_BUNDLE): Promise<{
  engine: PolicyEngine;
  runtime: PolicyRuntime;
  fixtures: RequestFixture[];
}> {
  const engine = await loadPolicyBundleBytes(readFileSync(bundlePath));
  const runtime = createPolicyRuntime({ activate: async () => {} });
  await runtime.install({ engine, source: bundlePath });
  const fingerprintKey = new Uint8Array(32).fill(7);
  const classifier = createClassifier({ fingerprintKey });
  const adapter = adapterFor('openai.chat_completions');
  const principal: Principal = {
    iss: 'https://idp.example',
    sub: 'alice@example.com',
    client_id: 'app',
    groups: ['eng', 'finance'],
    tenant: 'acme',
    token_fingerprint: 'f'.repeat(43),
  };
  const upstreams = [
    upstreamSettings({ name: 'echo', kind: 'openai', region: 'us', models: ['*'] }),
    upstreamSettings({ name: 'azure', kind: 'openai', region: 'eu', baa: true, zeroDataRetention: true }),
  ];
  const now = new Date('2026-12-06T12:00:00.000Z');
  const usage = {
    tokens_this_minute: 1200,
    requests_this_minute: 7,
    spend_micro_usd_today: 4100,
    spend_micro_usd_this_month: 88000,
  };
  const fixtures = PROMPTS.map((prompt) => {
    const body = {
      model: 'echo-1',
      max_tokens: 64,
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: prompt },
      ],
    };
    const request = adapter.parse(new TextEncoder().encode(JSON.stringify(body)));
    const classification = classifier.classify(request.segments);
    const input = buildPolicyInput(principal, request, classification, upstreams, now, usage);
    const decided = runtime.decide(input);
    const decision: DecisionBody = {
      ...emptyDecisionBody(),
      principal,
      request: {
        api: request.api,
        model: request.model,
        stream: request.stream,
        max_tokens: request.maxTokens,
        message_count: request.messageCount,
        body_hmac_sha256: bodyDigest(bodyDigestKey(fingerprintKey), request.bodySha256),
      },
      classification: classificationRecord(classification, request.segments),
      policy_input: input,
      ...decidedFields(decided),
      route: { upstream: 'echo', candidates: ['echo', 'azure'] },
      redaction: null,
      reservation: {
        id: '0f8e2a4c-7d1b-4e8f-9a3c-5b6d7e8f9a0b',
        prompt_tokens: 41,
        prompt_token_method: 'o200k_base',
        completion_tokens: 64,
        tokens: 105,
        requests: 1,
        spend_micro_usd: 52,
        pricing_version: 'p-2026-11',
        price_entry: 'echo/echo-1',
        expires_in_seconds: 120,
        limits: [
          {
            scope: 'subject',
            name: 'alice@example.com',
            period: 'minute',
            metric: 'tokens',
            limit: 100000,
            used: 1305,
          },
        ],
      },
    };
    const outcome: OutcomeBody = {
      decision_hash: 'c'.repeat(64),
      upstream: 'echo',
      attempts: [{ upstream: 'echo', status: 200, error: null, latency_ms: 21 }],
      latency_ms: 23,
      status: 200,
      upstream_status: 200,
      usage: { prompt_tokens: 41, completion_tokens: 12, total_tokens: 53 },
      cost_micro_usd: 9,
      pricing_version: 'p-2026-11',
      error: null,
      response_classification: { finding_count: 0, types: {} },
      response_action: 'none',
    };
    return { principal, request, classification, upstreams, now, usage, input, decision, outcome };
  });
  return { engine, runtime, fixtures };
}
