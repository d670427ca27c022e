// Result texts the engine remembers (src/policy/engine.ts: a policy that gives its result set as JSON text) never
// change a decision: for any sequence of result texts (valid, invalid, with lone surrogates, repeated) and inputs
// (one without the upstream the decision names), the engine decides exactly as one that parses every result; a
// remembered decision is handed out as a copy, and the input's check runs on every call.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECKED_RESULTS, createPolicyEngine, type WasmPolicy } from '../../../src/policy/engine.ts';
import { type PolicyInput, SMOKE_INPUT } from '../../../src/policy/index.ts';

type Upstream = PolicyInput['upstreams'][number];

const VERSION = { revision: 'test', sha256: '0'.repeat(64) };
const ENTRYPOINT = 'proctor/decision/result';

/** The smoke input with two upstreams, `a` and `b`. */
const input: PolicyInput = {
  ...structuredClone(SMOKE_INPUT),
  upstreams: ['a', 'b'].map((name) => ({ ...structuredClone(SMOKE_INPUT.upstreams[0] as Upstream), name })),
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
