// Streamed Responses API answers: named events (`response.output_text.delta`, ..., `response.completed`). Channels:
// `output[o].content[c].text`, `output[o].content[c].refusal`, `output[o].arguments`. This API repeats the whole text
// in its `.done` events and in `response.completed`; those copies are replaced by the text the relay released (the
// redacted text), after checking they equal the deltas read (a copy that differs would be unscanned text, so it is a
// protocol error). Hence this session keeps each channel's text, raw and released: the one stream API that does. What
// it keeps is capped (KEPT_TEXT_CHARS): a longer answer could never be completed, so it ends as a protocol error.
// Items and content parts stream one at a time: a delta to a channel after another channel's text or its own `.done`
// is a protocol error (stream-channel-order.ts).
// Every other string and key of a relayed event (ids, names, instructions, tools, annotations, any extra field) is a
// field the relay screens whole before the event is written; error events are never relayed. The one exception is
// `obfuscation`, random padding OpenAI adds to each delta event (against packet-length side channels): dropped unread,
// as the chat adapter drops it (OBFUSCATION).
import { answerSegments, applyFieldTexts, stepsKey, type AnswerSegment } from './answer-json.ts';
import { checkClosedLabels } from './answer-labels.ts';
import { isPlainObject, typedStreamEvent, type Json } from './json-body.ts';
import { channelOrder } from './stream-channel-order.ts';
import { StreamProtocolError, type SseEvent, type StreamSession, type StreamStep, type StreamText } from './types.ts';

type Step = string | number;

interface ResponsesStep extends StreamStep {
  payload: Json;
  deltaPath: Step[] | null;
  copies: { path: Step[]; channel: string }[];
}

const DELTAS: Record<string, (o: number, c: number) => string> = {
  'response.output_text.delta': (o, c) => `output[${o}].content[${c}].text`,
  'response.refusal.delta': (o, c) => `output[${o}].content[${c}].refusal`,
  'response.function_call_arguments.delta': (o) => `output[${o}].arguments`,
};
/**
 * The padding field of delta events (`stream_options.include_obfuscation`, on by default): a new random string every
 * event. Relayed, each would be a field the screen classifies and the hold-back scanner reads as a run of its own
 * between two deltas, so a long answer of short deltas cost a classification per event and was refused past
 * MAX_HELD_RUNS held runs. It carries nothing the client needs: dropped from every event before it is read.
 */
const OBFUSCATION = 'obfuscation';
/**
 * The streamed text a session keeps, all channels together: the SSE decoder's cap on one event (SSE_MAX_EVENT_CHARS in
 * pipeline/stream-sse.ts), since `response.completed` repeats every channel's text and an event past that cap is
 * refused, so an answer with more text could never complete. Past it the stream ends (ERR_UPSTREAM_BAD_RESPONSE)
 * instead of growing for as long as the upstream sends deltas.
 */
export const KEPT_TEXT_CHARS = 1024 * 1024;
const FINAL = new Set(['response.completed', 'response.incomplete']);
const FAILED = new Set(['response.failed', 'error']);
const PLAIN = new Set([
  'response.created',
  'response.in_progress',
  'response.queued',
  'response.output_item.added',
  'response.output_item.done',
  'response.content_part.added',
  'response.content_part.done',
  'response.output_text.done',
  'response.refusal.done',
  'response.function_call_arguments.done',
]);

