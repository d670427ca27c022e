// Result texts the engine remembers (src/policy/engine.ts: a policy that gives its result set as JSON text) never
// change a decision: for any sequence of result texts (valid, invalid, with lone surrogates, repeated) and inputs
// (one without the upstream the decision names), the engine decides exactly as one that parses every result; a
// remembered decision is handed out as a copy, and the input's check runs on every call.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECKED_RESULTS, createPolicyEngine, type WasmPolicy } from '../../../src/policy/engine.ts';
import type { PolicyInput } from '../../../src/policy/index.ts';

const VERSION = { revision: 'test', sha256: '0'.repeat(64) };
const ENTRYPOINT = 'proctor/decision/result';

const input: PolicyInput = {
  principal: { iss: 'https://idp.example', sub: 'alice', client_id: null, groups: ['eng'], tenant: 'acme' },
  request: {
    api: 'openai.chat_completions',
    model: 'm',
    stream: false,
    max_tokens: 10,
    message_count: 1,
    estimated_prompt_tokens: 9,
    tools: { count: 0, names: [] },
  },
  classification: {
    finding_count: 0,
    types: {},
    categories: {},
    max_confidence: 0,
    where: { system: 0, user: 0, assistant: 0, tool: 0, tool_arguments: 0, tools: 0 },
  },
  upstreams: [
    { name: 'a', provider: 'openai', region: 'eu', baa: false, zero_data_retention: true, models: ['m'] },
    { name: 'b', provider: 'openai', region: null, baa: true, zero_data_retention: false, models: ['*'] },
  ],
  time: { unix_ms: 1_700_000_000_123, iso: '2023-11-14T22:13:20.123Z' },
};
/** The same request where upstream `a` is not offered. */
const withoutA: PolicyInput = { ...input, upstreams: input.upstreams.slice(1) };

const decision = (upstreams: string[], redact: string[], message: string, allow = true) => ({
  allow,
  reasons: message === '' ? [] : [{ code: 'SOME_REASON', message }],
  obligations: {
    upstreams,
    max_tokens: 10,
    redact,
    response: { redact: [], block: ['US_SSN'] },
    limits: allow
      ? {
          tokens_per_minute: 100,
          requests_per_minute: null,
          spend_micro_usd_per_day: 5,
          spend_micro_usd_per_month: null,
        }
      : null,
  },
});

/** Result texts as a policy could write them: valid decisions, a lone surrogate, schema failures, not JSON. */
const resultText = fc.oneof(
  fc
    .record({
      upstreams: fc.subarray(['a', 'b']),
      redact: fc.subarray(['EMAIL', 'US_SSN']),
      message: fc.constantFrom('', 'ok', 'caf\u00e9', 'lone \ud800 surrogate'),
      allow: fc.boolean(),
    })
    .map(({ upstreams, redact, message, allow }) =>
      JSON.stringify([{ result: decision(upstreams, redact, message, allow) }]),
    ),
  fc.constantFrom(
    '[]',
    '{}',
    '[{"result":{"allow":true}}]',
    '[{"nothing":1}]',
    `[${JSON.stringify({ result: decision(['a'], [], '') })},{"result":null}]`,
    'not json',
  ),
);

function engines() {
  const parsing: WasmPolicy = { evaluate: (_input, _entrypoint) => JSON.parse(next) };
  const texts: WasmPolicy = {
    evaluate: () => {
      throw new Error('the engine reads the text');
    },
    evaluateText: () => next,
  };
  let next = '';
  return {
    set: (text: string) => {
      next = text;
    },
    reference: createPolicyEngine(parsing, ENTRYPOINT, VERSION),
    remembering: createPolicyEngine(texts, ENTRYPOINT, VERSION),
  };
}

describe('the engine remembering checked result texts', () => {
  it('decides as an engine that parses and checks every result, for any sequence of results and inputs', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(resultText, fc.boolean()), { minLength: 1, maxLength: 30 }), (calls) => {
        const { set, reference, remembering } = engines();
        for (const [text, offered] of calls) {
          set(text);
          const given = offered ? input : withoutA;
          expect(remembering.decide(given)).toEqual(reference.decide(given));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('hands out a copy of a remembered decision, and still checks each input against it', () => {
    const { set, remembering } = engines();
    set(JSON.stringify([{ result: decision(['a'], ['EMAIL'], 'ok') }]));
    const first = remembering.decide(input);
    first.obligations.redact.push('changed');
    first.reasons.length = 0;
    const second = remembering.decide(input);
    expect(second.obligations.redact).toEqual(['EMAIL']);
    expect(second.reasons).toEqual([{ code: 'SOME_REASON', message: 'ok' }]);
    expect(remembering.decide(withoutA)).toMatchObject({
      allow: false,
      reasons: [{ code: 'ERR_POLICY_DECISION_INVALID' }],
    });
    // Past the bound the oldest are let go; the decisions stay the same.
    for (let i = 0; i <= CHECKED_RESULTS; i++) {
      set(JSON.stringify([{ result: decision(['b'], [], `reason ${i}`) }]));
      expect(remembering.decide(input).reasons).toEqual([{ code: 'SOME_REASON', message: `reason ${i}` }]);
    }
    set(JSON.stringify([{ result: decision(['a'], ['EMAIL'], 'ok') }]));
    expect(remembering.decide(input)).toEqual(second);
  });
});
