// The end of a stream and its outcome record: the final event is written only after the outcome committed; when
// the ledger refuses the outcome, the client gets an error event instead of the final event (the bytes already
// sent cannot be recalled, but the stream never looks complete). Upstream errors before the first byte are plain
// replies in the client's shape.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import type { UpstreamStream } from '../../../src/forwarding/index.ts';
import { adapterFor } from '../../../src/providers/index.ts';
import type { Decision } from '../../../src/policy/index.ts';
import { completeStream } from '../../../src/pipeline/stream-complete.ts';
import type { OutcomeBody } from '../../../src/pipeline/records.ts';
import type { PipelineDeps } from '../../../src/pipeline/types.ts';
import { registryOf, upstreamSettings } from '../../helpers/upstreams.ts';
import { createLogSink } from '../../helpers/log-sink.ts';

const adapter = adapterFor('openai.chat_completions');
const request = adapter.parse(
  Buffer.from(JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] })),
);
const upstream = upstreamSettings({ name: 'up' });
const chunk = (content: string) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
const decision = {
  allow: true,
  reasons: [],
  obligations: { upstreams: ['up'], max_tokens: null, redact: [], response: { redact: [], block: [] } },
} as unknown as Decision;

function setup(answer: () => UpstreamStream, appendOk: boolean) {
  const log: string[] = [];
  const deps = {
    classifier: createClassifier({ fingerprintKey: new Uint8Array(32).fill(1) }),
    forwarder: {
      forward: async () => {
        throw new Error('not used');
      },
      openStream: async () => answer(),
      close: async () => {},
    },
    upstreams: registryOf([upstream]),
    clock: { now: () => new Date(0) },
    log: createLogSink().log,
  } as unknown as PipelineDeps;
  const sink = {
    open: (status: number) => log.push(`open ${status}`),
    write: async (text: string) => void log.push(text),
    end: () => log.push('end'),
    signal: new AbortController().signal,
  };
  let outcome: OutcomeBody | null = null;
  const run = () =>
    completeStream(deps, {
      incoming: { requestId: 'r1', api: 'openai.chat_completions', headers: {}, body: new Uint8Array(), sink },
      adapter,
      request,
      decision,
      candidates: [upstream],
      body: adapter.upstreamBody(request, null),
      decisionHash: 'a'.repeat(64),
      principal: { iss: 'i', sub: 's', client_id: null, groups: [], tenant: null } as never,
      headers: { 'x-proctor-request-id': 'r1' },
      started: new Date(0),
      appendOutcome: async (o) => {
        log.push('outcome');
        outcome = o;
        return appendOk;
      },
    });
  return { log, run, outcome: () => outcome };
}

function sse(text: string): UpstreamStream {
  return {
    status: 200,
    contentType: 'text/event-stream',
    retryAfter: null,
    body: null,
    events: (async function* () {
      yield Buffer.from(text);
    })(),
    abort: () => {},
  };
}

describe('completeStream', () => {
  it('writes the final event only after the outcome record committed', async () => {
    const { log, run, outcome } = setup(() => sse(`${chunk('hello')}data: [DONE]\n\n`), true);
    const { reply } = await run();
    expect(reply.streamed).toBe(true);
    expect(log.indexOf('outcome')).toBeLessThan(log.indexOf('data: [DONE]\n\n'));
    expect(log.at(-1)).toBe('end');
    expect(outcome()).toMatchObject({ status: 200, error: null, upstream: 'up' });
  });

  it('ends with an error event instead of the final event when the outcome cannot be recorded', async () => {
    const { log, run } = setup(() => sse(`${chunk('hello')}data: [DONE]\n\n`), false);
    const { outcome } = await run();
    expect(outcome).toBeNull();
    expect(log.join('')).not.toContain('[DONE]');
    expect(JSON.parse((log.at(-2) as string).slice('data: '.length))).toMatchObject({
      error: { code: 'ERR_AUDIT_UNAVAILABLE' },
    });
  });

  it("answers an upstream error before the first byte as a plain reply in the client's shape", async () => {
    const { log, run, outcome } = setup(
      () => ({
        status: 429,
        contentType: 'application/json',
        retryAfter: null,
        body: { error: { message: 'slow down' } },
        events: null,
        abort: () => {},
      }),
      true,
    );
    const { reply } = await run();
    expect(reply).toMatchObject({
      status: 429,
      body: { error: { code: 'ERR_UPSTREAM_ERROR', message: 'slow down', upstream_status: 429 } },
    });
    expect(log).toEqual(['outcome']);
    expect(outcome()).toMatchObject({ error: 'ERR_UPSTREAM_ERROR', upstream_status: 429 });
  });
});
