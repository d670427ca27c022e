// Where an upstream hides a value in a streamed answer, per streaming API: deltas cut across events, tool-call names
// and ids, reasoning, citations, unknown fields and event types, error events, and an error status instead of a
// stream. Each plant starts from the echo upstream's valid stream (src/dev/echo-answers.ts) and puts `k` in one place.
import { answerFrames, type SseFrame } from '../../src/dev/echo-answers.ts';
import type { Answer } from './recording-upstream.ts';
import type { ApiName } from './stack.ts';

type Json = Record<string, unknown>;
type Body = Record<string, unknown>;

export interface StreamPlant {
  api: Exclude<ApiName, 'embeddings'>;
  where: string;
  answer: (k: string, request: Body) => Answer;
}

const frame = (value: Json, event?: string): SseFrame =>
  event ? { event, data: JSON.stringify(value) } : { data: JSON.stringify(value) };
const stream = (frames: SseFrame[]): Answer => ({ status: 200, frames });
/** The echo stream with `change` applied to every JSON frame (a frame it returns null for is dropped). */
function editFrames(frames: SseFrame[], change: (value: Json, index: number) => Json | null): SseFrame[] {
  const out: SseFrame[] = [];
  frames.forEach((f, index) => {
    if (f.data === '[DONE]') return void out.push(f);
    const changed = change(JSON.parse(f.data) as Json, index);
    if (changed)
      out.push(f.event ? { event: f.event, data: JSON.stringify(changed) } : { data: JSON.stringify(changed) });
  });
  return out;
}
/** Inserts frames after the first frame (the stream's start). */
const afterFirst = (frames: SseFrame[], extra: SseFrame[]): SseFrame[] => [
  frames[0] as SseFrame,
  ...extra,
  ...frames.slice(1),
];

function chatStreamPlants(): StreamPlant[] {
  const head = { id: 'chatcmpl-adv', object: 'chat.completion.chunk', created: 0, model: 'echo-1' };
  const chunk = (delta: Json, extra: Json = {}, choice: Json = {}) =>
    frame({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: null, ...choice }], ...extra });
  const toolStream = (first: Json, args: string[]): SseFrame[] => [
    chunk({
      role: 'assistant',
      content: null,
      tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '' }, ...first }],
    }),
    ...args.map((a) => chunk({ tool_calls: [{ index: 0, function: { arguments: a } }] })),
    frame({ ...head, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' }] }),
    { data: '[DONE]' },
  ];
  const p = (where: string, answer: (k: string, r: Body) => SseFrame[]): StreamPlant => ({
    api: 'chat',
    where,
    answer: (k, r) => stream(answer(k, r)),
  });
  const echo = (r: Body) => answerFrames('chat', r, 'adv', 'fine');
  return [
    p('delta.content across chunks (baseline)', (k, r) => answerFrames('chat', r, 'adv', `here: ${k} ok`)),
    p('delta.tool_calls[].function.name', (k) => toolStream({ function: { name: k, arguments: '' } }, ['{}'])),
    p('delta.tool_calls[].function.arguments across chunks (baseline)', (k) =>
      toolStream({}, ['{"q":"', k.slice(0, 7), k.slice(7), '"}']),
    ),
    p('delta.tool_calls[].id', (k) => toolStream({ id: k }, ['{}'])),
    p('delta.reasoning_content', (k, r) => afterFirst(echo(r), [chunk({ reasoning_content: k })])),
    p('delta.refusal', (k, r) => afterFirst(echo(r), [chunk({ refusal: k })])),
    p('delta unknown field', (k, r) => afterFirst(echo(r), [chunk({ content: 'x', x_debug: k })])),
    p('chunk unknown field', (k, r) => afterFirst(echo(r), [chunk({ content: 'x' }, { x_debug: k })])),
    p('choice logprobs', (k, r) =>
      afterFirst(echo(r), [
        chunk(
          { content: 'x' },
          {},
          { logprobs: { content: [{ token: k, logprob: -0.1, bytes: [65], top_logprobs: [] }] } },
        ),
      ]),
    ),
    p('delta.annotations', (k, r) =>
      afterFirst(echo(r), [
        chunk({
          annotations: [
            {
              type: 'url_citation',
              url_citation: { url: 'https://d.example/', title: k, start_index: 0, end_index: 1 },
            },
          ],
        }),
      ]),
    ),
    p('chunk id and model', (k, r) => editFrames(echo(r), (v) => ({ ...v, id: k, model: k }))),
    p('an error event mid-stream', (k, r) => [
      ...echo(r).slice(0, 2),
      frame({ error: { message: `failed near ${k}`, type: 'server_error' } }),
    ]),
  ];
}

