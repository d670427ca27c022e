// Logs and metrics through the real server: after an allowed request, a stream, a policy denial and an unauthenticated
// one, the metrics listener exposes requests by API, decision, code and upstream, every stage's latency, the ledger's
// batches and head, and findings by type, with no label holding a subject, a token or prompt text; the access log has
// one line per request carrying its request id and the token's fingerprint, and no line holds the token or the prompt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { type MetricsProctor, startMetricsProctor } from '../helpers/metrics-proctor.ts';

const SUBJECT = 'alice-subject-7f3a';
const PROMPT = 'tell me about the weather in Zanzibar';
let stack: MetricsProctor;

beforeAll(async () => {
  stack = await startMetricsProctor({ chain: 'metrics-1', sub: SUBJECT });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

function chat(content: string, stream: boolean, authorization: string | null = `Bearer ${stack.token}`) {
  return fetch(`${stack.proctor.url}/chat/completions`, {
    method: 'POST',
    headers: { ...(authorization ? { authorization } : {}), 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'echo-1', messages: [{ role: 'user', content }], stream }),
  });
}

describe('logs and metrics', () => {
  it('exposes bounded series and writes one access line per request without credentials or content', async () => {
    const allowed = await chat(PROMPT, false);
    expect(allowed.status).toBe(200);
    await allowed.text();
    const streamed = await chat(PROMPT, true);
    expect(streamed.status).toBe(200);
    expect(await streamed.text()).toContain('[DONE]');
    const denied = await chat('my ssn is 219-09-9999', false);
    expect(denied.status).toBe(403);
    await denied.text();
    const anonymous = await chat(PROMPT, false, null);
    expect(anonymous.status).toBe(401);
    await anonymous.text();

    expect(stack.proctor.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const scrape = await fetch(stack.proctor.metricsUrl as string);
    expect(scrape.status).toBe(200);
    const text = await scrape.text();
    expect(text).toMatch(
      /proctor_requests_total\{api="openai.chat_completions",decision="allow",code="none",upstream="echo"\} 2/,
    );
    expect(text).toMatch(
      /proctor_requests_total\{api="openai.chat_completions",decision="deny",code="ERR_POLICY_DENIED",upstream="none"\} 1/,
    );
    expect(text).toMatch(
      /proctor_requests_total\{api="openai.chat_completions",decision="deny",code="ERR_TOKEN_MISSING",upstream="none"\} 1/,
    );
    for (const stage of [
      'identify',
      'classify',
      'decide',
      'reserve',
      'record',
      'forward',
      'screen',
      'outcome',
      'first_byte',
      'total',
    ]) {
      expect(text).toMatch(new RegExp(`proctor_stage_duration_seconds_count\\{stage="${stage}"\\} [1-9]`));
    }
    expect(text).toMatch(/proctor_stream_ttft_seconds_count\{api="openai.chat_completions"\} 1/);
    expect(text).toMatch(/proctor_findings_total\{type="[A-Z_]*SSN[A-Z_]*",where="request"\} 1/);
    expect(text).toMatch(/proctor_ledger_records_total [1-9]/);
    expect(text).toMatch(/proctor_ledger_batch_records_count [1-9]/);
    expect(text).toMatch(/proctor_ledger_chain_head [1-9]/);
    expect(text).toMatch(/proctor_ledger_commit_wait_seconds_count\{type="decision",result="committed"\} [1-9]/);
    expect(text).toMatch(/proctor_reservations_total\{result="held"\} 2/);
    expect(text).toMatch(/proctor_policy_activations_total 1/);
    const fingerprint = createHash('sha256').update(stack.token).digest('hex');
    const labels = text
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .map((l) => l.split(' ')[0])
      .join('\n');
    for (const secret of [SUBJECT, fingerprint, stack.token, 'Zanzibar', '219-09-9999'])
      expect(labels).not.toContain(secret);

    const requestLines = stack.lines.filter((l) => l.message === 'request');
    expect(requestLines).toHaveLength(4);
    const allowedLine = requestLines.find((l) => l.request_id === allowed.headers.get('x-proctor-request-id'));
    expect(allowedLine).toMatchObject({
      principal: fingerprint,
      api: 'openai.chat_completions',
      model: 'echo-1',
      decision: 'allow',
      code: null,
      status: 200,
      upstream: 'echo',
      attempts: 1,
    });
    const deniedLine = requestLines.find((l) => l.request_id === denied.headers.get('x-proctor-request-id'));
    expect(deniedLine).toMatchObject({ decision: 'deny', code: 'ERR_POLICY_DENIED', stage: 'decide', status: 403 });
    const streamLine = requestLines.find((l) => l.request_id === streamed.headers.get('x-proctor-request-id'));
    expect(streamLine).toMatchObject({ stream: true, status: 200, code: null, first_byte_ms: expect.any(Number) });
    const all = JSON.stringify(stack.lines);
    for (const secret of [stack.token, 'Bearer', 'Zanzibar', '219-09-9999', SUBJECT]) expect(all).not.toContain(secret);
  });
});
