// Pricing arithmetic (integer micro-USD, one ceiling, BigInt), the pricing schema, scope resolution and the header
// format: pure functions, no I/O.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  costMicroUsd,
  formatReset,
  parsePricing,
  quote,
  rateLimitHeaders,
  resolveCounters,
  LimitsError,
} from '../../../src/limits/index.ts';
import { loadPricingFile } from '../../../src/limits/index.ts';
import type { BillableTokens, Price } from '../../../src/limits/pricing.ts';
import { settlementBasis } from '../../../src/pipeline/limits-stage.ts';

const table = parsePricing(
  {
    version: 'v1',
    unknown_model: { price_as: 'standard' },
    defaults: { standard: { input: 2_500_000, output: 10_000_000, cached_input: 1_250_000 } },
    upstreams: { openai: { 'gpt-4o-mini': { input: 150_000, output: 600_000, cached_input: 75_000 } } },
  },
  'test',
);

describe('pricing', () => {
  it('rounds up once per request, in integers', () => {
    const price = { input: 150_000, output: 600_000, cached_input: 75_000 };
    expect(costMicroUsd(price, { prompt_tokens: 1, completion_tokens: 0, cached_input_tokens: 0 })).toBe(1); // 0.15 → 1
    expect(costMicroUsd(price, { prompt_tokens: 0, completion_tokens: 0, cached_input_tokens: 0 })).toBe(0);
    expect(
      costMicroUsd(price, { prompt_tokens: 1_000_000, completion_tokens: 1_000_000, cached_input_tokens: 0 }),
    ).toBe(750_000);
    // 1000 prompt of which 400 cached: 600*0.15 + 400*0.075 + 10*0.6 = 90 + 30 + 6 = 126
    expect(costMicroUsd(price, { prompt_tokens: 1000, completion_tokens: 10, cached_input_tokens: 400 })).toBe(126);
    // no precision lost on large products
    expect(
      costMicroUsd(
        { input: 1_000_000_000_000, output: 0, cached_input: 0 },
        { prompt_tokens: 9_000_000, completion_tokens: 0, cached_input_tokens: 0 },
      ),
    ).toBe(9_000_000_000_000);
    expect(() => costMicroUsd(price, { prompt_tokens: -1, completion_tokens: 0, cached_input_tokens: 0 })).toThrow(
      LimitsError,
    );
  });

  it('equals the exact integer formula for any counts and prices, near 2^53 included', () => {
    // The formula in BigInt, written apart from the code's (doubles while exact, BigInt past that).
    const exact = (p: Price, t: BillableTokens) => {
      const cached = BigInt(Math.min(t.cached_input_tokens, t.prompt_tokens));
      const writes = BigInt(Math.min(t.cache_write_tokens ?? 0, t.prompt_tokens - Number(cached)));
      const w1h = BigInt(Math.min(t.cache_write_1h_tokens ?? 0, Number(writes)));
      const write = BigInt(p.cache_write ?? p.input);
      const n =
        (BigInt(t.prompt_tokens) - cached - writes) * BigInt(p.input) +
        cached * BigInt(p.cached_input) +
        (writes - w1h) * write +
        w1h * BigInt(p.cache_write_1h ?? p.cache_write ?? p.input) +
        BigInt(t.completion_tokens) * BigInt(p.output);
      const cost = (n + 999_999n) / 1_000_000n;
      return cost > BigInt(Number.MAX_SAFE_INTEGER) ? 'throws' : Number(cost);
    };
    const count = fc.oneof(fc.nat(5000), fc.nat(2 ** 32), fc.integer({ min: 2 ** 40, max: 2 ** 45 }));
    const rate = fc.oneof(fc.nat(20_000_000), fc.integer({ min: 1, max: 2 ** 30 }));
    const tokens = fc.record(
      {
        prompt_tokens: count,
        completion_tokens: count,
        cached_input_tokens: count,
        cache_write_tokens: count,
        cache_write_1h_tokens: count,
      },
      { requiredKeys: ['prompt_tokens', 'completion_tokens', 'cached_input_tokens'] },
    );
    const price = fc.record(
      { input: rate, output: rate, cached_input: rate, cache_write: rate, cache_write_1h: rate },
      { requiredKeys: ['input', 'output', 'cached_input'] },
    );
    fc.assert(
      fc.property(price, tokens, (p, t) => {
        const want = exact(p, t);
        if (want === 'throws') expect(() => costMicroUsd(p, t)).toThrow(LimitsError);
        else expect(costMicroUsd(p, t)).toBe(want);
      }),
      { numRuns: 5000 },
    );
    // Sums just below and just above the doubles' exact range, and a remainder of one millionth.
    const one = { prompt_tokens: 1, completion_tokens: 0, cached_input_tokens: 0 };
    for (const input of [2 ** 53 - 1_000_001, 2 ** 53 - 1_000_000, 2 ** 53 - 1, 2 ** 52 + 1, 999_999_000_001]) {
      const p = { input, output: 0, cached_input: 0 };
      expect(costMicroUsd(p, one)).toBe(exact(p, one));
    }
  });

  it('prices known models by entry and unknown ones as the named default, or not at all', () => {
    expect(quote(table, 'openai', 'gpt-4o-mini')).toMatchObject({ version: 'v1', entry: 'openai/gpt-4o-mini' });
    expect(quote(table, 'openai', 'gpt-9')).toMatchObject({ entry: 'default:standard', price: { input: 2_500_000 } });
    const strict = parsePricing({ version: 'v1', unknown_model: 'deny', upstreams: {} }, 'test');
    expect(quote(strict, 'openai', 'gpt-9')).toBeNull();
  });

  it('rejects an invalid table with every problem named', () => {
    expect(() =>
      parsePricing(
        {
          version: 'v1',
          unknown_model: 'deny',
          upstreams: { openai: { m: { input: 1.5, output: 1, cached_input: 1 } } },
        },
        't',
      ),
    ).toThrow(/\/upstreams\/openai\/m\/input/);
    expect(() => parsePricing({ version: 'v1', unknown_model: { price_as: 'missing' }, upstreams: {} }, 't')).toThrow(
      /price_as/,
    );
    expect(() => parsePricing({ version: 'v1', unknown_model: 'free', upstreams: {} }, 't')).toThrow(LimitsError);
  });

  it('ships a valid pricing table', () => {
    const shipped = loadPricingFile(new URL('../../../config/pricing.v1.yaml', import.meta.url).pathname);
    expect(quote(shipped, 'echo', 'echo-1')).not.toBeNull();
  });
});

