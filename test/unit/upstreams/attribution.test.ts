// served_by from a gateway's who-served headers: the product tables, closed-token forms, cost parsing, withholding.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { attributionHeaders, servedBy, WITHHELD } from '../../../src/upstreams/attribution.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(5) });
const litellm = attributionHeaders('litellm', {});

describe('servedBy', () => {
  it("reads LiteLLM's documented headers: model group, deployment id, api base, cost and retries", () => {
    const served = servedBy(
      'litellm',
      litellm,
      {
        'x-litellm-model-group': 'gpt-4o-mini',
        'x-litellm-model-id': '5c3f1e0b9a',
        'x-litellm-model-api-base': 'https://api.openai.com/v1',
        'x-litellm-response-cost': '0.000123',
        'x-litellm-attempted-retries': '1',
        'x-litellm-call-id': '0f0e3c2a-8b7d-4f43-9a51-5b0d3c6e7f80',
      },
      { model: 'gpt-4o-mini-2024-07-18' },
      classifier,
    );
    expect(served).toEqual({
      gateway: 'litellm',
      answer_model: 'gpt-4o-mini-2024-07-18',
      provider: null,
      model: 'gpt-4o-mini',
      deployment: '5c3f1e0b9a',
      api_base: 'https://api.openai.com/v1',
      cost_micro_usd: 123,
      attempts: 1,
      trace_id: '0f0e3c2a-8b7d-4f43-9a51-5b0d3c6e7f80',
    });
  });

  it('withholds an api base with credentials, a query or a secret, and over-long values', () => {
    const at = (value: string) =>
      servedBy('litellm', litellm, { 'x-litellm-model-api-base': value }, null, classifier).api_base;
    expect(at('https://user:pw@api.example.com/v1')).toBe(WITHHELD);
    expect(at('https://api.example.com/v1?key=abc')).toBe(WITHHELD);
    expect(at('https://api.example.com/AKIAQ3EGTHV5RJ7YWU2P')).toBe(WITHHELD);
    expect(at(`https://api.example.com/${'a'.repeat(300)}`)).toBe(WITHHELD);
    expect(at('http://litellm-backend.internal:4000/v1')).toBe('http://litellm-backend.internal:4000/v1');
    // An IP address is a finding like any other: a base URL written with one is withheld too.
    expect(at('http://10.1.2.3:4000/v1')).toBe(WITHHELD);
  });

  it('withholds an answer model that carries a value, and ignores a cost or count that is not a plain number', () => {
    const served = servedBy(
      'litellm',
      litellm,
      { 'x-litellm-response-cost': '-1', 'x-litellm-attempted-retries': '1e3' },
      { model: 'ssn-219-09-9999' },
      classifier,
    );
    expect(served.answer_model).toBe(WITHHELD);
    expect(served.cost_micro_usd).toBeNull();
    expect(served.attempts).toBeNull();
  });

  it("splits Kong's provider/model header, and configured headers override the product's", () => {
    const kong = servedBy(
      'kong',
      attributionHeaders('kong', {}),
      { 'x-kong-llm-model': 'anthropic/claude-3' },
      null,
      classifier,
    );
    expect(kong).toMatchObject({ provider: 'anthropic', model: 'claude-3' });
    const custom = attributionHeaders('portkey', { model: 'x-my-model' });
    expect(custom).toMatchObject({ provider: 'x-portkey-provider', model: 'x-my-model' });
    expect(servedBy('generic', {}, { 'x-kong-llm-model': 'a/b' }, null, classifier)).toMatchObject({
      provider: null,
      model: null,
    });
  });
});
