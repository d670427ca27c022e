// Streamed answers of OpenAI's chat completions and completions APIs: `data: {chunk}` events, then `data: [DONE]`.
// Text channels: `choices[i].content`, `choices[i].refusal`, `choices[i].tool_calls[k].arguments` (chat) and
// `choices[i].text` (completions). Invariants: each relayed chunk is BUILT from known fields only (unknown chunk,
// choice and tool-call fields are dropped; a delta field that may carry text and is not known here is a protocol
// error); the chunk's id/model/created come from the first chunk, so they cannot spell a value across chunks (its
// object only as this API's own, else left out); every label of every chunk (object, role, finish_reason, a tool
// call's type, service_tier, system_fingerprint) is a closed token the SDKs name (answer-labels.ts), else the stream
// ends as the upstream's fault before the chunk is relayed; a tool
// call's id and name may arrive once each (a second piece is a protocol error), so they are screened whole as fields;
// usage is read from the chunk the injected `stream_options.include_usage` adds and hidden from a client that did not
// ask for it; one channel at a time (content, refusal, each tool call's arguments): a channel given text again after
// another's is a protocol error (stream-channel-order.ts).
import { answerSegments, applyFieldTexts, setAnswerText, stepsKey, type AnswerSegment } from './answer-json.ts';
import { checkClosedLabels, dropUnreadLabels } from './answer-labels.ts';
import { isPlainObject, streamEventObject, type Json } from './json-body.ts';
import { channelOrder } from './stream-channel-order.ts';
import { StreamProtocolError } from './types.ts';
import type { NormalizedRequest, SseEvent, StreamSession, StreamStep, StreamText } from './types.ts';

type Step = string | number;
type Flavour = 'chat' | 'completions';

interface OpenAiStep extends StreamStep {
  /** The chunk as the client will see it; null for [DONE] and for a chunk nothing of which is relayed. */
  relayed: Json | null;
  paths: Step[][];
  usageOnly: boolean;
}

const CHAT_DELTA_FIELDS = new Set(['role', 'content', 'refusal', 'tool_calls']);
/** The chunk fields every chunk repeats; relayed as the first chunk gave them. */
const TEMPLATE_FIELDS = ['id', 'object', 'created', 'model', 'system_fingerprint', 'service_tier'];
/**
 * The chunk's object, relayed only as this API's own (the labels check lets any API's object through): the template is
 * relayed with every chunk, so a chunk of another API is not passed off as this one's.
 */
const OBJECT: Readonly<Record<Flavour, string>> = { chat: 'chat.completion.chunk', completions: 'text_completion' };
/** Template labels checked as strings (checkClosedLabels): another scalar there is left out. */
const LABELS: ReadonlySet<string> = new Set(['system_fingerprint', 'service_tier']);

