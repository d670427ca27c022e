// The relay judges the events of one upstream read together (one scanner push, one client write): however the
// upstream's bytes are cut into reads — an event a read, several, or an event split over reads — a key split between
// an answer's text and a tool call's arguments never reaches the client both halves, a secret planted in any event of
// a recorded stream never reaches it at all, and a clean answer arrives whole and in order.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifier } from './recording-pipeline.ts';
import { receivedPayloads } from './relay-harness.ts';
import { relayStream, type StreamSink } from '../../src/pipeline/stream-relay.ts';
import { createSseDecoder } from '../../src/pipeline/stream-sse.ts';
import { adapterFor, type Api } from '../../src/providers/index.ts';

const KEY = 'AKIAQ3EGTHV5RJ7YWU2P';
const BLOCK = { redact: ['EMAIL'], block: ['AWS_ACCESS_KEY'] };
const RUNS = Number(process.env.STREAM_READS_RUNS ?? 60);
const chatRequest = { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] };

/** `sse` cut into reads at the given byte points (sorted, deduplicated). */
function reads(sse: string, points: readonly number[]): Buffer[] {
  const bytes = Buffer.from(sse, 'utf8');
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((x, y) => x - y);
  return [0, ...at].map((p, i) => bytes.subarray(p, [...at, bytes.length][i])).filter((b) => b.length > 0);
}

async function relay(api: Api, request: Record<string, unknown>, sse: string, points: readonly number[]) {
  const adapter = adapterFor(api);
  const parsed = adapter.parse(Buffer.from(JSON.stringify(request)));
  let out = '';
  const sink: StreamSink = {
    open: () => {},
    write: async (t) => void (out += t),
    end: () => {},
    signal: new AbortController().signal,
  };
  async function* upstream() {
    yield* reads(sse, points);
  }
  const result = await relayStream({
    events: upstream(),
    session: (adapter.openStream as NonNullable<typeof adapter.openStream>)(parsed),
    sink,
    classifier,
    rules: BLOCK,
    estimatedPromptTokens: 1,
  });
  return { result, out: out + (result.finalEvent === null ? '' : JSON.stringify(result.finalEvent)) };
}

const chatEvent = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'g', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const argsEvent = (fields: Record<string, unknown>) => chatEvent({ tool_calls: [{ index: 0, ...fields }] });

/** `text` cut at the given points into pieces (no empty piece). */
function pieces(text: string, points: readonly number[]): string[] {
  const at = [...new Set(points.map((p) => p % (text.length + 1)))].sort((x, y) => x - y);
  return [0, ...at].map((p, i) => text.slice(p, [...at, text.length][i])).filter((piece) => piece !== '');
}

const cuts = fc.array(fc.nat(), { maxLength: 12 });

describe('property: the events of one read are judged together, however reads cut the stream', () => {
  it('chat: a key split between the text and the arguments never reaches the client both halves', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: KEY.length - 1 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        cuts,
        fc.boolean(),
        async (k, inText, inArgs, points, planted) => {
          const value = planted ? KEY : 'BKIAQ3EGTHV5RJ7YWU2P';
          const text = `the id is ${value.slice(0, k)}`;
          const argsText = `{"id":"${value.slice(k)}","n":1}`;
          const sse = [
            chatEvent({ role: 'assistant', content: '' }),
            ...pieces(text, inText).map((content) => chatEvent({ content })),
            argsEvent({ id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }),
            ...pieces(argsText, inArgs).map((a) => argsEvent({ function: { arguments: a } })),
            chatEvent({}, 'tool_calls'),
            'data: [DONE]\n\n',
          ].join('');
          const { result, out } = await relay('openai.chat_completions', chatRequest, sse, points);
          if (planted) {
            expect(result.error).toBe('ERR_RESPONSE_BLOCKED');
            expect(out.includes(KEY.slice(0, k)) && out.includes(KEY.slice(k))).toBe(false);
            return;
          }
          expect(result.error).toBeNull();
          const deltas = receivedPayloads(out).map(
            (p) => (p.choices as { delta: Record<string, unknown> }[])[0]?.delta,
          );
          const content = deltas.map((d) => (typeof d?.content === 'string' ? d.content : '')).join('');
          const received = deltas
            .flatMap((d) => (d?.tool_calls as { function?: { arguments?: string } }[] | undefined) ?? [])
            .map((c) => c.function?.arguments ?? '')
            .join('');
          expect([content, received]).toEqual([text, argsText]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  const recorded: [Api, string][] = [
    ['openai.chat_completions', 'streaming.sse'],
    ['openai.chat_completions', 'tool-calls.sse'],
    ['anthropic.messages', 'streaming.sse'],
    ['anthropic.messages', 'tool-calls.sse'],
    ['openai.responses', 'streaming.sse'],
    ['openai.completions', 'streaming.sse'],
  ];
  it.each(recorded)('%s %s: a secret in any string of any event never reaches the client', async (api, name) => {
    const dir = new URL(`../fixtures/providers/${api}/`, import.meta.url);
    const manifest = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8')) as {
      request: Record<string, unknown>;
    };
    const request = { ...manifest.request, stream: true };
    const events = createSseDecoder().push(Buffer.from(readFileSync(new URL(name, dir), 'utf8'), 'utf8'));
    const encode = (list: readonly { event: string | null; data: string }[]) =>
      list.map((e) => `${e.event === null ? '' : `event: ${e.event}\n`}data: ${e.data}\n\n`).join('');
    expect((await relay(api, request, encode(events), [])).result.error).toBeNull();
    // A string value of an event, found by its JSON text: the secret goes into it, cut anywhere into two halves too.
    const strings = events.flatMap((e, i) =>
      [...e.data.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => ({ i, at: (m.index ?? 0) + 1 + (m[1]?.length ?? 0) })),
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(), cuts, async (which, points) => {
        const slot = strings[which % strings.length] as (typeof strings)[number];
        const list = events.map((e, i) =>
          i === slot.i ? { event: e.event, data: `${e.data.slice(0, slot.at)} ${KEY} ${e.data.slice(slot.at)}` } : e,
        );
        const { result, out } = await relay(api, request, encode(list), points);
        expect(out).not.toContain(KEY);
        expect([null, 'ERR_RESPONSE_BLOCKED', 'ERR_UPSTREAM_BAD_RESPONSE']).toContain(result.error);
      }),
      { numRuns: RUNS },
    );
  });
});
