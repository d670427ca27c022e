// The smoke evaluation every bundle must pass before it may decide: one fixed, schema-valid input through the exact
// engine. The policy may allow or deny it; what fails the smoke test is an engine-made deny (the wasm trapped, the
// entrypoint was undefined, or the decision did not match policy-decision.v1).
import { PolicyError } from './errors.ts';
import type { EngineReasonCode, PolicyEngine, PolicyInput } from './types.ts';

const ENGINE_CODES: ReadonlySet<string> = new Set<EngineReasonCode>([
  'ERR_POLICY_INPUT_INVALID',
  'ERR_POLICY_EVALUATION',
  'ERR_POLICY_UNDEFINED',
  'ERR_POLICY_DECISION_INVALID',
  'ERR_POLICY_UNAVAILABLE',
]);

/** Distinct values everywhere, so a policy that confuses two fields is more likely to show it. */
export const SMOKE_INPUT: PolicyInput = Object.freeze({
  principal: {
    iss: 'https://smoke.proctor.invalid',
    sub: 'smoke-subject',
    client_id: 'smoke-client',
    groups: ['smoke-group'],
    tenant: null,
  },
  request: {
    api: 'openai.chat_completions',
    model: 'smoke-model',
    stream: false,
    max_tokens: 16,
    message_count: 1,
    estimated_prompt_tokens: 12,
    tools: { count: 1, names: ['smoke_tool'] },
  },
  classification: {
    finding_count: 1,
    types: { EMAIL: 1 },
    categories: { PII: 1 },
    max_confidence: 90,
    where: { system: 0, user: 1, assistant: 0, tool: 0, tool_arguments: 0, tools: 0 },
  },
  upstreams: [
    {
      name: 'smoke-a',
      provider: 'openai',
      region: 'eu',
      baa: false,
      zero_data_retention: false,
      models: ['smoke-model'],
    },
    { name: 'smoke-b', provider: 'openai', region: null, baa: true, zero_data_retention: true, models: ['*'] },
  ],
  time: { unix_ms: 1_700_000_000_000, iso: '2023-11-14T22:13:20.000Z' },
});

export function smokeTest(engine: PolicyEngine): void {
  const decision = engine.decide(structuredClone(SMOKE_INPUT));
  const engineReason = decision.reasons.find((r) => ENGINE_CODES.has(r.code));
  if (engineReason !== undefined) {
    throw new PolicyError(
      'ERR_POLICY_SMOKE_FAILED',
      `the bundle's smoke evaluation failed: ${engineReason.code}: ${engineReason.message}`,
    );
  }
}
