import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPolicyEngine } from '../../../src/policy/engine.ts';
import type { WasmPolicy } from '../../../src/policy/engine.ts';
import type { Decision, PolicyInput } from '../../../src/policy/index.ts';

const VERSION = { revision: 'test', sha256: '0'.repeat(64) };
const ENTRYPOINT = 'proctor/decision/result';

const input: PolicyInput = {
  principal: { iss: 'https://idp.example', sub: 'alice', client_id: null, groups: ['eng'], tenant: 'acme' },
  request: {
    api: 'openai.chat_completions',
    model: 'm',
    stream: true,
    max_tokens: 10,
    message_count: 1,
    estimated_prompt_tokens: 9,
    tools: { count: 1, names: ['search'] },
  },
  classification: {
    finding_count: 1,
    types: { EMAIL: 1 },
    categories: { PII: 1 },
    max_confidence: 85,
    where: { system: 0, user: 0, assistant: 0, tool: 1, tool_arguments: 0, tools: 0 },
  },
  upstreams: [
    { name: 'a', provider: 'openai', region: 'eu', baa: false, zero_data_retention: true, models: ['m'] },
    { name: 'b', provider: 'openai', region: null, baa: true, zero_data_retention: false, models: ['*'] },
  ],
  time: { unix_ms: 1_700_000_000_123, iso: '2023-11-14T22:13:20.123Z' },
};

const allow: Decision = {
  allow: true,
  reasons: [],
  obligations: {
    upstreams: ['a'],
    max_tokens: 10,
    redact: [],
    response: { redact: [], block: [] },
    limits: {
      tokens_per_minute: 100,
      requests_per_minute: null,
      spend_micro_usd_per_day: 5,
      spend_micro_usd_per_month: null,
    },
  },
};

/** A fake wasm policy: `respond` plays the part of opa-wasm's evaluate. */
function engineWith(respond: (input: unknown, entrypoint: string) => unknown) {
  const calls: { input: unknown; entrypoint: string }[] = [];
  const policy: WasmPolicy = {
    evaluate(value, entrypoint) {
      calls.push({ input: value, entrypoint });
      return respond(value, entrypoint);
    },
  };
  return { engine: createPolicyEngine(policy, ENTRYPOINT, VERSION), calls };
}

const codes = (decision: Decision): string[] => decision.reasons.map((r) => r.code);