function completionStreamPlants(): StreamPlant[] {
  const p = (where: string, answer: (k: string, r: Body) => SseFrame[]): StreamPlant => ({
    api: 'completions',
    where,
    answer: (k, r) => stream(answer(k, r)),
  });
  const echo = (r: Body) => answerFrames('completions', r, 'adv', 'fine');
  const piece = (extra: Json) =>
    frame({
      id: 'cmpl-adv',
      object: 'text_completion',
      created: 0,
      model: 'echo-1',
      choices: [{ index: 0, text: 'x', logprobs: null, finish_reason: null, ...extra }],
    });
  return [
    p('text across chunks (baseline)', (k, r) => answerFrames('completions', r, 'adv', `here: ${k} ok`)),
    p('logprobs tokens', (k, r) =>
      afterFirst(echo(r), [
        piece({ logprobs: { tokens: [k], token_logprobs: [-0.1], top_logprobs: null, text_offset: [0] } }),
      ]),
    ),
    p('unknown choice field', (k, r) => afterFirst(echo(r), [piece({ x_debug: k })])),
  ];
}

function responseStreamPlants(): StreamPlant[] {
  const p = (where: string, answer: (k: string, r: Body) => SseFrame[]): StreamPlant => ({
    api: 'responses',
    where,
    answer: (k, r) => stream(answer(k, r)),
  });
  const echo = (r: Body) => answerFrames('responses', r, 'adv', 'fine');
  const ev = (value: Json) => frame({ sequence_number: 99, ...value }, value.type as string);
  const toolRequest = (r: Body): Body => ({
    ...r,
    tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: {} } }],
  });
  const withResponse =
    (change: (response: Json) => void) =>
    (v: Json): Json => {
      if (typeof v.response === 'object' && v.response !== null) change(v.response as Json);
      return v;
    };
  return [
    p('output_text.delta across events (baseline)', (k, r) => answerFrames('responses', r, 'adv', `here: ${k} ok`)),
    p('output_item.added function_call name', (k, r) =>
      editFrames(answerFrames('responses', toolRequest(r), 'adv', 'fine'), (v) => {
        const item = v.item as Json | undefined;
        if (item?.type === 'function_call') item.name = k;
        const output = (v.response as Json | undefined)?.output as Json[] | undefined;
        for (const o of output ?? []) if (o.type === 'function_call') o.name = k;
        return v;
      }),
    ),
    p('function_call_arguments.delta (baseline)', (k, r) => answerFrames('responses', toolRequest(r), 'adv', `q ${k}`)),
    p('response.created instructions', (k, r) =>
      editFrames(
        echo(r),
        withResponse((response) => (response.instructions = k)),
      ),
    ),
    p('response.completed instructions', (k, r) =>
      editFrames(echo(r), (v) =>
        v.type === 'response.completed' ? withResponse((response) => (response.instructions = k))(v) : v,
      ),
    ),
    p('reasoning_summary_text.delta', (k, r) =>
      afterFirst(echo(r), [
        ev({
          type: 'response.reasoning_summary_text.delta',
          item_id: 'rs_1',
          output_index: 0,
          summary_index: 0,
          delta: k,
        }),
      ]),
    ),
    p('an unknown event type', (k, r) => afterFirst(echo(r), [ev({ type: 'response.x_debug', data: k })])),
    p('output_text.annotation.added', (k, r) =>
      afterFirst(echo(r), [
        ev({
          type: 'response.output_text.annotation.added',
          item_id: 'msg_adv',
          output_index: 0,
          content_index: 0,
          annotation_index: 0,
          annotation: { type: 'url_citation', url: 'https://d.example/', title: k, start_index: 0, end_index: 1 },
        }),
      ]),
    ),
    p('unknown field in a delta event', (k, r) =>
      editFrames(echo(r), (v) => (v.type === 'response.output_text.delta' ? { ...v, x_debug: k } : v)),
    ),
    p('an error event', (k, r) => [
      ...echo(r).slice(0, 3),
      ev({ type: 'error', code: 'server_error', message: `failed near ${k}`, param: null }),
    ]),
    p('response.failed error message', (k, r) => [
      ...echo(r).slice(0, 3),
      ev({
        type: 'response.failed',
        response: {
          id: 'resp_adv',
          object: 'response',
          status: 'failed',
          model: 'echo-1',
          output: [],
          error: { code: 'server_error', message: `failed near ${k}` },
        },
      }),
    ]),
  ];
}

