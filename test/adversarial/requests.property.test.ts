// Closed world, requests: for every API, any body its adapter accepts (generated from the adapter's own request shape)
// with a value planted at a random string position or object key goes through the real pipeline stages (the real
// classifier, the real default policy bundle) and either is refused or reaches the upstream without the value.
// The ledger is a fake (no I/O here); the upstream is a recording forwarder (recording-pipeline.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordingPipeline, sink } from './recording-pipeline.ts';
import { allAdapters, type Api } from '../../src/providers/index.ts';
import { arbitraryOf, plantArbitrary, plantSecret } from '../helpers/shape-arbitrary.ts';

/** Denied by the default policy (secrets, national ids) or redacted for an upstream without zero data retention. */
const SECRETS = ['AKIAQ3EGTHV5RJ7YWU2P', '219-09-9999', 'jdoe.private@corp-mail.net'] as const;

describe.each(allAdapters().map((a) => [a.api, a] as const))('closed world for %s requests', (api: Api, adapter) => {
  const bodies = arbitraryOf(adapter.requestShape).map((b) => ({ ...(b as Record<string, unknown>), model: 'echo-1' }));

  it('forwards generated bodies (the generator reaches the upstream, so the property below is not vacuous)', async () => {
    const { handler, sent } = await recordingPipeline();
    const samples = fc.sample(bodies, { numRuns: 150, seed: 7 });
    for (const body of samples) {
      await handler.handle({
        requestId: 'r',
        api,
        headers: {},
        body: new TextEncoder().encode(JSON.stringify(body)),
        sink: sink(),
      });
    }
    expect(sent.length).toBeGreaterThan(samples.length * 0.8);
  });

  it('never forwards or records a planted value: refused, or absent from every byte sent upstream; never in a record', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, plantArbitrary, fc.constantFrom(...SECRETS), async (body, plant, secret) => {
        const { handler, sent, records } = await recordingPipeline();
        const planted = plantSecret(body, secret, plant);
        const reply = await handler.handle({
          requestId: 'r',
          api,
          headers: {},
          body: new TextEncoder().encode(JSON.stringify(planted)),
          sink: sink(),
        });
        for (const bytes of sent) expect(bytes).not.toContain(secret);
        // No raw value in a record either: not in a finding's path, a tool name, the model or a reason.
        for (const record of records) expect(record).not.toContain(secret);
        if (sent.length === 0) expect(reply.status).toBeGreaterThanOrEqual(400);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the model name', () => {
  it('is text: one that holds a finding is refused and kept out of the record', async () => {
    const { handler, sent, records } = await recordingPipeline();
    const body = { model: 'jdoe.private@corp-mail.net', messages: [{ role: 'user', content: 'hi' }] };
    const reply = await handler.handle({
      requestId: 'r',
      api: 'openai.chat_completions',
      headers: {},
      body: new TextEncoder().encode(JSON.stringify(body)),
    });
    expect(reply.status).toBe(400);
    expect(sent).toEqual([]);
    expect(records.length).toBe(1);
    expect(records.join('')).not.toContain('corp-mail');
  });
});