describe('createPolicyEngine', () => {
  it('passes the input and entrypoint through and returns the decision', () => {
    const { engine, calls } = engineWith(() => [{ result: allow }]);
    expect(engine.decide(input)).toEqual(allow);
    expect(calls).toEqual([{ input, entrypoint: ENTRYPOINT }]);
    expect(engine.version).toEqual(VERSION);
  });

  it.each([
    ['a string', 'opa_abort: var assignment conflict'],
    ['a plain object', { message: 'not implemented: built-in function 3: http.send' }],
    ['an Error', new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded')],
    ['undefined', undefined],
    ['a number', 42],
  ])('denies with ERR_POLICY_EVALUATION when evaluation throws %s', (_label, thrown) => {
    const { engine } = engineWith(() => {
      throw thrown;
    });
    const decision = engine.decide(input);
    expect(decision).toMatchObject({
      allow: false,
      obligations: { upstreams: [], max_tokens: null, redact: [], response: { redact: [], block: [] }, limits: null },
    });
    expect(codes(decision)).toEqual(['ERR_POLICY_EVALUATION']);
    expect(decision.reasons[0]?.message.length).toBeGreaterThan(0);
  });

  it("keeps the decision's scoped limits (group, tenant, client buckets), so the limits stage enforces them", () => {
    const scoped = [
      { scope: 'group', name: 'eng', requests_per_minute: 5 },
      { scope: 'tenant', tokens_per_minute: 1000 },
    ];
    const decision = {
      ...allow,
      obligations: { ...allow.obligations, limits: { ...allow.obligations.limits, scoped } },
    };
    const decided = engineWith(() => [{ result: decision }]).engine.decide(input);
    expect(decided.obligations.limits?.scoped).toEqual(scoped);
    expect(decided.obligations.limits?.scoped?.[0]).not.toBe(scoped[0]); // a copy: the engine's result is its own
  });

  it('denies with ERR_POLICY_UNDEFINED on an empty result set', () => {
    expect(codes(engineWith(() => []).engine.decide(input))).toEqual(['ERR_POLICY_UNDEFINED']);
  });

  it.each([
    ['not an array', { result: allow }],
    ['two results', [{ result: allow }, { result: allow }]],
    ['an entry without result', [{ expressions: [] }]],
    ['a null entry', [null]],
    ['allow as a string', [{ result: { ...allow, allow: 'true' } }]],
    ['an extra field', [{ result: { ...allow, limits: {} } }]],
    ['fractional max_tokens', [{ result: { ...allow, obligations: { ...allow.obligations, max_tokens: 1.5 } } }]],
    ['a deny without reasons', [{ result: { ...allow, allow: false } }]],
    ['an allow without upstreams', [{ result: { ...allow, obligations: { ...allow.obligations, upstreams: [] } } }]],
    ['a lowercase reason code', [{ result: { ...allow, reasons: [{ code: 'oops', message: 'x' }] } }]],
    [
      'an upstream not in the input',
      [{ result: { ...allow, obligations: { ...allow.obligations, upstreams: ['c'] } } }],
    ],
    ['a duplicated upstream', [{ result: { ...allow, obligations: { ...allow.obligations, upstreams: ['a', 'a'] } } }]],
    ['a lone surrogate in a message', [{ result: { ...allow, reasons: [{ code: 'X', message: 'bad \ud800' }] } }]],
    ['an allow without limits', [{ result: { ...allow, obligations: { ...allow.obligations, limits: null } } }]],
    [
      'a fractional limit',
      [
        {
          result: {
            ...allow,
            obligations: { ...allow.obligations, limits: { ...allow.obligations.limits, tokens_per_minute: 0.5 } },
          },
        },
      ],
    ],
    [
      'a limit missing',
      [{ result: { ...allow, obligations: { ...allow.obligations, limits: { tokens_per_minute: 1 } } } }],
    ],
    ['no response obligations', [{ result: { ...allow, obligations: { ...allow.obligations, response: undefined } } }]],
    [
      'a lone surrogate in a response type',
      [{ result: { ...allow, obligations: { ...allow.obligations, response: { redact: [], block: ['X\udc00'] } } } }],
    ],
  ])('denies with ERR_POLICY_DECISION_INVALID on %s', (_label, resultSet) => {
    expect(codes(engineWith(() => resultSet).engine.decide(input))).toEqual(['ERR_POLICY_DECISION_INVALID']);
  });

  const c = input.classification;
  it.each([
    [
      'tools.count that is not the number of names',
      { ...input, request: { ...input.request, tools: { count: 2, names: ['search'] } } },
    ],
    ['a tool name that is empty', { ...input, request: { ...input.request, tools: { count: 1, names: [''] } } }],
    ['no estimated_prompt_tokens', { ...input, request: { ...input.request, estimated_prompt_tokens: undefined } }],
    ['a fractional estimated_prompt_tokens', { ...input, request: { ...input.request, estimated_prompt_tokens: 1.5 } }],
    ['types that do not add up to finding_count', { ...input, classification: { ...c, types: { EMAIL: 2 } } }],
    ['categories that do not add up to finding_count', { ...input, classification: { ...c, categories: {} } }],
    [
      'where that does not add up to finding_count',
      { ...input, classification: { ...c, where: { ...c.where, user: 1 } } },
    ],
    ['an unknown location in where', { ...input, classification: { ...c, where: { ...c.where, images: 0 } } }],
    ['a location missing from where', { ...input, classification: { ...c, where: { ...c.where, tools: undefined } } }],
    ['a max_confidence over 100', { ...input, classification: { ...c, max_confidence: 101 } }],
    [
      'a max_confidence without findings',
      {
        ...input,
        classification: {
          finding_count: 0,
          types: {},
          categories: {},
          max_confidence: 40,
          where: { ...c.where, tool: 0 },
        },
      },
    ],
  ])('denies with ERR_POLICY_INPUT_INVALID on %s, without calling the policy', (_label, bad) => {
    const { engine, calls } = engineWith(() => [{ result: allow }]);
    expect(codes(engine.decide(bad as PolicyInput))).toEqual(['ERR_POLICY_INPUT_INVALID']);
    expect(calls).toHaveLength(0);
  });

  it('accepts the same input with consistent counts', () => {
    const { engine } = engineWith(() => [{ result: allow }]);
    const none = {
      ...input,
      classification: {
        finding_count: 0,
        types: {},
        categories: {},
        max_confidence: 0,
        where: { ...c.where, tool: 0 },
      },
    };
    expect(engine.decide(none).allow).toBe(true);
    expect(engine.decide(input).allow).toBe(true);
  });

  it('does not call the policy for an invalid input', () => {
    const { engine, calls } = engineWith(() => [{ result: allow }]);
    const bad = { ...input, request: { ...input.request, max_tokens: -1 } };
    expect(codes(engine.decide(bad))).toEqual(['ERR_POLICY_INPUT_INVALID']);
    expect(calls).toHaveLength(0);
  });

  it('sorts reasons by code, then message', () => {
    const reasons = [
      { code: 'B', message: 'second' },
      { code: 'A', message: 'z' },
      { code: 'B', message: 'first' },
      { code: 'A_B', message: 'a' },
    ];
    const { engine } = engineWith(() => [{ result: { ...allow, allow: false, reasons } }]);
    expect(engine.decide(input).reasons).toEqual([
      { code: 'A', message: 'z' },
      { code: 'A_B', message: 'a' },
      { code: 'B', message: 'first' },
      { code: 'B', message: 'second' },
    ]);
  });

  it('bounds and keeps well-formed the detail of a thrown error', () => {
    const { engine } = engineWith(() => {
      throw `${'x'.repeat(298)}\ud83d\ude00\ud800 and more`;
    });
    const message = engine.decide(input).reasons[0]?.message ?? '';
    expect(message.length).toBeLessThanOrEqual(300);
    expect(/\p{Cs}/u.test(message)).toBe(false);
  });

  it('never throws and never allows, whatever the policy returns', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const { engine } = engineWith(() => value);
        expect(engine.decide(input).allow).toBe(false);
      }),
    );
  });

  it('never throws and never allows on arbitrary input, even with a policy that always allows', () => {
    const { engine } = engineWith(() => [{ result: allow }]);
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(engine.decide(value as PolicyInput).allow).toBe(false);
      }),
    );
  });
});