export function openOpenAiStream(flavour: Flavour, request: NormalizedRequest): StreamSession {
  const options = request.body.stream_options;
  const clientWantsUsage = isPlainObject(options) && options.include_usage === true;
  let template: Json | null = null;
  /** The template as last relayed (screened and, if need be, redacted): what textEvent repeats. */
  let renderedTemplate: Json | null = null;
  const namedCalls = new Set<string>();
  const identifiedCalls = new Set<string>();
  let prompt: number | null = null;
  let completion: number | null = null;
  let cached: number | undefined;
  /** One channel at a time (content, refusal, each tool call's arguments): stream-channel-order.ts. */
  const order = channelOrder();

  const scalar = (v: unknown): boolean => typeof v === 'string' || typeof v === 'number' || v === null;

  function readUsage(usage: Json): void {
    if (Number.isSafeInteger(usage.prompt_tokens)) prompt = usage.prompt_tokens as number;
    if (Number.isSafeInteger(usage.completion_tokens)) completion = usage.completion_tokens as number;
    const details = usage.prompt_tokens_details;
    const reads = isPlainObject(details) ? details.cached_tokens : undefined;
    if (Number.isSafeInteger(reads) && (reads as number) > 0) cached = reads as number;
  }

  /** A streamed tool call, known fields only; its id and name may each come once per call. */
  function toolCall(call: unknown, key: string): Json {
    if (!isPlainObject(call) || !Number.isSafeInteger(call.index)) {
      throw new StreamProtocolError('a streamed tool call has no index');
    }
    const out: Json = { index: call.index };
    const once = (seen: Set<string>, what: string) => {
      if (seen.has(key)) throw new StreamProtocolError(`a streamed tool call's ${what} arrived in pieces`);
      seen.add(key);
    };
    if (call.id !== undefined && call.id !== null) {
      if (typeof call.id !== 'string') throw new StreamProtocolError('a streamed tool call id is not a string');
      once(identifiedCalls, 'id');
      out.id = call.id;
    }
    if (call.type !== undefined && call.type !== null) {
      if (call.type !== 'function') throw new StreamProtocolError('a streamed tool call is not a function call');
      out.type = call.type;
    }
    const fn = call.function;
    if (fn !== undefined && fn !== null) {
      if (!isPlainObject(fn)) throw new StreamProtocolError('a streamed tool call function is not an object');
      const f: Json = {};
      if (fn.name !== undefined && fn.name !== null) {
        if (typeof fn.name !== 'string') throw new StreamProtocolError('a streamed tool call name is not a string');
        once(namedCalls, 'name');
        f.name = fn.name;
      }
      if (fn.arguments !== undefined) f.arguments = fn.arguments;
      out.function = f;
    }
    return out;
  }

  function read(event: SseEvent): OpenAiStep {
    const none = {
      texts: [] as StreamText[],
      closes: [] as string[],
      final: false,
      upstreamError: false,
      relayed: null,
      paths: [],
      usageOnly: false,
      fields: [] as AnswerSegment[],
    };
    if (event.data === '[DONE]') return { ...none, closes: 'all', final: true };
    const payload = streamEventObject(event.data);
    if (payload.error !== undefined) return { ...none, closes: 'all', upstreamError: true };
    // An error event is never relayed (the relay ends the stream with its own); every other chunk's labels are closed.
    dropUnreadLabels(payload, 'openai'); // vLLM's choice stop_reason: not relayed (chunks are built from known fields)
    checkClosedLabels(payload, 'openai');
    if (!Array.isArray(payload.choices)) throw new StreamProtocolError('a stream chunk has no choices array');
    if (template === null) {
      template = {};
      for (const key of TEMPLATE_FIELDS) {
        if (!Object.hasOwn(payload, key) || !scalar(payload[key])) continue;
        const value = payload[key];
        if (
          key === 'object' ? value !== OBJECT[flavour] : LABELS.has(key) && value !== null && typeof value !== 'string'
        )
          continue;
        template[key] = value;
      }
    }
    if (isPlainObject(payload.usage)) readUsage(payload.usage);
    const texts: StreamText[] = [];
    const paths: Step[][] = [];
    const closes: string[] = [];
    const choices: Json[] = payload.choices.map((choice, n) => {
      if (!isPlainObject(choice) || !Number.isSafeInteger(choice.index)) {
        throw new StreamProtocolError('a stream choice has no index');
      }
      if (choice.logprobs !== undefined && choice.logprobs !== null) {
        throw new StreamProtocolError('stream choices carry logprobs, which cannot be screened');
      }
      const i = choice.index as number;
      // The request asked for one choice (n > 1 is refused with stream=true): another index is a protocol error.
      if (i !== 0) throw new StreamProtocolError('a stream chunk carries a choice the request did not ask for');
      const out: Json = { index: i };
      const add = (channel: string, text: unknown, path: Step[]) => {
        if (typeof text !== 'string') throw new StreamProtocolError(`${channel} is not a string`);
        order.text(channel, text);
        texts.push({ channel, text });
        paths.push(['choices', n, ...path]);
      };
      if (flavour === 'completions') {
        if (choice.text !== undefined) {
          out.text = choice.text;
          add(`choices[${i}].text`, choice.text, ['text']);
        }
      } else if (choice.delta !== undefined) {
        const delta = choice.delta;
        if (!isPlainObject(delta)) throw new StreamProtocolError('a stream delta is not an object');
        for (const key of Object.keys(delta)) {
          if (!CHAT_DELTA_FIELDS.has(key)) throw new StreamProtocolError(`unknown delta field '${key}'`);
        }
        const d: Json = {};
        if (delta.role !== undefined && delta.role !== null && typeof delta.role !== 'string') {
          throw new StreamProtocolError('a delta role is not a string');
        }
        if (delta.role !== undefined) d.role = delta.role;
        for (const field of ['content', 'refusal'] as const) {
          if (delta[field] === null) d[field] = null;
          else if (delta[field] !== undefined) {
            d[field] = delta[field];
            add(`choices[${i}].${field}`, delta[field], ['delta', field]);
          }
        }
        if (delta.tool_calls !== undefined && delta.tool_calls !== null) {
          if (!Array.isArray(delta.tool_calls)) throw new StreamProtocolError('delta.tool_calls is not an array');
          d.tool_calls = delta.tool_calls.map((call, m) => {
            const out = toolCall(call, `${i}:${String((call as Json).index)}`);
            const fn = out.function;
            if (isPlainObject(fn) && fn.arguments !== undefined) {
              const channel = `choices[${i}].tool_calls[${out.index as number}].arguments`;
              add(channel, fn.arguments, ['delta', 'tool_calls', m, 'function', 'arguments']);
            }
            return out;
          });
        }
        out.delta = d;
      }
      if (choice.logprobs !== undefined) out.logprobs = null;
      if (choice.finish_reason !== undefined) {
        if (choice.finish_reason !== null && typeof choice.finish_reason !== 'string') {
          throw new StreamProtocolError('finish_reason is not a string');
        }
        out.finish_reason = choice.finish_reason;
        if (choice.finish_reason !== null) closes.push(`choices[${i}].`);
      }
      return out;
    });
    const usageOnly = payload.choices.length === 0 && isPlainObject(payload.usage);
    if (usageOnly && !clientWantsUsage) return { ...none, closes, usageOnly };
    const relayed: Json = { ...template, choices };
    if (clientWantsUsage && payload.usage !== undefined) relayed.usage = payload.usage;
    const fields = answerSegments(relayed, new Set(paths.map(stepsKey)));
    return { texts, closes, final: false, upstreamError: false, relayed, paths, usageOnly, fields };
  }

  return {
    read,
    render(step, texts, fields) {
      const s = step as OpenAiStep;
      if (s.final) return { event: null, data: '[DONE]' };
      if (s.relayed === null || s.upstreamError) return null;
      // The chunk was built for this event alone and is not read again: rewritten in place.
      applyFieldTexts(s.relayed, s.fields, fields);
      s.paths.forEach((path, k) => setAnswerText(s.relayed, path, texts[k] as string));
      const relayed = s.relayed;
      const kept = TEMPLATE_FIELDS.filter((k) => Object.hasOwn(relayed, k));
      renderedTemplate = Object.fromEntries(kept.map((k) => [k, relayed[k]]));
      return { event: null, data: JSON.stringify(s.relayed) };
    },
    textEvent(channel, text) {
      const m = /^choices\[(\d+)\]\.(content|refusal|text|tool_calls\[(\d+)\]\.arguments)$/.exec(channel);
      if (m === null) throw new StreamProtocolError(`no such channel ${channel}`);
      if (renderedTemplate === null) throw new StreamProtocolError('text released before any chunk was relayed');
      const index = Number(m[1]);
      const field = m[2] as string;
      const delta = field.startsWith('tool_calls')
        ? { tool_calls: [{ index: Number(m[3]), function: { arguments: text } }] }
        : { [field]: text };
      const choice =
        flavour === 'completions'
          ? { text, index, logprobs: null, finish_reason: null }
          : { index, delta, logprobs: null, finish_reason: null };
      const chunk = { ...renderedTemplate, choices: [choice], ...(clientWantsUsage ? { usage: null } : {}) };
      return { event: null, data: JSON.stringify(chunk) };
    },
    usage: () => ({
      prompt_tokens: prompt,
      completion_tokens: completion,
      ...(cached === undefined ? {} : { cached_input_tokens: cached }),
    }),
  };
}
