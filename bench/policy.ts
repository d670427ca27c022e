// Policy decision latency for the library policy (bundles/default.tar.gz): per-decision p50/p99 through the exact
// engine the proxy uses (input validation, wasm evaluation, decision validation), alone and with a shadow bundle.
// Target: p99 <= 0.2 ms. Then the CPU of the policy stage per request (issue 17), in µs of this thread's CPU over many
// requests shaped like the side-by-side bench's (bench/request-fixture.ts): building the input, the engine's decide,
// and, apart, the parts of decide (input schema, the input's JSON, the wasm evaluation through the SDK and through
// src/policy/wasm-eval.ts). Run alone with
// `node bench/policy.ts` (writes bench/results/policy.json); bench/run.ts includes it as stages.policy_decision.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { buildPolicyInput } from '../src/pipeline/policy-input.ts';
import {
  createPolicyRuntime,
  loadPolicyBundleBytes,
  openBundle,
  SMOKE_INPUT,
  type PolicyInput,
} from '../src/policy/index.ts';
import { policyValidators } from '../src/policy/schemas.ts';
import { fastEvaluator } from '../src/policy/wasm-eval.ts';
import { requestFixtures } from './request-fixture.ts';

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

/** µs of this thread's CPU per call of fn, over `iterations` calls after a warm-up. */
export function cpuPerCall(iterations: number, fn: (i: number) => unknown): number {
  for (let i = 0; i < Math.min(2000, iterations); i++) fn(i);
  const start = process.threadCpuUsage();
  for (let i = 0; i < iterations; i++) fn(i);
  const used = process.threadCpuUsage(start);
  return Math.round(((used.user + used.system) / iterations) * 100) / 100;
}

/** CPU per request of the policy stage, and of the parts of decide, on requests shaped like the side-by-side's. */
export async function policyStageCpu(bundlePath: string, iterations = 20_000) {
  const { engine, runtime, fixtures } = await requestFixtures(bundlePath);
  const at = (i: number) => fixtures[i % fixtures.length] as (typeof fixtures)[number];
  const build = (i: number) => {
    const f = at(i);
    return buildPolicyInput(f.principal, f.request, f.classification, f.upstreams, f.now, f.usage);
  };
  const bundle = await openBundle(readFileSync(bundlePath));
  const sdk = await loadPolicy(bundle.wasm);
  if (bundle.data !== undefined) sdk.setData(bundle.data);
  const fast = fastEvaluator(sdk);
  const validators = policyValidators();
  const encoder = new TextEncoder();
  return {
    requests: fixtures.length,
    build_input_us: cpuPerCall(iterations, build),
    decide_us: cpuPerCall(iterations, (i) => engine.decide(at(i).input)),
    runtime_decide_us: cpuPerCall(iterations, (i) => runtime.decide(at(i).input)),
    build_and_decide_us: cpuPerCall(iterations, (i) => runtime.decide(build(i))),
    parts: {
      input_schema_us: cpuPerCall(iterations, (i) => validators.input(at(i).input)),
      input_json_us: cpuPerCall(iterations, (i) => encoder.encode(JSON.stringify(at(i).input))),
      sdk_evaluate_us: cpuPerCall(iterations, (i) => sdk.evaluate(at(i).input, bundle.manifest.entrypoint)),
      fast_evaluate_us: cpuPerCall(iterations, (i) => fast?.evaluate(at(i).input, bundle.manifest.entrypoint)),
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bundle = fileURLToPath(new URL('../bundles/default.tar.gz', import.meta.url));
  const result = {
    when: new Date().toISOString(),
    node: process.versions.node,
    policy_decision: await policyDecisionLatency(bundle),
    policy_stage_cpu: await policyStageCpu(bundle),
  };
  const out = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'policy.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
