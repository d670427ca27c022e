// The pipeline enforces the decision's redact obligations: the request is redacted after the decision record (which
// already lists what is replaced) and before forwarding; the answer is classified and redacted or blocked, and the
// outcome record says so. Real classifier, fake policy/ledger/forwarder through the pipeline's interfaces.
import { describe, expect, it } from 'vitest';
import { createRequestHandler, type PipelineDeps } from '../../../src/pipeline/index.ts';
import { createClassifier } from '../../../src/classification/index.ts';
import type { Decision } from '../../../src/policy/index.ts';
import type { Ledger } from '../../../src/ledger/index.ts';
import { registryOf, upstreamSettings } from '../../helpers/upstreams.ts';
import { createMemoryLimiter } from '../../helpers/memory-limiter.ts';
import { createLogSink } from '../../helpers/log-sink.ts';

const upstream = upstreamSettings({ name: 'up', zeroDataRetention: false });
const principal = {
  iss: 'https://idp.test',
  sub: 'alice',
  client_id: null,
  groups: ['eng'],
  tenant: null,
  token_fingerprint: 'f'.repeat(64),
};
const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });

function decision(
  redact: string[],
  response: { redact: string[]; block: string[] } = { redact: [], block: [] },
): Decision {
  return {
    allow: true,
    reasons: [],
    obligations: { upstreams: ['up'], max_tokens: null, redact, response, limits: null },
  };
}

function harness(d: Decision, answer: unknown, classify: PipelineDeps['classifier'] = classifier) {
  const events: string[] = [];
  const records: { type: string; body: Record<string, unknown> }[] = [];
  const forwarded: unknown[] = [];
  const ledger = {
    chain: 't',
    async append(type: string, _id: string | null, body: Record<string, unknown>) {
      events.push(`append:${type}`);
      records.push({ type, body: structuredClone(body) });
      return { chain: 't', seq: records.length, hash: `h${records.length}`, bytes: new Uint8Array(), record: {} };
    },
  } as unknown as Ledger;
  const deps: PipelineDeps = {
    authenticator: { authenticate: async () => principal },
    classifier: classify,
    policy: { decide: () => ({ decision: d, version: { revision: 'src-t', sha256: '0'.repeat(64) }, shadow: null }) },
    ledger,
    forwarder: {
      forward: async (_t, _p, body) => {
        events.push('forward');
        forwarded.push(body);
        return { status: 200, contentType: 'application/json', body: answer };
      },
      // These tests send stream=false only; a stream would be a test bug, so it fails loudly.
      openStream: async () => {
        throw new Error('this test does not stream');
      },
      close: async () => {},
    },
    upstreams: registryOf([upstream]),
    clock: { now: () => new Date('2026-01-01T00:00:00.000Z') },
    limits: createMemoryLimiter(),
    log: createLogSink().log,
  };
  const handler = createRequestHandler(deps);
  const run = (request: unknown) =>
    handler.handle({
      requestId: 'r1',
      api: 'openai.chat_completions',
      headers: {},
      body: new TextEncoder().encode(JSON.stringify(request)),
    });
  return { events, records, forwarded, run };
}

const answer = (content: string) => ({
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
});

const request = {
  model: 'm',
  messages: [
    { role: 'system', content: 'Escalate to ops@acme-corp.io.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Customer bob@contoso-mail.com (SSN 219-09-9999) wrote again; cc ops@acme-corp.io' },
      ],
    },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"email":"bob@contoso-mail.com"}' } },
      ],
    },
  ],
  tools: [
    { type: 'function', function: { name: 'lookup', description: 'Looks up a customer, e.g. carol@contoso-mail.com' } },
  ],
};

describe('request redaction', () => {
  it('records the redaction before forwarding and forwards placeholders, consistently per value', async () => {
    const h = harness(decision(['EMAIL']), answer('ok'));
    const reply = await h.run(request);
    expect(reply.status).toBe(200);
    expect(h.events).toEqual(['append:decision', 'forward', 'append:outcome']);
    expect(h.records[0]?.body.redaction).toEqual({ types: { EMAIL: 5 } });
    const sent = h.forwarded[0] as typeof request;
    const text = JSON.stringify(sent);
    for (const value of ['ops@acme-corp.io', 'bob@contoso-mail.com', 'carol@contoso-mail.com'])
      expect(text).not.toContain(value);
    expect(sent.messages[0]?.content).toBe('Escalate to [EMAIL_1].');
    expect((sent.messages[1]?.content as { text: string }[])[0]?.text).toBe(
      'Customer [EMAIL_2] (SSN 219-09-9999) wrote again; cc [EMAIL_1]',
    );
    expect(sent.messages[2]?.tool_calls?.[0]?.function.arguments).toBe('{"email":"[EMAIL_2]"}');
    expect(sent.tools[0]?.function.description).toBe('Looks up a customer, e.g. [EMAIL_3]');
  });

  it('records null and forwards the body unchanged when no type is to be redacted', async () => {
    const h = harness(decision([]), answer('ok'));
    await h.run(request);
    expect(h.records[0]?.body.redaction).toBeNull();
    expect(JSON.stringify(h.forwarded[0])).toContain('bob@contoso-mail.com');
  });

  it('records zero counts when a redacted type is not present', async () => {
    const h = harness(decision(['IBAN']), answer('ok'));
    await h.run(request);
    expect(h.records[0]?.body.redaction).toEqual({ types: {} });
  });

  it('never writes a redacted value into any record', async () => {
    const h = harness(decision(['EMAIL', 'US_SSN']), answer('ok'));
    await h.run(request);
    const all = JSON.stringify(h.records);
    for (const value of ['ops@acme-corp.io', 'bob@contoso-mail.com', '219-09-9999']) expect(all).not.toContain(value);
  });
});

