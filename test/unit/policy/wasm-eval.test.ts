// The opa_eval fast path (src/policy/wasm-eval.ts) MUST give the SDK's result set for the same input: the default
// bundle's decisions for the smoke input and variants, one whose JSON needs the wasm memory to grow, and one with
// non-ASCII text; an input past the memory's maximum throws (the engine denies); and it declines (null) a policy object
// that is not the SDK's, so the SDK's evaluate is used.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { describe, expect, it } from 'vitest';
import { openBundle, SMOKE_INPUT } from '../../../src/policy/index.ts';
import type { PolicyInput } from '../../../src/policy/index.ts';
import { fastEvaluator } from '../../../src/policy/wasm-eval.ts';

const DEFAULT_BUNDLE = fileURLToPath(new URL('../../../bundles/default.tar.gz', import.meta.url));

async function loaded() {
  const bundle = await openBundle(readFileSync(DEFAULT_BUNDLE));
  const sdk = await loadPolicy(bundle.wasm, { initial: 5, maximum: 512 });
  if (bundle.data !== undefined) sdk.setData(bundle.data);
  return { sdk, entrypoint: bundle.manifest.entrypoint };
}

function variants(): PolicyInput[] {
  const base = structuredClone(SMOKE_INPUT) as PolicyInput;
  const secret = structuredClone(base);
  secret.classification = {
    ...secret.classification,
    finding_count: 1,
    types: { AWS_ACCESS_KEY: 1 },
    categories: { SECRET: 1 },
    max_confidence: 90,
    where: { ...secret.classification.where, user: 1 },
  };
  const unicode = structuredClone(base);
  unicode.principal.groups = ['équipe-日本', '😀 group'];
  // ~1 MiB of tool names: more than the 320 KiB the memory starts with, so the input's write must grow it.
  const large = structuredClone(base);
  const names = Array.from({ length: 16_000 }, (_, i) => `tool_${i}_${'x'.repeat(56)}`);
  large.request.tools = { count: names.length, names };
  return [base, secret, unicode, large];
}

describe('fastEvaluator', () => {
  it('gives the result set the SDK gives, memory growth and non-ASCII input included', async () => {
    const reference = await loaded();
    const fast = await loaded();
    const evaluator = fastEvaluator(fast.sdk);
    expect(evaluator).not.toBeNull();
    const memory = (fast.sdk as unknown as { mem: { buffer: ArrayBuffer } }).mem;
    const initialBytes = memory.buffer.byteLength;
    for (const input of variants()) {
      const expected = reference.sdk.evaluate(input, reference.entrypoint);
      expect(evaluator?.evaluate(input, fast.entrypoint)).toEqual(expected);
      // again, after the heap was used: every evaluation starts from the data's end
      expect(evaluator?.evaluate(input, fast.entrypoint)).toEqual(expected);
    }
    expect(memory.buffer.byteLength).toBeGreaterThan(initialBytes + 1_000_000); // the large input grew it
  });

  it('throws for an input past the memory maximum (the engine denies), and evaluates as before afterwards', async () => {
    const { sdk, entrypoint } = await loaded();
    const evaluator = fastEvaluator(sdk);
    const huge = structuredClone(SMOKE_INPUT) as PolicyInput;
    const names = Array.from({ length: 600_000 }, (_, i) => `tool_${i}_${'y'.repeat(50)}`); // ~36 MB of JSON
    huge.request.tools = { count: names.length, names };
    const before = evaluator?.evaluate(SMOKE_INPUT, entrypoint);
    expect(() => evaluator?.evaluate(huge, entrypoint)).toThrow(RangeError);
    expect(evaluator?.evaluate(SMOKE_INPUT, entrypoint)).toEqual(before);
  });

  it('refuses an unknown entrypoint as the SDK does (by throwing)', async () => {
    const { sdk } = await loaded();
    expect(() => fastEvaluator(sdk)?.evaluate(SMOKE_INPUT, 'no/such/entrypoint')).toThrow();
  });

  it('declines a policy object without the SDK internals', () => {
    expect(fastEvaluator({ evaluate: () => [] })).toBeNull();
  });
});
