// Large bodies, as an attacker sends them through the real stack: past the 64 KiB threshold a body is written to the
// intake thread's channel chunk by chunk as it arrives and parsed there once whole (src/http/body.ts), so a value
// must be found wherever the socket's chunks happen to cut it, at the very end of a megabyte as in its middle, in
// every API; a large prompt that is allowed must reach the upstream exactly as sent, with placeholders only where
// the policy redacts. Nothing the policy denies reaches the upstream, every request is recorded, the chain verifies.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AWS_KEY, EMAIL, SSN } from './leaks.ts';
import { promptBody } from './request-bodies.ts';
import { RETAINING, startAdversarialStack, type AdversarialStack, type ApiName } from './stack.ts';

vi.setConfig({ maxConcurrency: 8 });

let stack: AdversarialStack;
beforeAll(async () => {
  stack = await startAdversarialStack('large');
});
afterAll(async () => {
  await stack?.close();
});

/** Plain prose, `bytes` long, with no value any recognizer takes. */
function filler(bytes: number): string {
  return 'The quarterly review covers staffing, travel and the new office lease. '
    .repeat(bytes / 70 + 1)
    .slice(0, bytes);
}

const APIS: readonly ApiName[] = ['chat', 'completions', 'embeddings', 'responses', 'messages'];

describe.concurrent('a value in a large body is found wherever the socket cuts it', () => {
  for (const api of APIS) {
    for (const [where, text] of [
      ['at the end of 1 MiB', `${filler(2 ** 20)} ssn ${SSN.value}`],
      ['across the 64 KiB mark', `${filler(65_530)}${AWS_KEY.value} ${filler(200_000)}`],
      ['across the 128 KiB mark', `${filler(131_062)} ${SSN.value} ${filler(100_000)}`],
    ] as const) {
      it(`${api}: ${where}`, async () => {
        const x = await stack.send(api, promptBody(api, text));
        expect({ status: x.status, forwarded: x.upstream.length }).toEqual({ status: 403, forwarded: 0 });
        expect(x.body).toContain('ERR_POLICY_DENIED');
      });
    }
  }
});

describe('a large prompt the policy allows', () => {
  it('reaches the upstream exactly as sent, an address replaced by its placeholder', async () => {
    const text = `${filler(150_000)} mail ${EMAIL.value} ${filler(150_000)}`;
    const x = await stack.send('chat', { ...promptBody('chat', text), model: RETAINING.model }, RETAINING);
    expect(x.status).toBe(200);
    const sent = JSON.parse(x.upstream[0]?.body.toString('utf8') ?? '{}') as { messages?: { content: string }[] };
    expect(sent.messages?.[0]?.content).toBe(text.replace(EMAIL.value, '[EMAIL_1]'));
  });

  it('is refused with 413 past the body cap, recorded, nothing forwarded', async () => {
    const x = await stack.send('chat', promptBody('chat', filler(4 * 2 ** 20 + 10)));
    expect({ status: x.status, forwarded: x.upstream.length }).toEqual({ status: 413, forwarded: 0 });
    expect(await stack.records()).toContain(x.requestId);
  });
});

describe('afterwards', () => {
  it('holds no planted value in any record, and the chain verifies with the public key', async () => {
    const records = await stack.records();
    for (const value of [SSN.value, AWS_KEY.value, EMAIL.value]) expect(records).not.toContain(value);
    expect(await stack.verify()).toEqual({ code: 0, ok: true });
  });
});
