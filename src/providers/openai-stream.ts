// Streamed answers of OpenAI's chat completions and completions APIs: `data: {chunk}` events ending with `data: [DONE]`.
// Text channels: `choices[i].content`, `choices[i].refusal`, `choices[i].tool_calls[k].arguments` (chat) and
// `choices[i].text` (completions). Invariants: a delta field that may carry text and is not known here is a protocol
// error (never relayed unscanned); usage is read from the chunk the injected `stream_options.include_usage` adds, and
// hidden again from a client that did not ask for it, so its view of the stream is what it asked for.
import { isPlainObject, streamEventObject, type Json } from './json-body.ts';
import { StreamProtocolError, type NormalizedRequest, type SseEvent, type StreamSession, type StreamStep, type StreamText } from './types.ts';

type Step = string | number;
type Flavour = 'chat' | 'completions';

interface OpenAiStep extends StreamStep {
  payload: Json | null;
  paths: Step[][];
  usageOnly: boolean;
}

const CHAT_DELTA_FIELDS = new Set(['role', 'content', 'refusal', 'tool_calls']);

export function openOpenAiStream(flavour: Flavour, request: NormalizedRequest): StreamSession {
  const options = request.body.stream_options;
  const clientWantsUsage = isPlainObject(options) && options.include_usage === true;
  let template: Json | null = null;
  let prompt: number | null = null;
  let completion: number | null = null;
  let cached: number | undefined;

  function read(event: SseEvent): OpenAiStep {
    if (event.data === '[DONE]') return { texts: [], closes: 'all', final: true, upstreamError: false, payload: null, paths: [], usageOnly: false };
    const payload = streamEventObject(event.data);
    if (payload.error !== undefined) return { texts: [], closes: 'all', final: false, upstreamError: true, payload, paths: [], usageOnly: false };
    if (!Array.isArray(payload.choices)) throw new StreamProtocolError('a stream chunk has no choices array');
    template ??= { id: payload.id, object: payload.object, created: payload.created, model: payload.model, ...(payload.system_fingerprint !== undefined ? { system_fingerprint: payload.system_fingerprint } : {}) };
    if (isPlainObject(payload.usage)) {
      if (Number.isSafeInteger(payload.usage.prompt_tokens)) prompt = payload.usage.prompt_tokens as number;
      if (Number.isSafeInteger(payload.usage.completion_tokens)) completion = payload.usage.completion_tokens as number;
      const details = payload.usage.prompt_tokens_details;
      if (isPlainObject(details) && Number.isSafeInteger(details.cached_tokens) && (details.cached_tokens as number) > 0) cached = details.cached_tokens as number;
    }
    const texts: StreamText[] = [];
    const paths: Step[][] = [];
    const closes: string[] = [];
    payload.choices.forEach((choice, n) => {
      if (!isPlainObject(choice) || !Number.isSafeInteger(choice.index)) throw new StreamProtocolError('a stream choice has no index');
      if (choice.logprobs !== undefined && choice.logprobs !== null) throw new StreamProtocolError('stream choices carry logprobs, which cannot be screened');
      const i = choice.index as number;
      const add = (channel: string, text: unknown, path: Step[]) => {
        if (typeof text !== 'string') throw new StreamProtocolError(`${channel} is not a string`);
        texts.push({ channel, text });
        paths.push(['choices', n, ...path]);
      };
      if (flavour === 'completions') {
        if (choice.text !== undefined) add(`choices[${i}].text`, choice.text, ['text']);
      } else {
        const delta = choice.delta;
        if (delta !== undefined && !isPlainObject(delta)) throw new StreamProtocolError('a stream delta is not an object');
        for (const key of Object.keys(delta ?? {})) {
          if (!CHAT_DELTA_FIELDS.has(key)) throw new StreamProtocolError(`unknown delta field '${key}'`);
        }
        if (isPlainObject(delta)) {
          if (typeof delta.content === 'string') add(`choices[${i}].content`, delta.content, ['delta', 'content']);
          if (typeof delta.refusal === 'string') add(`choices[${i}].refusal`, delta.refusal, ['delta', 'refusal']);
          if (delta.tool_calls !== undefined && delta.tool_calls !== null) {
            if (!Array.isArray(delta.tool_calls)) throw new StreamProtocolError('delta.tool_calls is not an array');
            delta.tool_calls.forEach((call, m) => {
              const fn = isPlainObject(call) ? call.function : undefined;
              if (!isPlainObject(call) || !Number.isSafeInteger(call.index)) throw new StreamProtocolError('a streamed tool call has no index');
              if (isPlainObject(fn) && fn.arguments !== undefined) {
                add(`choices[${i}].tool_calls[${call.index as number}].arguments`, fn.arguments, ['delta', 'tool_calls', m, 'function', 'arguments']);
              }
            });
          }
        }
      }
      if (choice.finish_reason !== undefined && choice.finish_reason !== null) closes.push(`choices[${i}].`);
    });
    return { texts, closes, final: false, upstreamError: false, payload, paths, usageOnly: payload.choices.length === 0 && isPlainObject(payload.usage) };
  }

  return {
    read,
    render(step, texts) {
      const s = step as OpenAiStep;
      if (s.payload === null || s.upstreamError) return { event: null, data: s.payload === null ? '[DONE]' : JSON.stringify(s.payload) };
      if (s.usageOnly && !clientWantsUsage) return null;
      // The payload was parsed from this event alone and is not read again: rewritten in place.
      const copy = s.payload;
      s.paths.forEach((path, k) => setAt(copy, path, texts[k] as string));
      if (!clientWantsUsage) delete copy.usage;
      return { event: null, data: JSON.stringify(copy) };
    },
    textEvent(channel, text) {
      const m = /^choices\[(\d+)\]\.(content|refusal|text|tool_calls\[(\d+)\]\.arguments)$/.exec(channel);
      if (m === null) throw new StreamProtocolError(`no such channel ${channel}`);
      const index = Number(m[1]);
      const field = m[2] as string;
      const choice = flavour === 'completions'
        ? { text, index, logprobs: null, finish_reason: null }
        : { index, delta: field.startsWith('tool_calls') ? { tool_calls: [{ index: Number(m[3]), function: { arguments: text } }] } : { [field]: text }, logprobs: null, finish_reason: null };
      return { event: null, data: JSON.stringify({ ...template, choices: [choice], ...(clientWantsUsage ? { usage: null } : {}) }) };
    },
    usage: () => ({ prompt_tokens: prompt, completion_tokens: completion, ...(cached === undefined ? {} : { cached_input_tokens: cached }) }),
  };
}

function setAt(root: Json, path: readonly Step[], value: string): void {
  let node: unknown = root;
  for (const step of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[step];
  (node as Record<string | number, unknown>)[path[path.length - 1] as Step] = value;
}
