// Which tool names the policy input (recorded in the ledger) carries as sent: plain identifiers with at most five
// digits in all; any other name is [WITHHELD], so no raw identifier the classifier does not flag (nine bare digits)
// enters a record through a tool name. The input stays valid against policy-input.v1.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { buildPolicyInput, isPlainToolName, WITHHELD_TOOL_NAME } from '../../../src/pipeline/policy-input.ts';
import { policyValidators } from '../../../src/policy/schemas.ts';
import { adapterFor } from '../../../src/providers/index.ts';

describe('isPlainToolName', () => {
  it.each(['lookup_order', 'get-weather', 'report_2024_v2', 'tool.v1', 'a12345', 'x'.repeat(64)])(
    '%s is plain',
    (name) => {
      expect(isPlainToolName(name)).toBe(true);
    },
  );

  it.each([
    ['nine bare digits behind a word', 't_219099999'],
    ['six digits in one run', 'a123456'],
    ['six digits split by separators', 'a1_2-3_4.5_6'],
    ['nine digits split by an underscore', 't_21909_9999'],
    ['a space', 'look up'],
    ['a character outside the identifier alphabet', 'lookup/order'],
    ['a non-ASCII digit', 'lookup_\u0661'],
    ['the empty name', ''],
    ['65 characters', 'x'.repeat(65)],
  ])('%s is not plain', (_, name) => {
    expect(isPlainToolName(name)).toBe(false);
  });
});

describe('tool names in the policy input', () => {
  const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });
  const principal = { iss: 'i', sub: 's', client_id: 'c', groups: [], tenant: null, token_fingerprint: 'f'.repeat(64) };
  const inputFor = (names: string[]) => {
    const body = {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      tools: names.map((name) => ({ type: 'function', function: { name } })),
    };
    const request = adapterFor('openai.chat_completions').parse(new TextEncoder().encode(JSON.stringify(body)));
    return buildPolicyInput(principal, request, classifier.classify(request.segments), [], new Date(0));
  };

  it('withholds a name with a bare id, keeps the plain ones, and stays valid against policy-input.v1', () => {
    const input = inputFor(['t_219099999', 'lookup_order', 'report_2024']);
    expect(input.request.tools).toEqual({ count: 3, names: [WITHHELD_TOOL_NAME, 'lookup_order', 'report_2024'] });
    expect(JSON.stringify(input)).not.toContain('219099999');
    const validate = policyValidators().input;
    expect(validate(input)).toBe(true);
  });
});
