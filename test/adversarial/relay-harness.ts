// Relays a scripted upstream stream through the real relay (stream-relay.ts) with an adapter's session and the real
// classifier, and returns what the client received (the held-back final event included): the attacker's view of a
// stream without a server, for cases where the split between events is the attack.
import { classifier } from './recording-pipeline.ts';
import { relayStream, type RelayOptions, type StreamSink } from '../../src/pipeline/stream-relay.ts';
import { adapterFor, type Api } from '../../src/providers/index.ts';

export type StreamApi = Exclude<Api, 'openai.embeddings'>;

/** One upstream event: its `event:` name, and its data (JSON-encoded unless a string). */
export interface ScriptedEvent {
  event?: string;
  data: unknown;
}

export async function relayScripted(
  api: StreamApi,
  request: Record<string, unknown>,
  events: readonly ScriptedEvent[],
  rules: { redact: readonly string[]; block: readonly string[] },
  classifiers: Partial<Pick<RelayOptions, 'classifier' | 'fieldClassifier'>> = {},
) {
  const adapter = adapterFor(api);
  const parsed = adapter.parse(Buffer.from(JSON.stringify(request)));
  const sse = events
    .map((e) => {
      const data = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
      return `${e.event ? `event: ${e.event}\n` : ''}data: ${data}\n\n`;
    })
    .join('');
  async function* upstream() {
    yield Buffer.from(sse, 'utf8');
  }
  let out = '';
  const sink: StreamSink = {
    open: () => {},
    write: async (t) => void (out += t),
    end: () => {},
    signal: new AbortController().signal,
  };
  const session = (adapter.openStream as NonNullable<typeof adapter.openStream>)(parsed);
  const result = await relayStream({
    events: upstream(),
    session,
    sink,
    classifier,
    ...classifiers,
    rules,
    estimatedPromptTokens: 1,
  });
  return { result, out: out + (result.finalEvent === null ? '' : JSON.stringify(result.finalEvent)) };
}

/** The SSE data payloads a client received, parsed (the `[DONE]` marker left out). */
export function receivedPayloads(out: string): Record<string, unknown>[] {
  return out
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]')
    .map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>);
}
