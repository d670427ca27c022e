// Proctor in front of LiteLLM's proxy (`litellm[proxy]` from PyPI, installed by scripts/gateways.sh into
// .tools/litellm, a real process on loopback), which forwards to a local upstream. The official `openai` SDK is the
// client. Proctor authenticates to LiteLLM with a LiteLLM key, names the end user in x-litellm-end-user-id (LiteLLM's
// standard customer header), and sends the decision id and a signed assertion; LiteLLM forwards x- headers to the
// upstream for the model group (forward_client_headers_to_llm_api), which shows what the gateway received.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startLitellm, unavailable, type RunningGateway } from '../helpers/gateways.ts';
import { AUDIENCE, startGatewayStack, type GatewayStack } from '../helpers/gateway-stack.ts';

const MASTER_KEY = 'sk-litellm-master-test';
const UPSTREAM_KEY = 'sk-provider-key-held-by-litellm';
const skip = unavailable('litellm');
if (skip) console.warn(`skipping the LiteLLM gateway tests: ${skip}`);

describe.skipIf(skip !== null)('Proctor in front of the LiteLLM proxy', () => {
  let stack: GatewayStack;
  let litellm: RunningGateway;

  beforeAll(async () => {
    stack = await startGatewayStack();
    litellm = await startLitellm({
      upstreamUrl: stack.echo.url,
      model: 'echo-1',
      upstreamKey: UPSTREAM_KEY,
      masterKey: MASTER_KEY,
    });
    await stack.startProctor(
      {
        base_url: litellm.url,
        credential: { env: 'LITELLM_KEY' },
        gateway: { decision_id: true, assertion: true, subject_header: 'x-litellm-end-user-id', product: 'litellm' },
      },
      { LITELLM_KEY: MASTER_KEY },
    );
  }, 180_000);

  afterAll(async () => {
    await stack?.close();
    await litellm?.close();
  });

  it('carries the answer back and hands the gateway the user, the decision id and a verifiable assertion', async () => {
    const token = await stack.idp.tokenFor({ audience: AUDIENCE, sub: 'bob', groups: ['eng'] });
    const openai = new OpenAI({ baseURL: stack.proctor?.url, apiKey: token, maxRetries: 0, timeout: 60_000 });
    const before = stack.echo.received.length;
    const { data, response } = await openai.chat.completions
      .create({ model: 'echo-1', messages: [{ role: 'user', content: 'hello via litellm' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('echo: hello via litellm');
    expect(stack.echo.received.length).toBe(before + 1);
    const seen = stack.echo.received.at(-1);
    // LiteLLM used its own provider key; neither Proctor's LiteLLM key nor the user's token went further.
    expect(seen?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(JSON.stringify(seen?.headers)).not.toContain(token);
    expect(JSON.stringify(seen?.headers)).not.toContain(MASTER_KEY);

    const requestId = response.headers.get('x-proctor-request-id') as string;
    const [decision, outcome] = await stack.records(requestId);
    expect(decision).toMatchObject({ type: 'decision', decision: { allow: true }, route: { upstream: 'gateway' } });
    expect(outcome).toMatchObject({
      type: 'outcome',
      status: 200,
      upstream: 'gateway',
      decision_hash: decision?.hash,
      attempts: [{ upstream: 'gateway', status: 200, error: null }],
    });
    expect(seen?.headers['x-proctor-decision-id']).toBe(decision?.hash);
    expect(seen?.headers['x-litellm-end-user-id']).toBe('bob');
    // Who served: what LiteLLM itself says in its response headers, asked directly with the same model.
    const direct = await fetch(`${litellm.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'echo-1', messages: [{ role: 'user', content: 'who serves' }] }),
    });
    expect(direct.status).toBe(200);
    const servedBy = outcome?.served_by as Record<string, unknown>;
    expect(servedBy).toMatchObject({
      gateway: 'litellm',
      answer_model: 'echo-1',
      model: direct.headers.get('x-litellm-model-group'),
      deployment: direct.headers.get('x-litellm-model-id'),
      attempts: 0,
    });
    expect(servedBy.deployment).toMatch(/^[A-Za-z0-9]/);
    // The api base is the local upstream's loopback address: recorded as sent, or withheld if classified as an IP.
    expect([direct.headers.get('x-litellm-model-api-base'), '[WITHHELD]']).toContain(servedBy.api_base);
    expect(typeof servedBy.trace_id).toBe('string');
    const claims = await stack.verifyAssertion(seen?.headers['x-proctor-assertion'] as string);
    expect(claims).toMatchObject({
      sub: 'bob',
      groups: ['eng'],
      proctor_decision_id: decision?.hash,
      proctor_request_id: requestId,
      aud: 'gateway',
    });
  });

  it('relays a streamed answer through the gateway, with the outcome recorded', async () => {
    const token = await stack.idp.tokenFor({ audience: AUDIENCE, sub: 'carol' });
    const openai = new OpenAI({ baseURL: stack.proctor?.url, apiKey: token, maxRetries: 0, timeout: 60_000 });
    const { data: stream, response } = await openai.chat.completions
      .create({ model: 'echo-1', stream: true, messages: [{ role: 'user', content: 'stream via litellm' }] })
      .withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('echo: stream via litellm');
    const [decision, outcome] = await stack.records(response.headers.get('x-proctor-request-id') as string);
    expect(decision).toMatchObject({ type: 'decision', request: { stream: true } });
    expect(outcome).toMatchObject({ type: 'outcome', status: 200, upstream: 'gateway', error: null });
    expect(outcome?.served_by).toMatchObject({ gateway: 'litellm', model: 'echo-1', answer_model: null });
    expect(stack.echo.received.at(-1)?.headers['x-proctor-decision-id']).toBe(decision?.hash);
  });

  it('leaves a ledger that verifies', async () => {
    expect(await stack.verifyLedger()).toBe(0);
  });
});