describe('scopes', () => {
  const alice = { iss: 'https://i', sub: 'alice', client_id: 'app', groups: ['eng', 'ops'], tenant: 'acme' };
  const decision = {
    tokens_per_minute: 100,
    requests_per_minute: null,
    spend_micro_usd_per_day: 5,
    spend_micro_usd_per_month: null,
  };

  it('always tracks the subject, takes the strictest value per counter, and keys scopes unambiguously', () => {
    const counters = resolveCounters(alice, decision, [
      { scope: 'subject', tokens_per_minute: 50 },
      { scope: 'tenant', requests_per_minute: 9 },
      { scope: 'group', name: 'eng', spend_micro_usd_per_month: 7 },
      { scope: 'group', name: 'hr', tokens_per_minute: 1 },
    ]);
    const subject = counters.filter((c) => c.scope === 'subject');
    expect(subject.map((c) => c.period)).toEqual(['minute', 'day', 'month']);
    expect(subject[0]?.limits).toEqual({ tokens: 50, requests: null, spend: null });
    expect(subject[1]?.limits.spend).toBe(5);
    expect(counters.find((c) => c.scope === 'tenant')).toMatchObject({
      key: '["tenant","acme"]',
      period: 'minute',
      limits: { requests: 9 },
    });
    expect(counters.find((c) => c.scope === 'group')).toMatchObject({
      key: '["group","eng"]',
      period: 'month',
      limits: { spend: 7 },
    });
    expect(counters.some((c) => c.name === 'hr')).toBe(false); // a named group default applies to its members only
  });

  it('a decision limit on a tenant the caller lacks fails closed; a default simply does not apply', () => {
    const noTenant = { ...alice, tenant: null };
    expect(() =>
      resolveCounters(noTenant, { ...decision, scoped: [{ scope: 'tenant', tokens_per_minute: 1 }] }, []),
    ).toThrow(expect.objectContaining({ code: 'ERR_LIMIT_SCOPE_UNRESOLVED' }));
    expect(
      resolveCounters(noTenant, decision, [{ scope: 'tenant', tokens_per_minute: 1 }]).some(
        (c) => c.scope === 'tenant',
      ),
    ).toBe(false);
  });

  it("an unnamed group limit gives each of the caller's groups its own bucket", () => {
    const keys = resolveCounters(alice, null, [{ scope: 'group', requests_per_minute: 3 }])
      .filter((c) => c.scope === 'group')
      .map((c) => c.key);
    expect(keys).toEqual(['["group","eng"]', '["group","ops"]']);
  });
});

