// A long streamed answer through the real relay (stream-relay.ts, the adapter's stream session, the real classifier),
// fed one upstream event at a time, for round7-ops.test.ts: how much more memory the process holds after `deltas`
// text events than after the first few, measured between two events (the relay has read every event before). The
// upstream never sends its final event: a hostile upstream need not.
import { relayStream, type RelayResult, type StreamSink } from '../../src/pipeline/stream-relay.ts';
import { adapterFor } from '../../src/providers/index.ts';
import { classifier } from './recording-pipeline.ts';
import { heldBytes } from './round7-ops-sockets.ts';

export type LongStreamApi = 'openai.chat_completions' | 'openai.responses';

/** Events from the first to the first text delta, then one text delta, as SSE bytes. */
const SHAPES: Record<LongStreamApi, { opening: string[]; delta: (text: string) => string }> = {
  'openai.chat_completions': {
    opening: [chunk({ role: 'assistant', content: '' })],
    delta: (text) => chunk({ content: text }),
  },
  'openai.responses': {
    opening: [
      named('response.created', {
        response: { id: 'resp_1', object: 'response', created_at: 0, status: 'in_progress', model: 'm', output: [] },
      }),
      named('response.output_item.added', {
        output_index: 0,
        item: { type: 'message', id: 'msg_1', status: 'in_progress', role: 'assistant', content: [] },
      }),
      named('response.content_part.added', {
        output_index: 0,
        content_index: 0,
        item_id: 'msg_1',
        part: { type: 'output_text', text: '', annotations: [] },
      }),
    ],
    delta: (text) =>
      named('response.output_text.delta', { output_index: 0, content_index: 0, item_id: 'msg_1', delta: text }),
  },
};

function chunk(delta: Record<string, unknown>): string {
  const data = { id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [] as unknown[] };
  data.choices.push({ index: 0, delta, logprobs: null, finish_reason: null });
  return `data: ${JSON.stringify(data)}\n\n`;
}

function named(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/** Relays `deltas` events of `text` each; `grown` is what the process held more after them than after half of them. */
export async function longStream(
  api: LongStreamApi,
  text: string,
  deltas: number,
): Promise<{ grown: number; result: RelayResult }> {
  const adapter = adapterFor(api);
  const parsed = adapter.parse(Buffer.from(JSON.stringify({ model: 'm', stream: true, ...requestOf(api) })));
  const session = (adapter.openStream as NonNullable<typeof adapter.openStream>)(parsed);
  const shape = SHAPES[api];
  const event = Buffer.from(shape.delta(text));
  let before = 0;
  let after = 0;
  async function* upstream() {
    for (const e of shape.opening) yield Buffer.from(e);
    for (let k = 0; k < deltas; k++) {
      if (k === deltas / 2) before = await heldBytes();
      yield event;
    }
    after = await heldBytes();
  }
  const sink: StreamSink = {
    open: () => {},
    write: async () => {},
    end: () => {},
    signal: new AbortController().signal,
  };
  const result = await relayStream({
    events: upstream(),
    session,
    sink,
    classifier,
    rules: { redact: [], block: [] },
    estimatedPromptTokens: 1,
  });
  return { grown: after - before, result };
}

function requestOf(api: LongStreamApi): Record<string, unknown> {
  return api === 'openai.responses' ? { input: 'hi' } : { messages: [{ role: 'user', content: 'hi' }] };
}