describe('response screening', () => {
  it('classifies the answer and records the finding types with action none', async () => {
    const h = harness(decision([]), answer('Reach her at jane.doe@contoso-mail.com'));
    const reply = await h.run(request);
    expect(reply.status).toBe(200);
    expect((reply.body as ReturnType<typeof answer>).choices[0]?.message.content).toBe(
      'Reach her at jane.doe@contoso-mail.com',
    );
    expect(h.records[1]?.body).toMatchObject({
      response_classification: { finding_count: 1, types: { EMAIL: 1 } },
      response_action: 'none',
    });
  });

  it('redacts the answer text when the obligation says so, usage intact', async () => {
    const h = harness(
      decision([], { redact: ['EMAIL'], block: [] }),
      answer('Reach her at jane.doe@contoso-mail.com or jane.doe@contoso-mail.com'),
    );
    const reply = await h.run(request);
    const body = reply.body as ReturnType<typeof answer>;
    expect(body.choices[0]?.message.content).toBe('Reach her at [EMAIL_1] or [EMAIL_1]');
    expect(body.usage.total_tokens).toBe(7);
    expect(h.records[1]?.body).toMatchObject({ response_action: 'redacted', usage: { total_tokens: 7 } });
  });

  it('redacts tool-call arguments in the answer', async () => {
    const toolAnswer = {
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'x', type: 'function', function: { name: 'f', arguments: '{"card":"4111 1111 1111 1111"}' } },
            ],
          },
        },
      ],
    };
    const h = harness(decision([], { redact: ['CREDIT_CARD'], block: [] }), toolAnswer);
    const reply = await h.run(request);
    expect(JSON.stringify(reply.body)).toContain('{\\"card\\":\\"[CREDIT_CARD_1]\\"}');
  });

  it('withholds the whole answer when a blocked type is in it (403 ERR_RESPONSE_BLOCKED), recorded', async () => {
    const h = harness(
      decision([], { redact: ['EMAIL'], block: ['AWS_ACCESS_KEY'] }),
      answer('use AKIA2E0A8F3B244C9986 and a@contoso-mail.com'),
    );
    const reply = await h.run(request);
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ error: { code: 'ERR_RESPONSE_BLOCKED', type: 'permission_error' } });
    expect(JSON.stringify(reply.body)).not.toContain('AKIA2E0A8F3B244C9986');
    expect(h.records[1]?.body).toMatchObject({
      status: 403,
      upstream_status: 200,
      error: 'ERR_RESPONSE_BLOCKED',
      response_action: 'blocked',
      response_classification: { finding_count: 2 },
    });
  });

  it('fails closed when the answer cannot be classified: withheld, recorded', async () => {
    let calls = 0;
    const flaky: PipelineDeps['classifier'] = {
      classify: (s) => {
        calls += 1;
        if (calls > 1) throw new Error('boom');
        return classifier.classify(s);
      },
    };
    const h = harness(decision([]), answer('fine'), flaky);
    const reply = await h.run(request);
    expect(reply.status).toBe(500);
    expect(reply.body).toMatchObject({ error: { code: 'ERR_CLASSIFICATION_FAILED' } });
    expect(h.records[1]?.body).toMatchObject({ response_action: 'blocked', error: 'ERR_CLASSIFICATION_FAILED' });
  });
});

describe('redaction inside tool schemas', () => {
  const withTool = (properties: Record<string, unknown>) => ({
    model: 'm',
    messages: [{ role: 'user', content: 'look it up' }],
    tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties } } }],
  });

  it('redacts a value found in a parameter description before forwarding', async () => {
    const h = harness(decision(['EMAIL']), answer('ok'));
    const reply = await h.run(withTool({ who: { type: 'string', description: 'defaults to carol@contoso-mail.com' } }));
    expect(reply.status).toBe(200);
    expect(JSON.stringify(h.forwarded)).not.toContain('carol@contoso-mail.com');
    expect(JSON.stringify(h.forwarded)).toContain('[EMAIL_1]');
  });

  it('refuses, and forwards nothing, when the value sits in a property name it cannot rewrite', async () => {
    const h = harness(decision(['US_SSN']), answer('ok'));
    const reply = await h.run(withTool({ 'ssn 219-09-9999': { type: 'string' } }));
    expect(reply.status).toBe(500);
    expect(reply.body).toMatchObject({ error: { code: 'ERR_REDACTION_FAILED' } });
    expect(h.events).not.toContain('forward');
    // Recorded at the stage that refused (redact), not inferred from which record fields are still empty.
    expect(h.records[0]?.body).toMatchObject({ decision: { allow: false, stage: 'redact' } });
  });
});