describe('headers and settlement basis', () => {
  it('reports the tightest minute counter in OpenAI style', () => {
    const h = rateLimitHeaders([
      {
        key: 'a',
        period: 'minute',
        reset_ms: 12_300,
        used_tokens: 90,
        used_requests: 1,
        used_spend: 0,
        limits: { tokens: 100, requests: 10, spend: null },
      },
      {
        key: 'b',
        period: 'minute',
        reset_ms: 12_300,
        used_tokens: 10,
        used_requests: 5,
        used_spend: 0,
        limits: { tokens: 1000, requests: 6, spend: null },
      },
      {
        key: 'c',
        period: 'day',
        reset_ms: 1,
        used_tokens: 0,
        used_requests: 0,
        used_spend: 0,
        limits: { tokens: null, requests: null, spend: 1 },
      },
    ]);
    expect(h).toEqual({
      'x-ratelimit-limit-requests': '6',
      'x-ratelimit-remaining-requests': '1',
      'x-ratelimit-reset-requests': '13s',
      'x-ratelimit-limit-tokens': '100',
      'x-ratelimit-remaining-tokens': '10',
      'x-ratelimit-reset-tokens': '13s',
    });
    expect(formatReset(20)).toBe('20ms');
    expect(formatReset(360_000)).toBe('6m0s');
    expect(formatReset(3_723_000)).toBe('1h2m3s');
  });

  it('bills usage when known, the estimate when tokens may have been used unreported, nothing when refused', () => {
    const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
    expect(settlementBasis(usage, 200, null)).toBe('usage');
    expect(settlementBasis({ ...usage, estimated: true }, 200, 'ERR_CLIENT_DISCONNECTED')).toBe('usage_estimated');
    expect(settlementBasis(null, 200, null)).toBe('estimate');
    expect(settlementBasis(null, null, 'ERR_UPSTREAM_TIMEOUT')).toBe('estimate');
    expect(settlementBasis(null, null, 'ERR_UPSTREAM_UNREACHABLE')).toBe('none');
    expect(settlementBasis(null, 500, 'ERR_UPSTREAM_ERROR')).toBe('none');
  });
});

describe('prompt tokens', () => {
  it('counts OpenAI families with their encoding, adds framing, and treats special-token strings as text', async () => {
    const { countPromptTokens, encodingFor } = await import('../../../src/limits/index.ts');
    expect(encodingFor('gpt-4o-mini')).toBe('o200k_base');
    expect(encodingFor('gpt-4-0613')).toBe('cl100k_base');
    expect(encodingFor('llama-3-70b')).toBeNull();
    // "hello world" is 2 tokens in o200k; one message: 2 + 4 + 3
    expect(
      countPromptTokens({
        model: 'gpt-4o',
        texts: ['hello world'],
        messages: 1,
        toolCalls: 0,
        conservativeEstimate: 999,
      }),
    ).toEqual({ tokens: 9, method: 'o200k_base' });
    expect(
      countPromptTokens({
        model: 'gpt-4o',
        texts: ['<|endoftext|>'],
        messages: 1,
        toolCalls: 0,
        conservativeEstimate: 0,
      }).tokens,
    ).toBeGreaterThan(7);
    // cl100k_base (loaded on first use) splits this text in 4 where o200k_base takes 2: one message, 4 + 4 + 3
    const japanese = { texts: ['こんにちは世界'], messages: 1, toolCalls: 0, conservativeEstimate: 0 };
    expect(countPromptTokens({ ...japanese, model: 'gpt-4-0613' })).toEqual({ tokens: 11, method: 'cl100k_base' });
    expect(countPromptTokens({ ...japanese, model: 'gpt-4o' })).toEqual({ tokens: 9, method: 'o200k_base' });
  });

  it('never counts an unknown model below the conservative estimate, nor a random string below its BPE count', async () => {
    const { countPromptTokens } = await import('../../../src/limits/index.ts');
    expect(
      countPromptTokens({
        model: 'llama-3',
        texts: ['hello world'],
        messages: 1,
        toolCalls: 0,
        conservativeEstimate: 50,
      }),
    ).toEqual({ tokens: 50, method: 'o200k_base_or_estimate' });
    const random = Array.from({ length: 4096 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 90))).join('');
    const counted = countPromptTokens({
      model: 'llama-3',
      texts: [random],
      messages: 1,
      toolCalls: 0,
      conservativeEstimate: Math.ceil(4096 / 3) + 7,
    });
    expect(counted.tokens).toBeGreaterThan(Math.ceil(4096 / 3) + 7); // denser than the byte estimate assumes
  });

  it('bounds a huge prompt by its bytes without tokenizing it', async () => {
    const { countPromptTokens, MAX_TOKENIZED_BYTES } = await import('../../../src/limits/index.ts');
    const huge = 'a'.repeat(MAX_TOKENIZED_BYTES + 1);
    expect(
      countPromptTokens({ model: 'gpt-4o', texts: [huge], messages: 2, toolCalls: 1, conservativeEstimate: 0 }),
    ).toEqual({ tokens: MAX_TOKENIZED_BYTES + 1 + 8 + 4 + 3, method: 'byte_bound' });
  });
});
