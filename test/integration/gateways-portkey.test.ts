// Proctor in front of Portkey's open-source gateway (@portkey-ai/gateway, a real process on loopback), which forwards
// to a local upstream. The official `openai` SDK is the client. Portkey passes the attribution headers on
// (x-portkey-forward-headers), so the upstream's record of what arrived proves what the gateway received: the decision
// id (the decision record's hash) and an identity assertion that verifies against Proctor's published JWKS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startPortkey, unavailable, type RunningGateway } from '../helpers/gateways.ts';
import { AUDIENCE, startGatewayStack, type GatewayStack } from '../helpers/gateway-stack.ts';

const UPSTREAM_KEY = 'sk-provider-key-held-by-proctor';
const skip = unavailable('portkey');
if (skip) console.warn(`skipping the Portkey gateway tests: ${skip}`);

describe.skipIf(skip !== null)('Proctor in front of the Portkey gateway', () => {
  let stack: GatewayStack;
  let portkey: RunningGateway;

  beforeAll(async () => {
    [stack, portkey] = await Promise.all([startGatewayStack(), startPortkey()]);
    await stack.startProctor(
      {
        base_url: portkey.url,
        credential: { env: 'UPSTREAM_KEY' },
        headers: {
          'x-portkey-provider': 'openai',
          'x-portkey-custom-host': stack.echo.url,
          'x-portkey-forward-headers': 'x-proctor-decision-id,x-proctor-assertion',
        },
        gateway: { decision_id: true, assertion: true, product: 'portkey' },
      },
      { UPSTREAM_KEY },
    );
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await portkey?.close();
  });

  it('carries the answer back and hands the gateway the decision id and a verifiable assertion', async () => {
    const token = await stack.idp.tokenFor({ audience: AUDIENCE, sub: 'alice', groups: ['eng'], tenant: 'acme' });
    const openai = new OpenAI({ baseURL: stack.proctor?.url, apiKey: token, maxRetries: 0, timeout: 30_000 });
    const before = stack.echo.received.length;
    const { data, response } = await openai.chat.completions
      .create({ model: 'echo-1', messages: [{ role: 'user', content: 'hello via portkey' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('echo: hello via portkey');
    expect(stack.echo.received.length).toBe(before + 1);
    const seen = stack.echo.received.at(-1);
    expect(seen?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(JSON.stringify(seen?.headers)).not.toContain(token);

    const requestId = response.headers.get('x-proctor-request-id') as string;
    const [decision, outcome] = await stack.records(requestId);
    expect(decision).toMatchObject({
      type: 'decision',
      decision: { allow: true },
      route: { upstream: 'gateway', candidates: ['gateway'] },
    });
    expect(outcome).toMatchObject({
      type: 'outcome',
      status: 200,
      upstream: 'gateway',
      decision_hash: decision?.hash,
      attempts: [{ upstream: 'gateway', status: 200, error: null }],
    });
    expect(seen?.headers['x-proctor-decision-id']).toBe(decision?.hash);
    // Who served, as Portkey's response headers say: the provider it used, the config target, retries, its trace id.
    expect(outcome?.served_by).toMatchObject({
      gateway: 'portkey',
      answer_model: 'echo-1',
      provider: 'openai',
      deployment: 'config', // the path of the config target it used
      attempts: 0,
    });
    // Portkey 1.15 sends x-portkey-trace-id empty unless the client set one: an empty header is recorded as null.
    expect((outcome?.served_by as Record<string, unknown>).trace_id).toBeNull();

    const assertion = seen?.headers['x-proctor-assertion'];
    expect(typeof assertion).toBe('string');
    const claims = await stack.verifyAssertion(assertion as string);
    expect(claims).toMatchObject({
      sub: 'alice',
      idp_iss: stack.idp.issuer,
      groups: ['eng'],
      tenant: 'acme',
      proctor_decision_id: decision?.hash,
      proctor_request_id: requestId,
      aud: 'gateway',
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBeLessThanOrEqual(60);
  });

  // Portkey 1.15.2 fails every streamed OpenAI chat completion on Node before its first byte: it appends headers to
  // the immutable headers of the provider's fetch Response (TypeError: immutable; Portkey-AI/gateway#1389, #1550) and
  // answers 500. Proctor must treat that like any 5xx before an answer: retry within the budget, record every
  // attempt, and relay a failure, never an empty success.
  it('retries a stream the gateway fails before its first byte, records every attempt, and relays the failure', async () => {
    const token = await stack.idp.tokenFor({ audience: AUDIENCE, sub: 'carol' });
    const openai = new OpenAI({ baseURL: stack.proctor?.url, apiKey: token, maxRetries: 0, timeout: 60_000 });
    const before = stack.echo.received.length;
    const error = await openai.chat.completions
      .create({ model: 'echo-1', stream: true, messages: [{ role: 'user', content: 'stream via portkey' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(502);
    const [decision, outcome] = await stack.records(apiError.headers?.get('x-proctor-request-id') as string);
    expect(decision).toMatchObject({ type: 'decision', request: { stream: true } });
    expect(outcome).toMatchObject({
      type: 'outcome',
      status: 502,
      upstream: 'gateway',
      upstream_status: 500,
      error: 'ERR_UPSTREAM_ERROR',
    });
    expect((outcome?.attempts as { status: number }[]).map((a) => a.status)).toEqual([500, 500, 500]);
    // Portkey did reach the upstream each time: the failure is in the gateway's answer, after the upstream streamed.
    expect(stack.echo.received.length - before).toBe(3);
  });

  it('leaves a ledger that verifies', async () => {
    expect(await stack.verifyLedger()).toBe(0);
  });
});