function messageStreamPlants(): StreamPlant[] {
  const p = (where: string, answer: (k: string, r: Body) => SseFrame[]): StreamPlant => ({
    api: 'messages',
    where,
    answer: (k, r) => stream(answer(k, r)),
  });
  const echo = (r: Body) => answerFrames('messages', r, 'adv', 'fine');
  const toolRequest = (r: Body): Body => ({
    ...r,
    tools: [{ name: 'lookup', input_schema: { type: 'object', properties: {} } }],
  });
  const blockDelta = (delta: Json) => frame({ type: 'content_block_delta', index: 0, delta }, 'content_block_delta');
  return [
    p('text_delta across events (baseline)', (k, r) => answerFrames('messages', r, 'adv', `here: ${k} ok`)),
    p('content_block_start tool_use name', (k, r) =>
      editFrames(answerFrames('messages', toolRequest(r), 'adv', 'fine'), (v) => {
        const block = v.content_block as Json | undefined;
        if (block?.type === 'tool_use') block.name = k;
        return v;
      }),
    ),
    p('input_json_delta (baseline)', (k, r) => answerFrames('messages', toolRequest(r), 'adv', `q ${k}`)),
    p('content_block_start text', (k, r) =>
      editFrames(echo(r), (v) => {
        const block = v.content_block as Json | undefined;
        if (block?.type === 'text') block.text = k;
        return v;
      }),
    ),
    p('message_delta stop_sequence', (k, r) =>
      editFrames(echo(r), (v) =>
        v.type === 'message_delta' ? { ...v, delta: { stop_reason: 'stop_sequence', stop_sequence: k } } : v,
      ),
    ),
    p('citations_delta', (k, r) =>
      afterFirst(echo(r), [
        blockDelta({
          type: 'citations_delta',
          citation: {
            type: 'char_location',
            cited_text: k,
            document_index: 0,
            document_title: 'd',
            start_char_index: 0,
            end_char_index: 1,
          },
        }),
      ]),
    ),
    p('thinking_delta', (k, r) => afterFirst(echo(r), [blockDelta({ type: 'thinking_delta', thinking: k })])),
    p('signature_delta', (k, r) => afterFirst(echo(r), [blockDelta({ type: 'signature_delta', signature: k })])),
    p('an unknown event type', (k, r) => afterFirst(echo(r), [frame({ type: 'x_debug', data: k }, 'x_debug')])),
    p('message_start unknown field and model', (k, r) =>
      editFrames(echo(r), (v) =>
        v.type === 'message_start' ? { ...v, message: { ...(v.message as Json), model: k, x_debug: k } } : v,
      ),
    ),
    p('an error event', (k, r) => [
      ...echo(r).slice(0, 3),
      frame({ type: 'error', error: { type: 'overloaded_error', message: `failed near ${k}` } }, 'error'),
    ]),
  ];
}

/** A stream request answered with an error status instead of a stream. */
function streamErrorPlants(api: Exclude<ApiName, 'embeddings'>): StreamPlant[] {
  const json = (k: string) =>
    api === 'messages'
      ? { type: 'error', error: { type: 'invalid_request_error', message: `bad ${k}` } }
      : { error: { message: `bad ${k}`, type: 'invalid_request_error', code: 'bad', param: null } };
  return [400, 500].map((status) => ({
    api,
    where: `upstream ${status} error instead of a stream`,
    answer: (k: string) => ({ status, json: json(k) }),
  }));
}

export const STREAM_PLANTS: readonly StreamPlant[] = [
  ...chatStreamPlants(),
  ...completionStreamPlants(),
  ...responseStreamPlants(),
  ...messageStreamPlants(),
  ...(['chat', 'completions', 'responses', 'messages'] as const).flatMap(streamErrorPlants),
];