export function openResponsesStream(): StreamSession {
  const raw = new Map<string, string>();
  const released = new Map<string, string>();
  const itemIds = new Map<number, string>();
  let prompt: number | null = null;
  let completion: number | null = null;
  let cached: number | undefined;
  let sequence = 0;
  let kept = 0;
  const order = channelOrder();

  function copiesOf(p: Json): { path: Step[]; channel: string }[] {
    const type = p.type as string;
    const o = p.output_index as number;
    const c = p.content_index as number;
    const fromItem = (item: unknown, base: Step[], index: number) =>
      outputItemTexts(item, `output[${index}]`).map(({ path }) => ({
        path: [...base, ...relative(path, `output[${index}]`)],
        channel: path,
      }));
    try {
      switch (type) {
        case 'response.output_text.done':
          return [{ path: ['text'], channel: `output[${o}].content[${c}].text` }];
        case 'response.refusal.done':
          return [{ path: ['refusal'], channel: `output[${o}].content[${c}].refusal` }];
        case 'response.function_call_arguments.done':
          return [{ path: ['arguments'], channel: `output[${o}].arguments` }];
        case 'response.content_part.added':
        case 'response.content_part.done':
          return fromItem({ type: 'message', content: [p.part] }, ['part'], o).map((x) => ({
            path: ['part', x.path[x.path.length - 1] as Step],
            channel: x.channel.replace('content[0]', `content[${c}]`),
          }));
        case 'response.output_item.added':
        case 'response.output_item.done':
          return fromItem(p.item, ['item'], o);
        default: {
          const output = isPlainObject(p.response) && Array.isArray(p.response.output) ? p.response.output : [];
          return output.flatMap((item, i) => fromItem(item, ['response', 'output', i], i));
        }
      }
    } catch (error) {
      throw new StreamProtocolError(error instanceof Error ? error.message : 'unreadable output item');
    }
  }

  return {
    read(event: SseEvent): ResponsesStep {
      const payload = typedStreamEvent(event.data);
      delete payload[OBFUSCATION];
      const type = payload.type;
      checkClosedLabels(payload, 'openai');
      if (Number.isSafeInteger(payload.sequence_number))
        sequence = Math.max(sequence, payload.sequence_number as number);
      if (FAILED.has(type))
        return {
          texts: [],
          closes: 'all',
          final: false,
          upstreamError: true,
          payload,
          deltaPath: null,
          copies: [],
          fields: [],
        };
      const texts: StreamText[] = [];
      let deltaPath: Step[] | null = null;
      const channelOf = DELTAS[type];
      if (channelOf !== undefined) {
        if (typeof payload.delta !== 'string') throw new StreamProtocolError(`${type} has no string delta`);
        kept += payload.delta.length;
        if (kept > KEPT_TEXT_CHARS)
          throw new StreamProtocolError(
            `the streamed text passes ${KEPT_TEXT_CHARS} characters: it could not complete`,
          );
        const channel = channelOf(payload.output_index as number, payload.content_index as number);
        order.text(channel, payload.delta);
        raw.set(channel, (raw.get(channel) ?? '') + payload.delta);
        texts.push({ channel, text: payload.delta });
        deltaPath = ['delta'];
      } else if (!PLAIN.has(type) && !FINAL.has(type)) {
        throw new StreamProtocolError(`unknown stream event ${type}`);
      }
      const copies = copiesOf(payload);
      for (const copy of copies) {
        const text = getAt(payload, copy.path);
        if (text !== (raw.get(copy.channel) ?? ''))
          throw new StreamProtocolError(`${type} repeats text that differs from the streamed deltas`);
      }
      const final = FINAL.has(type);
      if (final && isPlainObject(payload.response) && isPlainObject(payload.response.usage)) {
        const u = payload.response.usage;
        if (Number.isSafeInteger(u.input_tokens)) prompt = u.input_tokens as number;
        if (Number.isSafeInteger(u.output_tokens)) completion = u.output_tokens as number;
        const details = u.input_tokens_details;
        if (
          isPlainObject(details) &&
          Number.isSafeInteger(details.cached_tokens) &&
          (details.cached_tokens as number) > 0
        )
          cached = details.cached_tokens as number;
      }
      const closes = final ? 'all' : type.endsWith('.done') ? copies.map((c) => c.channel) : [];
      if (closes !== 'all') for (const channel of closes) order.close(channel);
      const screened = new Set(
        [...(deltaPath === null ? [] : [deltaPath]), ...copies.map((c) => c.path)].map(stepsKey),
      );
      const fields: AnswerSegment[] = answerSegments(payload, screened);
      return { texts, closes, final, upstreamError: false, payload, deltaPath, copies, fields };
    },
    render(step, texts, fields) {
      const s = step as ResponsesStep;
      if (s.upstreamError) return null;
      // The payload was parsed from this event alone and is not read again: rewritten in place.
      const copy = s.payload;
      applyFieldTexts(copy, s.fields, fields);
      // Item ids as relayed (screened), for the text events the relay may add.
      const o = copy.output_index as number;
      if (typeof copy.item_id === 'string') itemIds.set(o, copy.item_id);
      if (isPlainObject(copy.item) && typeof copy.item.id === 'string') itemIds.set(o, copy.item.id);
      if (s.deltaPath !== null) {
        const channel = s.texts[0]?.channel as string;
        released.set(channel, (released.get(channel) ?? '') + (texts[0] as string));
        setAt(copy, s.deltaPath, texts[0] as string);
      }
      for (const c of s.copies) setAt(copy, c.path, released.get(c.channel) ?? '');
      return { event: copy.type as string, data: JSON.stringify(copy) };
    },
    textEvent(channel, text) {
      released.set(channel, (released.get(channel) ?? '') + text);
      const m = /^output\[(\d+)\]\.(?:content\[(\d+)\]\.(text|refusal)|(arguments))$/.exec(channel);
      if (m === null) throw new StreamProtocolError(`no such channel ${channel}`);
      const o = Number(m[1]);
      const type = m[4]
        ? 'response.function_call_arguments.delta'
        : m[3] === 'refusal'
          ? 'response.refusal.delta'
          : 'response.output_text.delta';
      const event = {
        type,
        item_id: itemIds.get(o) ?? '',
        output_index: o,
        ...(m[2] !== undefined ? { content_index: Number(m[2]) } : {}),
        delta: text,
        sequence_number: sequence,
      };
      return { event: type, data: JSON.stringify(event) };
    },
    usage: () => ({
      prompt_tokens: prompt,
      completion_tokens: completion,
      ...(cached === undefined ? {} : { cached_input_tokens: cached }),
    }),
  };
}

