// Policy decision latency for the library policy (bundles/default.tar.gz): per-decision p50/p99 through the exact
// engine the proxy uses (input validation, wasm evaluation, decision validation), alone and with a shadow bundle.
// Target: p99 <= 0.2 ms. Run alone with `node bench/policy.ts` (writes bench/results/policy.json); bench/run.ts
// includes it as stages.policy_decision.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPolicyRuntime, loadPolicyBundleBytes, SMOKE_INPUT, type PolicyInput } from '../src/policy/index.ts';

const TARGET_P99_MS = 0.2;

/** A realistic mix: clean, PII to redact, a secret (deny), PHI routing, card data outside the PCI group. */
function inputs(): PolicyInput[] {
  const count = (types: Record<string, number>) => Object.values(types).reduce((a, b) => a + b, 0);
  const base: PolicyInput = {
    ...structuredClone(SMOKE_INPUT),
    principal: { iss: 'https://idp.test', sub: 'alice', client_id: 'app', groups: ['eng'], tenant: null },
    request: {
      api: 'openai.chat_completions',
      model: 'gpt-4o-mini',
      stream: false,
      max_tokens: 512,
      message_count: 4,
      estimated_prompt_tokens: 700,
      tools: { count: 0, names: [] },
    },
    upstreams: [
      {
        name: 'openai',
        provider: 'openai',
        region: 'us',
        baa: false,
        zero_data_retention: false,
        models: ['gpt-4o-mini', 'gpt-4.1-mini'],
      },
      { name: 'azure', provider: 'openai', region: 'eu', baa: true, zero_data_retention: true, models: ['*'] },
    ],
  };
  const withFindings = (types: Record<string, number>, categories: Record<string, number>): PolicyInput => ({
    ...base,
    classification: {
      finding_count: count(types),
      types,
      categories,
      max_confidence: count(types) === 0 ? 0 : 90,
      where: { system: 0, user: count(types), assistant: 0, tool: 0, tool_arguments: 0, tools: 0 },
    },
  });
  return [
    withFindings({}, {}),
    withFindings({ EMAIL: 2, PHONE: 1 }, { PII: 3 }),
    withFindings({ AWS_ACCESS_KEY: 1 }, { SECRET: 1 }),
    withFindings({ MEDICAL_RECORD_NUMBER: 1 }, { PHI: 1 }),
    withFindings({ CREDIT_CARD: 1 }, { PCI: 1 }),
  ];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function measure(iterations: number, mix: PolicyInput[], fn: (input: PolicyInput) => unknown) {
  for (let i = 0; i < 2000; i++) fn(mix[i % mix.length] as PolicyInput);
  const samples = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const input = mix[i % mix.length] as PolicyInput;
    const start = process.hrtime.bigint();
    fn(input);
    samples[i] = Number(process.hrtime.bigint() - start) / 1e6;
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const r = (n: number) => Math.round(n * 10000) / 10000;
  return {
    iterations,
    p50_ms: r(percentile(sorted, 50)),
    p99_ms: r(percentile(sorted, 99)),
    max_ms: r(sorted.at(-1) ?? Number.NaN),
  };
}

export async function policyDecisionLatency(bundlePath: string, iterations = 20_000) {
  const bytes = readFileSync(bundlePath);
  const engine = await loadPolicyBundleBytes(bytes);
  const mix = inputs();
  const alone = measure(iterations, mix, (input) => engine.decide(input));
  const runtime = createPolicyRuntime({ activate: async () => {} });
  await runtime.install({ engine, source: bundlePath });
  await runtime.installShadow({ engine: await loadPolicyBundleBytes(bytes), source: bundlePath });
  const withShadow = measure(iterations, mix, (input) => runtime.decide(input));
  return {
    revision: engine.version.revision,
    inputs: mix.length,
    target_p99_ms: TARGET_P99_MS,
    engine: alone,
    runtime_with_shadow: withShadow,
    meets_target: alone.p99_ms <= TARGET_P99_MS,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bundle = fileURLToPath(new URL('../bundles/default.tar.gz', import.meta.url));
  const result = {
    when: new Date().toISOString(),
    node: process.versions.node,
    policy_decision: await policyDecisionLatency(bundle),
  };
  const out = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'policy.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
