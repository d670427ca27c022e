import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { adapterFor } from '../../../src/providers/index.ts';
import { relayStream, type StreamSink } from '../../../src/pipeline/stream-relay.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(3) });
const adapter = adapterFor('openai.chat_completions');
const request = adapter.parse(
  Buffer.from(JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] })),
);
const session = () => (adapter.openStream as NonNullable<typeof adapter.openStream>)(request);
const chunk = (content: string) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
const rules = { redact: [] as string[], block: [] as string[] };

function sink(
  write: (text: string) => Promise<void> = async () => {},
  controller = new AbortController(),
): StreamSink & { writes: string[] } {
  const writes: string[] = [];
  return {
    open: () => {},
    write: async (t) => {
      writes.push(t);
      await write(t);
    },
    end: () => {},
    signal: controller.signal,
    writes,
  };
}

describe('relayStream', () => {
  it('reads nothing more from the upstream while the client has not taken the last write (back-pressure)', async () => {
    let pulled = 0;
    async function* upstream() {
      for (let i = 0; i < 200; i += 1) {
        pulled += 1;
        yield Buffer.from(chunk('x'.repeat(40)));
      }
      yield Buffer.from('data: [DONE]\n\n');
    }
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let written: () => void = () => {};
    const firstWrite = new Promise<void>((resolve) => (written = resolve));
    const s = sink(() => {
      written();
      return gate;
    });
    const done = relayStream({
      events: upstream(),
      session: session(),
      sink: s,
      classifier,
      rules,
      estimatedPromptTokens: 5,
    });
    await firstWrite;
    // The relay and the upstream run on promises only: after a few event-loop turns it has pulled all it ever would.
    for (let i = 0; i < 3; i += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(s.writes).toHaveLength(1);
    expect(pulled).toBeLessThan(12); // the hold-back window (256 chars) plus the event being written, not the stream
    release();
    const result = await done;
    expect(result.error).toBeNull();
    expect(pulled).toBe(200);
  });

  it('stops at a client disconnect with estimated usage from the text received', async () => {
    const controller = new AbortController();
    async function* upstream() {
      for (let i = 0; i < 50; i += 1) {
        if (i === 20) controller.abort();
        yield Buffer.from(chunk('y'.repeat(30)));
      }
      yield Buffer.from('data: [DONE]\n\n');
    }
    const result = await relayStream({
      events: upstream(),
      session: session(),
      sink: sink(async () => {}, controller),
      classifier,
      rules,
      estimatedPromptTokens: 5,
    });
    expect(result.error).toBe('ERR_CLIENT_DISCONNECTED');
    expect(result.finalEvent).toBeNull();
    expect(result.usage).toMatchObject({ prompt_tokens: 5, estimated: true });
    expect(result.usage.completion_tokens).toBeGreaterThanOrEqual(Math.ceil((20 * 30) / 3));
  });

  it('ends at an upstream error event, relaying nothing of it', async () => {
    async function* upstream() {
      yield Buffer.from(chunk('partial answer'));
      yield Buffer.from(`data: ${JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } })}\n\n`);
    }
    const s = sink();
    const result = await relayStream({
      events: upstream(),
      session: session(),
      sink: s,
      classifier,
      rules,
      estimatedPromptTokens: 5,
    });
    expect(result.error).toBe('ERR_UPSTREAM_ERROR');
    expect(s.writes.join('')).not.toContain('overloaded');
  });

  it('refuses a delta field it does not know instead of relaying it unscanned', async () => {
    async function* upstream() {
      yield Buffer.from(
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { reasoning_content: 'secret thoughts' }, finish_reason: null }] })}\n\n`,
      );
    }
    const s = sink();
    const result = await relayStream({
      events: upstream(),
      session: session(),
      sink: s,
      classifier,
      rules,
      estimatedPromptTokens: 5,
    });
    expect(result.error).toBe('ERR_UPSTREAM_BAD_RESPONSE');
    expect(s.writes.join('')).not.toContain('secret thoughts');
  });

  it('holds a value split across events until it can be judged, then redacts it whole', async () => {
    async function* upstream() {
      for (const piece of ['write to ali', 'ce.smith@acme', 'corp.io soon']) yield Buffer.from(chunk(piece));
      yield Buffer.from(
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`,
      );
    }
    const s = sink();
    const result = await relayStream({
      events: upstream(),
      session: session(),
      sink: s,
      classifier,
      rules: { redact: ['EMAIL'], block: [] },
      estimatedPromptTokens: 5,
    });
    expect(result).toMatchObject({ error: null, action: 'redacted', classification: { types: { EMAIL: 1 } } });
    expect(contentOf(s.writes)).toBe('write to [EMAIL_1] soon');
  });

  it('judges the events of one upstream read together and writes them as one, a value split between them included', async () => {
    const final = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`;
    async function* upstream() {
      yield Buffer.from(['write to ali', 'ce.smith@acme', 'corp.io soon, '].map(chunk).join(''));
      yield Buffer.from(['and then', ' more text '].map(chunk).join(''));
      yield Buffer.from(`${final}data: [DONE]\n\n`);
    }
    const s = sink();
    const result = await relayStream({
      events: upstream(),
      session: session(),
      sink: s,
      classifier,
      rules: { redact: ['EMAIL'], block: [] },
      estimatedPromptTokens: 5,
    });
    expect(result).toMatchObject({ error: null, action: 'redacted', classification: { types: { EMAIL: 1 } } });
    // One write a read (the last one's: the held tail, released at the end), not one an event.
    expect(s.writes).toHaveLength(3);
    expect(contentOf(s.writes)).toBe('write to [EMAIL_1] soon, and then more text ');
    expect(s.writes.join('')).not.toContain('ali');
  });
});

/** The answer text of the written events (a write may carry several). */
function contentOf(writes: readonly string[]): string {
  return writes
    .join('')
    .split('\n\n')
    .filter((e) => e.startsWith('data: {'))
    .map(
      (e) =>
        (JSON.parse(e.slice('data: '.length)) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta
          .content ?? '',
    )
    .join('');
}

describe('relayStream without response obligations', () => {
  it('holds nothing back, and still counts what the answer contained', async () => {
    async function* upstream() {
      yield Buffer.from(chunk('mail alice.smith@acmecorp.io'));
      yield Buffer.from('data: [DONE]\n\n');
    }
    const s = sink();
    const result = await relayStream({
      events: upstream(),
      session: session(),
      sink: s,
      classifier,
      rules,
      estimatedPromptTokens: 5,
    });
    expect(s.writes[0]).toContain('mail alice.smith@acmecorp.io');
    expect(result).toMatchObject({ error: null, action: 'none', classification: { types: { EMAIL: 1 } } });
  });
});