/** `output[0].content[1].text` relative to `output[0]`, as steps: ['content', 1, 'text']. */
function relative(path: string, base: string): Step[] {
  return path
    .slice(base.length)
    .split(/[.[\]]/)
    .filter((s) => s !== '')
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function getAt(root: Json, path: readonly Step[]): unknown {
  let node: unknown = root;
  for (const step of path) node = (node as Record<string | number, unknown> | undefined)?.[step];
  return node;
}

function setAt(root: Json, path: readonly Step[], value: string): void {
  let node: unknown = root;
  for (const step of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[step];
  (node as Record<string | number, unknown>)[path[path.length - 1] as Step] = value;
}

/** The texts of one output item, with paths under `at`. Throws on an item type whose text this module cannot read. */
function outputItemTexts(item: unknown, at: string): { path: string; text: string }[] {
  if (!isPlainObject(item)) throw new Error(`${at} is not an object`);
  const out: { path: string; text: string }[] = [];
  if (item.type === 'message') {
    const content = Array.isArray(item.content) ? item.content : [];
    content.forEach((part, j) => {
      if (!isPlainObject(part)) throw new Error(`${at}.content[${j}] is not an object`);
      if (part.type === 'output_text' && typeof part.text === 'string')
        out.push({ path: `${at}.content[${j}].text`, text: part.text });
      else if (part.type === 'refusal' && typeof part.refusal === 'string')
        out.push({ path: `${at}.content[${j}].refusal`, text: part.refusal });
      else throw new Error(`${at}.content[${j}] has a type the screen cannot read`);
    });
  } else if (item.type === 'function_call') {
    if (typeof item.arguments === 'string') out.push({ path: `${at}.arguments`, text: item.arguments });
  } else if (
    !(
      item.type === 'reasoning' &&
      (item.summary === undefined || (Array.isArray(item.summary) && item.summary.length === 0)) &&
      item.content === undefined
    )
  ) {
    throw new Error(`${at} is an output item the screen cannot read`);
  }
  return out;
}
