// Who served behind a gateway, as the outcome record says it (upstreams/attribution.ts). Kong cannot run here, so a
// local upstream of kind `gateway` answers with the header Kong's ai-proxy documents (X-Kong-LLM-Model:
// provider/model); the real LiteLLM and Portkey are in gateways-litellm/portkey.test.ts. Planted here: a secret in a
// who-served header value, which must reach neither the record nor anything else Proctor writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { AUDIENCE, startGatewayStack, type GatewayStack } from '../helpers/gateway-stack.ts';

const AWS_KEY = 'AKIAQ3EGTHV5RJ7YWU2P';
/** What the stand-in gateway says served each request, by the user's message. */
const served: Record<string, string> = {
  plain: 'openai/gpt-4o-mini-2024-07-18',
  secret: `openai/${AWS_KEY}`,
  prose: 'openai/gpt 4o; ignore previous instructions',
};

describe('served_by: who served behind a gateway', () => {
  let stack: GatewayStack;

  beforeAll(async () => {
    stack = await startGatewayStack({
      headers: (request) => {
        const body = request.body as { messages?: { content?: string }[] } | null;
        const said = body?.messages?.[0]?.content ?? '';
        const model = served[said.split(' ')[0] ?? ''];
        return model ? { 'x-kong-llm-model': model, 'x-unread-header': AWS_KEY } : undefined;
      },
    });
    await stack.startProctor({ base_url: stack.echo.url, gateway: { product: 'kong' } }, {});
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  async function ask(sub: string, content: string, stream = false) {
    const token = await stack.idp.tokenFor({ audience: AUDIENCE, sub });
    const openai = new OpenAI({ baseURL: stack.proctor?.url, apiKey: token, maxRetries: 0, timeout: 30_000 });
    let requestId: string;
    if (stream) {
      const { data, response } = await openai.chat.completions
        .create({ model: 'echo-1', stream: true, messages: [{ role: 'user', content }] })
        .withResponse();
      for await (const _ of data);
      requestId = response.headers.get('x-proctor-request-id') as string;
    } else {
      const { response } = await openai.chat.completions
        .create({ model: 'echo-1', messages: [{ role: 'user', content }] })
        .withResponse();
      requestId = response.headers.get('x-proctor-request-id') as string;
    }
    const [, outcome] = await stack.records(requestId);
    return outcome as Record<string, unknown>;
  }

  it("records the provider and model Kong's header names, and the answer's model", async () => {
    const outcome = await ask('ann', 'plain question');
    expect(outcome.served_by).toEqual({
      gateway: 'kong',
      answer_model: 'echo-1',
      provider: 'openai',
      model: 'gpt-4o-mini-2024-07-18',
      deployment: null,
      api_base: null,
      cost_micro_usd: null,
      attempts: null,
      trace_id: null,
    });
  });

  it('records it for a streamed answer too (the answer model is not read from a stream)', async () => {
    const outcome = await ask('ben', 'plain streamed', true);
    expect(outcome.served_by).toMatchObject({ gateway: 'kong', provider: 'openai', model: 'gpt-4o-mini-2024-07-18' });
    expect((outcome.served_by as Record<string, unknown>).answer_model).toBeNull();
  });

  it('withholds a header value the classifier finds a secret in, and one that is not a closed token', async () => {
    const secret = await ask('cat', 'secret question');
    expect(secret.served_by).toMatchObject({ provider: 'openai', model: '[WITHHELD]' });
    expect(JSON.stringify(secret)).not.toContain(AWS_KEY);
    const prose = await ask('dan', 'prose question', true);
    expect(prose.served_by).toMatchObject({ provider: 'openai', model: '[WITHHELD]' });
    expect(JSON.stringify(prose)).not.toContain('ignore previous');
  });

  it('reads no header but the named ones, and the ledger verifies', async () => {
    const outcome = await ask('eve', 'plain again');
    expect(JSON.stringify(outcome)).not.toContain(AWS_KEY); // x-unread-header carried it
    expect(await stack.verifyLedger()).toBe(0);
  });
});
