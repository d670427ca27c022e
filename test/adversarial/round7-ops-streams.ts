// Long streamed answers through the real relay (stream-relay.ts, the adapter's stream session, the real classifier),
// fed one upstream event per read (a hostile upstream paces its writes), for round7-ops.test.ts: how much more memory
// the process holds after the second half of the events than after the first (`longStream`), and how much text the
// classifier was given for what the upstream sent (`classifiedPerEvent`), so cost is asserted on work, never on time.
// The upstream never sends its final event: a hostile upstream need not.
import type { Classifier, ClassifyOptions, TextSegment } from '../../src/classification/index.ts';
import { relayStream, type RelayResult, type StreamSink } from '../../src/pipeline/stream-relay.ts';
import { adapterFor } from '../../src/providers/index.ts';
import { classifier } from './recording-pipeline.ts';
import { heldBytes } from './round7-ops-sockets.ts';

export type LongStreamApi = 'openai.chat_completions' | 'openai.responses';

/** A chat completion chunk with one choice's delta. */
export function chatChunk(delta: Record<string, unknown>): string {
  const data = { id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [] as unknown[] };
  data.choices.push({ index: 0, delta, logprobs: null, finish_reason: null });
  return `data: ${JSON.stringify(data)}\n\n`;
}

function named(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/** Events from the first to the first text delta, then one text delta, as SSE text. */
const SHAPES: Record<LongStreamApi, { opening: string[]; delta: (text: string) => string }> = {
  'openai.chat_completions': {
    opening: [chatChunk({ role: 'assistant', content: '' })],
    delta: (text) => chatChunk({ content: text }),
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

interface Relayed {
  api: LongStreamApi;
  opening: readonly string[];
  /** The k-th event after the opening. */
  event: (k: number) => string | Buffer;
  count: number;
  /** Called before the k-th event is read (the relay has read every event before it). */
  before?: (k: number) => Promise<void>;
  classifier?: Classifier;
}

async function relay(o: Relayed): Promise<RelayResult> {
  const adapter = adapterFor(o.api);
  const request = o.api === 'openai.responses' ? { input: 'hi' } : { messages: [{ role: 'user', content: 'hi' }] };
  const parsed = adapter.parse(Buffer.from(JSON.stringify({ model: 'm', stream: true, ...request })));
  const session = (adapter.openStream as NonNullable<typeof adapter.openStream>)(parsed);
  async function* upstream() {
    for (const e of o.opening) yield Buffer.from(e);
    for (let k = 0; k <= o.count; k++) {
      await o.before?.(k);
      if (k < o.count) yield Buffer.from(o.event(k));
    }
  }
  const sink: StreamSink = {
    open: () => {},
    write: async () => {},
    end: () => {},
    signal: new AbortController().signal,
  };
  return relayStream({
    events: upstream(),
    session,
    sink,
    classifier: o.classifier ?? classifier,
    rules: { redact: [], block: [] },
    estimatedPromptTokens: 1,
  });
}

/** Relays `deltas` events of `text` each; `grown` is what the process held more after them than after half of them. */
export async function longStream(
  api: LongStreamApi,
  text: string,
  deltas: number,
): Promise<{ grown: number; result: RelayResult }> {
  const shape = SHAPES[api];
  const event = Buffer.from(shape.delta(text));
  let before = 0;
  let after = 0;
  const measure = async (k: number) => {
    if (k === deltas / 2) before = await heldBytes();
    if (k === deltas) after = await heldBytes();
  };
  const result = await relay({ api, opening: shape.opening, event: () => event, count: deltas, before: measure });
  return { grown: after - before, result };
}

/** Characters the classifier was given for each character of the events' texts (`texts`: what the events carry). */
export async function classifiedPerCharacter(
  opening: readonly string[],
  event: (k: number) => string,
  count: number,
  texts: number,
): Promise<number> {
  let classified = 0;
  const counting = {
    recognizers: classifier.recognizers,
    classify(segments: readonly TextSegment[], options?: ClassifyOptions) {
      for (const s of segments) classified += s.text.length;
      return classifier.classify(segments, options);
    },
  } as Classifier;
  await relay({ api: 'openai.chat_completions', opening, event, count, classifier: counting });
  return classified / texts;
}
