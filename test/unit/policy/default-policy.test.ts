import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicyBundle } from '../../../src/policy/index.ts';
import type { Decision, PolicyEngine, PolicyInput } from '../../../src/policy/index.ts';

const DEFAULT_BUNDLE = fileURLToPath(new URL('../../../bundles/default.tar.gz', import.meta.url));

type Upstream = PolicyInput['upstreams'][number];

const OPENAI: Upstream = {
  name: 'openai',
  provider: 'openai',
  region: 'us',
  baa: false,
  zero_data_retention: false,
  models: ['gpt-4o-mini', 'gpt-4.1-mini'],
};
const ECHO: Upstream = {
  name: 'echo',
  provider: 'echo',
  region: null,
  baa: true,
  zero_data_retention: true,
  models: ['*'],
};

function makeInput(
  overrides: {
    groups?: string[];
    model?: string;
    max_tokens?: number | null;
    types?: Record<string, number>;
    categories?: Record<string, number>;
    upstreams?: Upstream[];
  } = {},
): PolicyInput {
  const types = overrides.types ?? {};
  const findings = Object.values(types).reduce((a, b) => a + b, 0);
  return {
    principal: {
      iss: 'https://idp.example',
      sub: 'alice',
      client_id: 'app',
      groups: overrides.groups ?? ['eng'],
      tenant: null,
    },
    request: {
      api: 'openai.chat_completions',
      model: overrides.model ?? 'gpt-4o-mini',
      stream: false,
      max_tokens: overrides.max_tokens === undefined ? null : overrides.max_tokens,
      message_count: 2,
      estimated_prompt_tokens: 40,
      tools: { count: 0, names: [] },
    },
    classification: {
      finding_count: findings,
      types,
      categories: overrides.categories ?? {},
      max_confidence: findings === 0 ? 0 : 90,
      where: { system: 0, user: findings, assistant: 0, tool: 0, tool_arguments: 0, tools: 0 },
    },
    upstreams: overrides.upstreams ?? [OPENAI, ECHO],
    time: { unix_ms: 1_700_000_000_000, iso: '2023-11-14T22:13:20.000Z' },
  };
}

const codes = (decision: Decision): string[] => decision.reasons.map((r) => r.code);
const DENY_OBLIGATIONS = {
  upstreams: [],
  max_tokens: null,
  redact: [],
  response: { redact: [], block: [] },
  limits: null,
};
const ENG_LIMITS = {
  tokens_per_minute: 200_000,
  requests_per_minute: 60,
  spend_micro_usd_per_day: 25_000_000,
  spend_micro_usd_per_month: 500_000_000,
};

