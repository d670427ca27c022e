// Streamed Anthropic messages: named events message_start, content_block_start/delta/stop, message_delta,
// message_stop (final), ping, error. Channels: `content[i].text` (text_delta) and `content[i].input` (input_json_delta,
// the tool input's JSON text). Usage: input tokens from message_start, output tokens (cumulative) from message_delta.
// Invariants: a block or delta type that may carry text and is not known here is a protocol error, never relayed;
// every other string and key of a relayed event (block ids and tool names, model, stop_sequence, any extra field) is a
// field the relay screens whole; a content block starts once per index, so a tool name cannot arrive in pieces; every
// label (a type, role, stop reason) is a closed token (answer-labels.ts), the message's type and role Anthropic's own;
// blocks stream one at a time: a delta to a block after another block's text or its own stop is a protocol error
// (stream-channel-order.ts).
import { anthropicCacheCounts, anthropicCacheUsage } from './anthropic-messages.ts';
import { answerSegments, applyFieldTexts, stepsKey, type AnswerSegment } from './answer-json.ts';
import { checkClosedLabels } from './answer-labels.ts';
import type { AnthropicCacheCounts } from './anthropic-messages.ts';
import { isPlainObject, typedStreamEvent, type Json } from './json-body.ts';
import { channelOrder } from './stream-channel-order.ts';
import { StreamProtocolError, type SseEvent, type StreamSession, type StreamStep, type StreamText } from './types.ts';

interface AnthropicStep extends StreamStep {
  payload: Json;
  field: 'text' | 'partial_json' | null;
}

const PLAIN = new Set(['message_start', 'content_block_start', 'ping', 'message_delta']);
/** The message's labels as Anthropic writes them (every label is a closed token already: answer-labels.ts). */
function checkLabels(message: Json): void {
  if (message.type !== 'message' || message.role !== 'assistant')
    throw new StreamProtocolError("message_start's message is not an assistant message");
}

export function openAnthropicStream(): StreamSession {
  let prompt: number | null = null;
  let completion: number | null = null;
  let cache: AnthropicCacheCounts = { reads: 0, writes: 0, writes1h: 0 };
  const started = new Set<number>();
  const order = channelOrder();
  let messageStarted = false;
  let stopped = false;
  /**
   * Anthropic's input_tokens exclude the prompt cache: reads and writes are added back (reads are billed as cached,
   * writes at the cache-write rate). message_delta repeats the counts cumulatively; a count it leaves out keeps the
   * value message_start gave.
   */
  let input: number | null = null;
  const readInput = (u: Record<string, unknown>): void => {
    cache = anthropicCacheCounts(u, cache);
    if (Number.isSafeInteger(u.input_tokens)) input = u.input_tokens as number;
    prompt = input === null ? null : input + cache.reads + cache.writes;
  };

  return {
    read(event: SseEvent): AnthropicStep {
      const payload = typedStreamEvent(event.data);
      const type = payload.type;
      checkClosedLabels(payload, 'anthropic');
      const none = {
        texts: [] as StreamText[],
        closes: [] as string[],
        final: false,
        upstreamError: false,
        payload,
        field: null,
        fields: [] as AnswerSegment[],
      };
      switch (type) {
        case 'error':
          // Never relayed: the relay ends the stream with its own error event.
          return { ...none, closes: 'all', upstreamError: true };
        case 'message_stop':
          return { ...none, closes: 'all', final: true, fields: answerSegments(payload) };
        case 'content_block_stop':
          order.close(`content[${payload.index as number}].text`);
          order.close(`content[${payload.index as number}].input`);
          return { ...none, closes: [`content[${payload.index as number}].`], fields: answerSegments(payload) };
        case 'content_block_delta': {
          const delta = payload.delta;
          const i = payload.index as number;
          if (!isPlainObject(delta) || !Number.isSafeInteger(i))
            throw new StreamProtocolError('content_block_delta without index or delta');
          const field =
            delta.type === 'text_delta' && typeof delta.text === 'string'
              ? 'text'
              : delta.type === 'input_json_delta' && typeof delta.partial_json === 'string'
                ? 'partial_json'
                : null;
          if (field === null) throw new StreamProtocolError(`unknown delta type ${String(delta.type)}`);
          const channel = `content[${i}].${field === 'text' ? 'text' : 'input'}`;
          order.text(channel, delta[field] as string);
          const fields = answerSegments(payload, new Set([stepsKey(['delta', field])]));
          return { ...none, texts: [{ channel, text: delta[field] as string }], field, fields };
        }
        default:
          if (!PLAIN.has(type)) throw new StreamProtocolError(`unknown stream event ${type}`);
      }
      if (type === 'message_start') {
        const message = payload.message;
        if (!isPlainObject(message) || (Array.isArray(message.content) && message.content.length > 0))
          throw new StreamProtocolError('message_start carries content');
        if (messageStarted) throw new StreamProtocolError('a second message_start');
        checkLabels(message);
        messageStarted = true;
        readInput(isPlainObject(message.usage) ? message.usage : {});
        const u = isPlainObject(message.usage) ? message.usage : {};
        if (Number.isSafeInteger(u.output_tokens)) completion = u.output_tokens as number;
      } else if (type === 'content_block_start') {
        const block = payload.content_block;
        const empty =
          isPlainObject(block) &&
          ((block.type === 'text' && block.text === '') ||
            (block.type === 'tool_use' && isPlainObject(block.input) && Object.keys(block.input).length === 0));
        if (!empty) throw new StreamProtocolError('content_block_start carries content the screen cannot read');
        const i = payload.index;
        if (!Number.isSafeInteger(i) || started.has(i as number))
          throw new StreamProtocolError('content_block_start without index, or twice for one index');
        started.add(i as number);
      } else if (
        type === 'message_delta' &&
        isPlainObject(payload.delta) &&
        typeof payload.delta.stop_sequence === 'string'
      ) {
        // One or more message_delta events may come: the stop sequence (text) may come in one of them only.
        if (stopped) throw new StreamProtocolError('a stop_sequence arrived in pieces');
        stopped = true;
      }
      if (type === 'message_delta' && isPlainObject(payload.usage)) {
        if (Number.isSafeInteger(payload.usage.output_tokens)) completion = payload.usage.output_tokens as number;
        // message_delta may repeat the input counts (cumulative): read them the same way, cache reads and writes
        // included.
        readInput(payload.usage);
      }
      return { ...none, fields: answerSegments(payload) };
    },
    render(step, texts, fields) {
      const s = step as AnthropicStep;
      if (s.upstreamError) return null;
      // The payload was parsed from this event alone and is not read again: rewritten in place.
      applyFieldTexts(s.payload, s.fields, fields);
      if (s.field === null) return { event: s.payload.type as string, data: JSON.stringify(s.payload) };
      (s.payload.delta as Json)[s.field] = texts[0];
      return { event: 'content_block_delta', data: JSON.stringify(s.payload) };
    },
    textEvent(channel, text) {
      const m = /^content\[(\d+)\]\.(text|input)$/.exec(channel);
      if (m === null) throw new StreamProtocolError(`no such channel ${channel}`);
      const delta = m[2] === 'text' ? { type: 'text_delta', text } : { type: 'input_json_delta', partial_json: text };
      return {
        event: 'content_block_delta',
        data: JSON.stringify({ type: 'content_block_delta', index: Number(m[1]), delta }),
      };
    },
    usage: () => ({ prompt_tokens: prompt, completion_tokens: completion, ...anthropicCacheUsage(cache) }),
  };
}
