// buildPolicyInput with the real adapter and classifier: the summary counts findings per type, category and
// location (message role, tool-call arguments, tool definitions), reports the top confidence, lists the tools, and
// always produces an input that policy-input.v1 and the engine's own consistency checks accept.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { upstreamSettings } from '../../helpers/upstreams.ts';
import { buildPolicyInput } from '../../../src/pipeline/policy-input.ts';
import { createPolicyEngine } from '../../../src/policy/engine.ts';
import { adapterFor } from '../../../src/providers/index.ts';

const adapter = adapterFor('openai.chat_completions');
const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });
const principal = {
  iss: 'https://idp.test',
  sub: 'alice',
  client_id: 'app',
  groups: ['eng'],
  tenant: null,
  token_fingerprint: 'f'.repeat(64),
};
const upstreams = [upstreamSettings({ name: 'echo', kind: 'openai', credential: null, region: 'eu', baa: true })];
const now = new Date('2026-01-02T03:04:05.678Z');
// An engine whose policy echoes an allow: reaching the policy proves the input passed every engine check.
const limits = {
  tokens_per_minute: null,
  requests_per_minute: null,
  spend_micro_usd_per_day: null,
  spend_micro_usd_per_month: null,
};
const allow = {
  allow: true,
  reasons: [],
  obligations: { upstreams: ['echo'], max_tokens: null, redact: [], response: { redact: [], block: [] }, limits },
};
const engine = createPolicyEngine({ evaluate: () => [{ result: allow }] }, 'x/y', {
  revision: 't',
  sha256: '0'.repeat(64),
});

function inputFor(body: unknown) {
  const request = adapter.parse(new TextEncoder().encode(JSON.stringify(body)));
  const classification = classifier.classify(request.segments);
  return { request, classification, input: buildPolicyInput(principal, request, classification, upstreams, now) };
}

describe('buildPolicyInput', () => {
  it('counts where findings are, reports the top confidence and lists the tools', () => {
    const { request, classification, input } = inputFor({
      model: 'gpt-4o-mini',
      max_tokens: 100,
      messages: [
        { role: 'developer', content: 'escalate to ops@contoso-mail.com' },
        { role: 'user', content: 'mail bob@contoso-mail.com and carol@contoso-mail.com' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'c1',
              type: 'function',
              function: { name: 'send_mail', arguments: '{"to":"dave@contoso-mail.com"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'sent' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'send_mail',
            description: 'Sends mail, e.g. to erin@contoso-mail.com',
            parameters: { type: 'object' },
          },
        },
        { type: 'function', function: { name: 'lookup' } },
      ],
    });
    expect(input.request).toEqual({
      api: 'openai.chat_completions',
      model: 'gpt-4o-mini',
      stream: false,
      max_tokens: 100,
      message_count: 4,
      estimated_prompt_tokens: request.estimatedPromptTokens,
      tools: { count: 2, names: ['send_mail', 'lookup'] },
    });
    expect(input.request.estimated_prompt_tokens).toBeGreaterThan(0);
    expect(input.classification).toEqual({
      finding_count: 5,
      types: { EMAIL: 5 },
      categories: { PII: 5 },
      max_confidence: Math.max(...classification.findings.map((f) => f.confidence)),
      where: { system: 1, user: 2, assistant: 0, tool: 0, tool_arguments: 1, tools: 1 },
    });
    expect(input.classification.max_confidence).toBeGreaterThan(0);
    expect(input.time).toEqual({ unix_ms: now.getTime(), iso: '2026-01-02T03:04:05.678Z' });
    expect(input.upstreams).toEqual([
      { name: 'echo', provider: 'openai', region: 'eu', baa: true, zero_data_retention: false, models: ['*'] },
    ]);
    expect(engine.decide(input).allow).toBe(true);
  });

  it('reports zeros without findings or tools', () => {
    const { input } = inputFor({ model: 'm', messages: [{ role: 'user', content: 'hello' }] });
    expect(input.request.tools).toEqual({ count: 0, names: [] });
    expect(input.classification).toEqual({
      finding_count: 0,
      types: {},
      categories: {},
      max_confidence: 0,
      where: { system: 0, user: 0, assistant: 0, tool: 0, tool_arguments: 0, tools: 0 },
    });
    expect(engine.decide(input).allow).toBe(true);
  });

  it('throws (the pipeline denies) when a finding names a segment the request does not have', () => {
    const { request, classification } = inputFor({
      model: 'm',
      messages: [{ role: 'user', content: 'bob@contoso-mail.com' }],
    });
    const finding = classification.findings[0];
    expect(finding).toBeDefined();
    const broken = { findings: [{ ...finding!, segment: 7 }] };
    expect(() => buildPolicyInput(principal, request, broken, upstreams, now)).toThrow(/segment 7/);
  });

  it('withholds a tool name the classifier found something in (the input is recorded), and keeps the others', () => {
    const { input } = inputFor({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [
        { type: 'function', function: { name: 'AKIAZ3MQWXR5TLPB6Y7N' } },
        { type: 'function', function: { name: 'lookup' } },
      ],
    });
    expect(input.request.tools).toEqual({ count: 2, names: ['[WITHHELD]', 'lookup'] });
    expect(JSON.stringify(input)).not.toContain('AKIAZ3MQWXR5TLPB6Y7N');
    expect(engine.decide(input).allow).toBe(true);
  });

  it.each([
    ['a phone number', ['0', '219-09-9999']],
    ['an AWS key', ['AKIAZ3MQWX', 'R5TLPB6Y7N']],
  ])('withholds every tool name a value split across names touches (%s), not only the first piece', (_, names) => {
    const { classification, input } = inputFor({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [
        ...names.map((name) => ({ type: 'function', function: { name } })),
        { type: 'function', function: { name: 'lookup' } },
      ],
    });
    expect(classification.findings.length).toBe(2); // one value, two pieces
    expect(input.request.tools).toEqual({ count: 3, names: ['[WITHHELD]', '[WITHHELD]', 'lookup'] });
    for (const name of names) expect(JSON.stringify(input)).not.toContain(name.length > 1 ? name : '"0"');
  });
});