describe('the default policy bundle', () => {
  let engine: PolicyEngine;
  beforeAll(async () => {
    engine = await loadPolicyBundle(DEFAULT_BUNDLE);
  });

  it('reports its version: the manifest revision and the SHA-256 of the file', () => {
    expect(engine.version.revision).toMatch(/^src-[0-9a-f]{12}$/);
    expect(engine.version.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('allows a clean request, naming the upstreams that serve the model and the group token cap', () => {
    expect(engine.decide(makeInput())).toEqual({
      allow: true,
      reasons: [],
      obligations: {
        upstreams: ['openai', 'echo'],
        max_tokens: 4096,
        redact: [],
        response: {
          redact: [
            'BTC_ADDRESS',
            'CREDIT_CARD',
            'DATE_OF_BIRTH',
            'EMAIL',
            'ETH_ADDRESS',
            'IBAN',
            'IP_ADDRESS',
            'MEDICAL_RECORD_NUMBER',
            'NL_BSN',
            'PERSON_NAME',
            'PHONE',
            'UK_NHS',
            'US_BANK_ROUTING',
            'US_PASSPORT',
            'US_SSN',
          ],
          block: [
            'ANTHROPIC_API_KEY',
            'AWS_ACCESS_KEY',
            'AWS_SECRET_KEY',
            'GENERIC_API_KEY',
            'GITHUB_TOKEN',
            'GITLAB_TOKEN',
            'GOOGLE_API_KEY',
            'JWT',
            'NPM_TOKEN',
            'OPENAI_API_KEY',
            'PASSWORD',
            'PRIVATE_KEY',
            'SENDGRID_API_KEY',
            'SLACK_TOKEN',
            'SLACK_WEBHOOK',
            'STRIPE_SECRET_KEY',
          ],
        },
        limits: ENG_LIMITS,
      },
    });
  });

  it('keeps the request max_tokens under the cap and clamps it above', () => {
    expect(engine.decide(makeInput({ max_tokens: 100 })).obligations.max_tokens).toBe(100);
    expect(engine.decide(makeInput({ max_tokens: 1_000_000 })).obligations.max_tokens).toBe(4096);
  });

  it('gives the default model and cap to a principal without groups', () => {
    const decision = engine.decide(makeInput({ groups: [], model: 'echo-1', max_tokens: 5000 }));
    expect(decision).toMatchObject({ allow: true, obligations: { upstreams: ['echo'], max_tokens: 1024 } });
  });

  it('denies a secret, whoever asks', () => {
    const input = makeInput({
      groups: ['eng', 'pci-processors'],
      types: { GENERIC_API_KEY: 1 },
      categories: { SECRET: 1 },
    });
    const decision = engine.decide(input);
    expect(decision.allow).toBe(false);
    expect(codes(decision)).toEqual(['SECRET_DETECTED']);
    expect(decision.obligations).toEqual(DENY_OBLIGATIONS);
  });

  it('denies a US SSN', () => {
    const decision = engine.decide(makeInput({ types: { US_SSN: 1 }, categories: { PII: 1 } }));
    expect(codes(decision)).toEqual(['NATIONAL_ID_DETECTED']);
  });

  it('denies card data outside the PCI group and allows it inside', () => {
    const pci = { types: { CREDIT_CARD: 1 }, categories: { PCI: 1 } };
    expect(codes(engine.decide(makeInput(pci)))).toEqual(['PCI_NOT_PERMITTED']);
    expect(engine.decide(makeInput({ ...pci, groups: ['eng', 'pci-processors'] })).allow).toBe(true);
  });

  it('denies a model the principal may not use', () => {
    expect(codes(engine.decide(makeInput({ groups: ['sales'] })))).toEqual(['MODEL_NOT_PERMITTED']);
  });

  it('sends PHI only to upstreams with a BAA, and denies when there is none', () => {
    const phi = { types: { MEDICAL_RECORD_NUMBER: 1 }, categories: { PHI: 1 } };
    expect(engine.decide(makeInput(phi)).obligations.upstreams).toEqual(['echo']);
    const decision = engine.decide(makeInput({ ...phi, upstreams: [OPENAI, { ...ECHO, baa: false }] }));
    expect(decision.allow).toBe(false);
    expect(codes(decision)).toEqual(['NO_PERMITTED_UPSTREAM']);
  });

  it('carries every applicable reason, sorted by code', () => {
    const decision = engine.decide(
      makeInput({
        model: 'unknown-model',
        upstreams: [OPENAI],
        types: { US_SSN: 1, CREDIT_CARD: 1, AWS_ACCESS_KEY: 1 },
        categories: { PII: 1, PCI: 1, SECRET: 1 },
      }),
    );
    expect(codes(decision)).toEqual([
      'MODEL_NOT_PERMITTED',
      'NATIONAL_ID_DETECTED',
      'NO_PERMITTED_UPSTREAM',
      'PCI_NOT_PERMITTED',
      'SECRET_DETECTED',
    ]);
  });

  it('redacts PII present in the request when a permitted upstream lacks zero data retention', () => {
    const decision = engine.decide(makeInput({ types: { EMAIL: 2, PHONE: 1 }, categories: { PII: 3 } }));
    expect(decision).toMatchObject({ allow: true, obligations: { redact: ['EMAIL', 'PHONE'] } });
  });

  it('forwards PII unredacted when every permitted upstream has zero data retention', () => {
    const decision = engine.decide(makeInput({ types: { EMAIL: 2 }, categories: { PII: 2 }, upstreams: [ECHO] }));
    expect(decision).toMatchObject({
      allow: true,
      obligations: { upstreams: ['echo'], redact: [], response: { redact: [] } },
    });
    expect(decision.obligations.response.block).toContain('AWS_SECRET_KEY');
  });

  it('denies PII of a type it cannot name when it could reach an upstream that retains data', () => {
    const decision = engine.decide(makeInput({ types: { VOTER_ID: 1 }, categories: { PII: 1 } }));
    expect(codes(decision)).toEqual(['PII_NOT_REDACTABLE']);
  });

  it('states the limits of the principal: the default raised by its groups', () => {
    expect(engine.decide(makeInput()).obligations.limits).toEqual(ENG_LIMITS);
    const noGroups = engine.decide(makeInput({ groups: [], model: 'echo-1' }));
    expect(noGroups.obligations.limits).toEqual({
      tokens_per_minute: 20_000,
      requests_per_minute: 60,
      spend_micro_usd_per_day: 1_000_000,
      spend_micro_usd_per_month: 20_000_000,
    });
  });

  it('denies an invalid input with ERR_POLICY_INPUT_INVALID', () => {
    const missingModel: unknown = { ...makeInput(), request: { ...makeInput().request, model: undefined } };
    const cases: unknown[] = [
      {},
      null,
      'input',
      missingModel,
      { ...makeInput(), extra: true },
      { ...makeInput(), time: { unix_ms: 1.5, iso: '1970-01-01T00:00:00.001Z' } },
      {
        ...makeInput(),
        classification: {
          ...makeInput({ types: { X: 1 }, categories: { PII: 1 } }).classification,
          categories: { NUCLEAR: 1 },
        },
      },
      { ...makeInput(), upstreams: [OPENAI, OPENAI] },
      { ...makeInput(), time: { unix_ms: 0, iso: '2023-11-14T22:13:20.000Z' } },
    ];
    for (const input of cases) {
      const decision = engine.decide(input as PolicyInput);
      expect(decision.allow).toBe(false);
      expect(codes(decision)).toEqual(['ERR_POLICY_INPUT_INVALID']);
    }
  });

  it('returns a fresh decision each time', () => {
    const first = engine.decide(makeInput());
    first.obligations.upstreams.push('tampered');
    expect(engine.decide(makeInput()).obligations.upstreams).toEqual(['openai', 'echo']);
  });
});
