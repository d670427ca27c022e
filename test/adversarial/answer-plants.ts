// Where an upstream hides a value in an answer, per API: every answer field issue 14 found relayed unscreened, the
// fields that always were screened (baselines), unknown fields and keys, upstream errors, and the same in streams.
// Each plant starts from the echo upstream's valid answer (src/dev/echo-answers.ts) and puts the value `k` in one place.
import { answerFrames, answerJson, type SseFrame } from '../../src/dev/echo-answers.ts';
import type { Answer } from './recording-upstream.ts';
import type { ApiName } from './stack.ts';

type Json = Record<string, unknown>;
type Body = Record<string, unknown>;

export interface AnswerPlant {
  api: ApiName;
  where: string;
  answer: (k: string, request: Body) => Answer;
}

const ok = (json: unknown): Answer => ({ status: 200, json });
const base = (api: ApiName, request: Body): Json => answerJson(api, request, 'adv', 'fine');
/** The echo answer with `change` applied to a deep copy of it. */
const edit = (api: ApiName, change: (a: Json) => void) => (_k: string, request: Body): Answer => {
  const a = structuredClone(base(api, request));
  change(a);
  return ok(a);
};

const chatMessage = (a: Json): Json => ((a.choices as Json[])[0] as Json).message as Json;
const chatChoice = (a: Json): Json => (a.choices as Json[])[0] as Json;
const respItem = (a: Json): Json => (a.output as Json[])[0] as Json;
const respText = (a: Json): Json => (respItem(a).content as Json[])[0] as Json;
const anthBlock = (a: Json): Json => (a.content as Json[])[0] as Json;

function chatPlants(): AnswerPlant[] {
  const p = (where: string, change: (a: Json, k: string) => void): AnswerPlant => ({ api: 'chat', where, answer: (k, r) => edit('chat', (a) => change(a, k))(k, r) });
  const toolCall = (fn: Json, call: Json = {}) => (a: Json) => {
    Object.assign(chatMessage(a), { content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}', ...fn }, ...call }] });
    chatChoice(a).finish_reason = 'tool_calls';
  };
  return [
    p('message.content (baseline)', (a, k) => (chatMessage(a).content = `here: ${k}`)),
    p('message.reasoning_content', (a, k) => (chatMessage(a).reasoning_content = k)),
    p('message.audio.transcript', (a, k) => (chatMessage(a).audio = { id: 'audio_1', data: 'AAAA', expires_at: 0, transcript: k })),
    p('message.annotations title', (a, k) => (chatMessage(a).annotations = [{ type: 'url_citation', url_citation: { start_index: 0, end_index: 4, url: 'https://docs.example/', title: k } }])),
    p('message.annotations url', (a, k) => (chatMessage(a).annotations = [{ type: 'url_citation', url_citation: { start_index: 0, end_index: 4, url: `https://docs.example/${k}`, title: 't' } }])),
    p('message.tool_calls[].function.name', (a, k) => toolCall({ name: k })(a)),
    p('message.tool_calls[].function.arguments (baseline)', (a, k) => toolCall({ arguments: JSON.stringify({ q: k }) })(a)),
    p('message.tool_calls[].id', (a, k) => toolCall({}, { id: k })(a)),
    p('message.tool_calls[] unknown field', (a, k) => toolCall({}, { x_debug: k })(a)),
    p('message.function_call.arguments (legacy)', (a, k) => Object.assign(chatMessage(a), { content: null, function_call: { name: 'lookup', arguments: JSON.stringify({ q: k }) } })),
    p('message.function_call.name (legacy)', (a, k) => Object.assign(chatMessage(a), { content: null, function_call: { name: k, arguments: '{}' } })),
    p('message.refusal', (a, k) => (chatMessage(a).refusal = k)),
    p('choices[].logprobs', (a, k) => (chatChoice(a).logprobs = { content: [{ token: k, logprob: -0.1, bytes: [65], top_logprobs: [{ token: k, logprob: -0.2, bytes: [65] }] }], refusal: null })),
    p('unknown top-level field', (a, k) => (a.x_debug = k)),
    p('unknown choice field', (a, k) => (chatChoice(a).x_debug = k)),
    p('unknown message field', (a, k) => (chatMessage(a).x_debug = k)),
    p('object key at top level', (a, k) => (a[k] = 1)),
    p('id', (a, k) => (a.id = k)),
    p('model', (a, k) => (a.model = k)),
    p('system_fingerprint', (a, k) => (a.system_fingerprint = k)),
    p('service_tier', (a, k) => (a.service_tier = k)),
    p('usage details unknown field', (a, k) => ((a.usage as Json).completion_tokens_details = { note: k })),
  ];
}

function completionPlants(): AnswerPlant[] {
  const p = (where: string, change: (a: Json, k: string) => void): AnswerPlant => ({ api: 'completions', where, answer: (k, r) => edit('completions', (a) => change(a, k))(k, r) });
  const choice = (a: Json) => (a.choices as Json[])[0] as Json;
  return [
    p('choices[].text (baseline)', (a, k) => (choice(a).text = `here: ${k}`)),
    p('logprobs tokens', (a, k) => (choice(a).logprobs = { tokens: [k], token_logprobs: [-0.1], top_logprobs: [{ x: -0.1 }], text_offset: [0] })),
    p('logprobs top_logprobs key', (a, k) => (choice(a).logprobs = { tokens: ['x'], token_logprobs: [-0.1], top_logprobs: [{ [k]: -0.1 }], text_offset: [0] })),
    p('unknown top-level field', (a, k) => (a.x_debug = k)),
    p('unknown choice field', (a, k) => (choice(a).x_debug = k)),
    p('id', (a, k) => (a.id = k)),
    p('model', (a, k) => (a.model = k)),
  ];
}

function embeddingPlants(): AnswerPlant[] {
  const p = (where: string, change: (a: Json, k: string) => void): AnswerPlant => ({ api: 'embeddings', where, answer: (k, r) => edit('embeddings', (a) => change(a, k))(k, r) });
  return [
    p('model', (a, k) => (a.model = k)),
    p('unknown top-level field', (a, k) => (a.x_debug = k)),
    p('unknown field in data[]', (a, k) => (((a.data as Json[])[0] as Json).x_debug = k)),
    p('data[].object', (a, k) => (((a.data as Json[])[0] as Json).object = k)),
    p('object key at top level', (a, k) => (a[k] = 1)),
  ];
}

function responsePlants(): AnswerPlant[] {
  const p = (where: string, change: (a: Json, k: string) => void): AnswerPlant => ({ api: 'responses', where, answer: (k, r) => edit('responses', (a) => change(a, k))(k, r) });
  const call = (fields: Json) => (a: Json) => (a.output = [{ type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'lookup', arguments: '{}', status: 'completed', ...fields }]);
  const reasoning = (fields: Json) => (a: Json) => (a.output as Json[]).unshift({ type: 'reasoning', id: 'rs_1', summary: [], ...fields });
  return [
    p('output_text (baseline)', (a, k) => (respText(a).text = `here: ${k}`)),
    p('output_text annotations title', (a, k) => (respText(a).annotations = [{ type: 'url_citation', url: 'https://docs.example/', title: k, start_index: 0, end_index: 4 }])),
    p('output_text annotations url', (a, k) => (respText(a).annotations = [{ type: 'url_citation', url: `https://docs.example/${k}`, title: 't', start_index: 0, end_index: 4 }])),
    p('output_text logprobs', (a, k) => (respText(a).logprobs = [{ token: k, logprob: -0.1, bytes: [65], top_logprobs: [] }])),
    p('instructions', (a, k) => (a.instructions = k)),
    p('function_call name', (a, k) => call({ name: k })(a)),
    p('function_call arguments (baseline)', (a, k) => call({ arguments: JSON.stringify({ q: k }) })(a)),
    p('function_call call_id', (a, k) => call({ call_id: k })(a)),
    p('reasoning encrypted_content', (a, k) => reasoning({ encrypted_content: k })(a)),
    p('reasoning summary text', (a, k) => reasoning({ summary: [{ type: 'summary_text', text: k }] })(a)),
    p('unknown top-level field', (a, k) => (a.x_debug = k)),
    p('unknown output item field', (a, k) => (respItem(a).x_debug = k)),
    p('output item id', (a, k) => (respItem(a).id = k)),
    p('metadata', (a, k) => (a.metadata = { note: k })),
    p('tools echoed back', (a, k) => (a.tools = [{ type: 'function', name: k, parameters: {} }])),
    p('text.format name', (a, k) => (a.text = { format: { type: 'json_schema', name: k, schema: {} } })),
    p('incomplete_details reason', (a, k) => (a.incomplete_details = { reason: k })),
    p('object key at top level', (a, k) => (a[k] = 1)),
  ];
}

function messagePlants(): AnswerPlant[] {
  const p = (where: string, change: (a: Json, k: string) => void): AnswerPlant => ({ api: 'messages', where, answer: (k, r) => edit('messages', (a) => change(a, k))(k, r) });
  const toolUse = (fields: Json) => (a: Json) => Object.assign(a, { content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {}, ...fields }], stop_reason: 'tool_use' });
  const citation = (fields: Json) => (a: Json) => (anthBlock(a).citations = [{ type: 'char_location', cited_text: 'fine', document_index: 0, document_title: 'doc', start_char_index: 0, end_char_index: 4, ...fields }]);
  return [
    p('text (baseline)', (a, k) => (anthBlock(a).text = `here: ${k}`)),
    p('tool_use.name', (a, k) => toolUse({ name: k })(a)),
    p('tool_use.input value', (a, k) => toolUse({ input: { q: k } })(a)),
    p('tool_use.input key', (a, k) => toolUse({ input: { [k]: 1 } })(a)),
    p('tool_use.id', (a, k) => toolUse({ id: k })(a)),
    p('citations cited_text', (a, k) => citation({ cited_text: k })(a)),
    p('citations document_title', (a, k) => citation({ document_title: k })(a)),
    p('stop_sequence', (a, k) => Object.assign(a, { stop_reason: 'stop_sequence', stop_sequence: k })),
    p('thinking', (a, k) => (a.content as Json[]).unshift({ type: 'thinking', thinking: k, signature: 'c2ln' })),
    p('thinking signature', (a, k) => (a.content as Json[]).unshift({ type: 'thinking', thinking: 'hmm', signature: k })),
    p('redacted_thinking data', (a, k) => (a.content as Json[]).unshift({ type: 'redacted_thinking', data: k })),
    p('unknown top-level field', (a, k) => (a.x_debug = k)),
    p('unknown content block field', (a, k) => (anthBlock(a).x_debug = k)),
    p('id', (a, k) => (a.id = k)),
    p('model', (a, k) => (a.model = k)),
    p('container id', (a, k) => (a.container = { id: k, expires_at: '2030-01-01T00:00:00Z' })),
    p('object key at top level', (a, k) => (a[k] = 1)),
  ];
}

/** Upstream error answers carrying the value, in the API's own error shape and as plain text. */
function errorPlants(api: ApiName): AnswerPlant[] {
  const shaped = (status: number, fields: (k: string) => Json): AnswerPlant => ({
    api, where: `upstream ${status} error ${Object.keys(fields('k')).join('+')}`,
    answer: (k) => ({ status, json: api === 'messages' ? { type: 'error', error: { type: 'invalid_request_error', message: 'bad', ...fields(k) } } : { error: { message: 'bad', type: 'invalid_request_error', code: 'bad', param: null, ...fields(k) } } }),
  });
  return [
    shaped(400, (k) => ({ message: `invalid key ${k}` })),
    shaped(404, (k) => ({ message: `no model ${k}` })),
    shaped(429, (k) => ({ message: `slow down ${k}` })),
    shaped(500, (k) => ({ message: `crashed on ${k}` })),
    shaped(401, (k) => ({ message: `bad credential ${k}` })),
    shaped(400, (k) => ({ param: k })),
    shaped(400, (k) => ({ code: k })),
    shaped(400, (k) => ({ x_debug: k })),
    { api, where: 'upstream 500 plain-text error', answer: (k) => ({ status: 500, raw: `internal error near ${k}`, contentType: 'text/plain' }) },
    { api, where: 'upstream 200 that is not JSON', answer: (k) => ({ status: 200, raw: `{"oops": ${k}`, contentType: 'application/json' }) },
  ];
}

export const ANSWER_PLANTS: readonly AnswerPlant[] = [
  ...chatPlants(), ...completionPlants(), ...embeddingPlants(), ...responsePlants(), ...messagePlants(),
  ...(['chat', 'completions', 'embeddings', 'responses', 'messages'] as const).flatMap(errorPlants),
];

// --- streams ---------------------------------------------------------------------------------------------------

export interface StreamPlant {
  api: Exclude<ApiName, 'embeddings'>;
  where: string;
  answer: (k: string, request: Body) => Answer;
}

const frame = (value: Json, event?: string): SseFrame => (event ? { event, data: JSON.stringify(value) } : { data: JSON.stringify(value) });
const stream = (frames: SseFrame[]): Answer => ({ status: 200, frames });
/** The echo stream with `change` applied to every JSON frame (a frame it returns null for is dropped). */
function editFrames(frames: SseFrame[], change: (value: Json, index: number) => Json | null): SseFrame[] {
  const out: SseFrame[] = [];
  frames.forEach((f, index) => {
    if (f.data === '[DONE]') return void out.push(f);
    const changed = change(JSON.parse(f.data) as Json, index);
    if (changed) out.push(f.event ? { event: f.event, data: JSON.stringify(changed) } : { data: JSON.stringify(changed) });
  });
  return out;
}
/** Inserts frames after the first frame (the stream's start). */
const afterFirst = (frames: SseFrame[], extra: SseFrame[]): SseFrame[] => [frames[0] as SseFrame, ...extra, ...frames.slice(1)];

function chatStreamPlants(): StreamPlant[] {
  const head = { id: 'chatcmpl-adv', object: 'chat.completion.chunk', created: 0, model: 'echo-1' };
  const chunk = (delta: Json, extra: Json = {}, choice: Json = {}) => frame({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: null, ...choice }], ...extra });
  const toolStream = (first: Json, args: string[]): SseFrame[] => [
    chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '' }, ...first }] }),
    ...args.map((a) => chunk({ tool_calls: [{ index: 0, function: { arguments: a } }] })),
    frame({ ...head, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' }] }),
    { data: '[DONE]' },
  ];
  const p = (where: string, answer: (k: string, r: Body) => SseFrame[]): StreamPlant => ({ api: 'chat', where, answer: (k, r) => stream(answer(k, r)) });
  const echo = (r: Body) => answerFrames('chat', r, 'adv', 'fine');
  return [
    p('delta.content across chunks (baseline)', (k, r) => answerFrames('chat', r, 'adv', `here: ${k} ok`)),
    p('delta.tool_calls[].function.name', (k) => toolStream({ function: { name: k, arguments: '' } }, ['{}'])),
    p('delta.tool_calls[].function.arguments across chunks (baseline)', (k) => toolStream({}, ['{"q":"', k.slice(0, 7), k.slice(7), '"}'])),
    p('delta.tool_calls[].id', (k) => toolStream({ id: k }, ['{}'])),
    p('delta.reasoning_content', (k, r) => afterFirst(echo(r), [chunk({ reasoning_content: k })])),
    p('delta.refusal', (k, r) => afterFirst(echo(r), [chunk({ refusal: k })])),
    p('delta unknown field', (k, r) => afterFirst(echo(r), [chunk({ content: 'x', x_debug: k })])),
    p('chunk unknown field', (k, r) => afterFirst(echo(r), [chunk({ content: 'x' }, { x_debug: k })])),
    p('choice logprobs', (k, r) => afterFirst(echo(r), [chunk({ content: 'x' }, {}, { logprobs: { content: [{ token: k, logprob: -0.1, bytes: [65], top_logprobs: [] }] } })])),
    p('delta.annotations', (k, r) => afterFirst(echo(r), [chunk({ annotations: [{ type: 'url_citation', url_citation: { url: 'https://d.example/', title: k, start_index: 0, end_index: 1 } }] })])),
    p('chunk id and model', (k, r) => editFrames(echo(r), (v) => ({ ...v, id: k, model: k }))),
    p('an error event mid-stream', (k, r) => [...echo(r).slice(0, 2), frame({ error: { message: `failed near ${k}`, type: 'server_error' } })]),
  ];
}

function completionStreamPlants(): StreamPlant[] {
  const p = (where: string, answer: (k: string, r: Body) => SseFrame[]): StreamPlant => ({ api: 'completions', where, answer: (k, r) => stream(answer(k, r)) });
  const echo = (r: Body) => answerFrames('completions', r, 'adv', 'fine');
  const piece = (extra: Json) => frame({ id: 'cmpl-adv', object: 'text_completion', created: 0, model: 'echo-1', choices: [{ index: 0, text: 'x', logprobs: null, finish_reason: null, ...extra }] });
  return [
    p('text across chunks (baseline)', (k, r) => answerFrames('completions', r, 'adv', `here: ${k} ok`)),
    p('logprobs tokens', (k, r) => afterFirst(echo(r), [piece({ logprobs: { tokens: [k], token_logprobs: [-0.1], top_logprobs: null, text_offset: [0] } })])),
    p('unknown choice field', (k, r) => afterFirst(echo(r), [piece({ x_debug: k })])),
  ];
}

function responseStreamPlants(): StreamPlant[] {
  const p = (where: string, answer: (k: string, r: Body) => SseFrame[]): StreamPlant => ({ api: 'responses', where, answer: (k, r) => stream(answer(k, r)) });
  const echo = (r: Body) => answerFrames('responses', r, 'adv', 'fine');
  const ev = (value: Json) => frame({ sequence_number: 99, ...value }, value.type as string);
  const toolRequest = (r: Body): Body => ({ ...r, tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: {} } }] });
  const withResponse = (change: (response: Json) => void) => (v: Json): Json => {
    if (typeof v.response === 'object' && v.response !== null) change(v.response as Json);
    return v;
  };
  return [
    p('output_text.delta across events (baseline)', (k, r) => answerFrames('responses', r, 'adv', `here: ${k} ok`)),
    p('output_item.added function_call name', (k, r) => editFrames(answerFrames('responses', toolRequest(r), 'adv', 'fine'), (v) => {
      const item = v.item as Json | undefined;
      if (item?.type === 'function_call') item.name = k;
      const output = (v.response as Json | undefined)?.output as Json[] | undefined;
      for (const o of output ?? []) if (o.type === 'function_call') o.name = k;
      return v;
    })),
    p('function_call_arguments.delta (baseline)', (k, r) => answerFrames('responses', toolRequest(r), 'adv', `q ${k}`)),
    p('response.created instructions', (k, r) => editFrames(echo(r), withResponse((response) => (response.instructions = k)))),
    p('response.completed instructions', (k, r) => editFrames(echo(r), (v) => (v.type === 'response.completed' ? withResponse((response) => (response.instructions = k))(v) : v))),
    p('reasoning_summary_text.delta', (k, r) => afterFirst(echo(r), [ev({ type: 'response.reasoning_summary_text.delta', item_id: 'rs_1', output_index: 0, summary_index: 0, delta: k })])),
    p('an unknown event type', (k, r) => afterFirst(echo(r), [ev({ type: 'response.x_debug', data: k })])),
    p('output_text.annotation.added', (k, r) => afterFirst(echo(r), [ev({ type: 'response.output_text.annotation.added', item_id: 'msg_adv', output_index: 0, content_index: 0, annotation_index: 0, annotation: { type: 'url_citation', url: 'https://d.example/', title: k, start_index: 0, end_index: 1 } })])),
    p('unknown field in a delta event', (k, r) => editFrames(echo(r), (v) => (v.type === 'response.output_text.delta' ? { ...v, x_debug: k } : v))),
    p('an error event', (k, r) => [...echo(r).slice(0, 3), ev({ type: 'error', code: 'server_error', message: `failed near ${k}`, param: null })]),
    p('response.failed error message', (k, r) => [...echo(r).slice(0, 3), ev({ type: 'response.failed', response: { id: 'resp_adv', object: 'response', status: 'failed', model: 'echo-1', output: [], error: { code: 'server_error', message: `failed near ${k}` } } })]),
  ];
}

function messageStreamPlants(): StreamPlant[] {
  const p = (where: string, answer: (k: string, r: Body) => SseFrame[]): StreamPlant => ({ api: 'messages', where, answer: (k, r) => stream(answer(k, r)) });
  const echo = (r: Body) => answerFrames('messages', r, 'adv', 'fine');
  const toolRequest = (r: Body): Body => ({ ...r, tools: [{ name: 'lookup', input_schema: { type: 'object', properties: {} } }] });
  const blockDelta = (delta: Json) => frame({ type: 'content_block_delta', index: 0, delta }, 'content_block_delta');
  return [
    p('text_delta across events (baseline)', (k, r) => answerFrames('messages', r, 'adv', `here: ${k} ok`)),
    p('content_block_start tool_use name', (k, r) => editFrames(answerFrames('messages', toolRequest(r), 'adv', 'fine'), (v) => {
      const block = v.content_block as Json | undefined;
      if (block?.type === 'tool_use') block.name = k;
      return v;
    })),
    p('input_json_delta (baseline)', (k, r) => answerFrames('messages', toolRequest(r), 'adv', `q ${k}`)),
    p('content_block_start text', (k, r) => editFrames(echo(r), (v) => {
      const block = v.content_block as Json | undefined;
      if (block?.type === 'text') block.text = k;
      return v;
    })),
    p('message_delta stop_sequence', (k, r) => editFrames(echo(r), (v) => (v.type === 'message_delta' ? { ...v, delta: { stop_reason: 'stop_sequence', stop_sequence: k } } : v))),
    p('citations_delta', (k, r) => afterFirst(echo(r), [blockDelta({ type: 'citations_delta', citation: { type: 'char_location', cited_text: k, document_index: 0, document_title: 'd', start_char_index: 0, end_char_index: 1 } })])),
    p('thinking_delta', (k, r) => afterFirst(echo(r), [blockDelta({ type: 'thinking_delta', thinking: k })])),
    p('signature_delta', (k, r) => afterFirst(echo(r), [blockDelta({ type: 'signature_delta', signature: k })])),
    p('an unknown event type', (k, r) => afterFirst(echo(r), [frame({ type: 'x_debug', data: k }, 'x_debug')])),
    p('message_start unknown field and model', (k, r) => editFrames(echo(r), (v) => (v.type === 'message_start' ? { ...v, message: { ...(v.message as Json), model: k, x_debug: k } } : v))),
    p('an error event', (k, r) => [...echo(r).slice(0, 3), frame({ type: 'error', error: { type: 'overloaded_error', message: `failed near ${k}` } }, 'error')]),
  ];
}

/** A stream request answered with an error status instead of a stream. */
function streamErrorPlants(api: Exclude<ApiName, 'embeddings'>): StreamPlant[] {
  const json = (k: string) => (api === 'messages' ? { type: 'error', error: { type: 'invalid_request_error', message: `bad ${k}` } } : { error: { message: `bad ${k}`, type: 'invalid_request_error', code: 'bad', param: null } });
  return [400, 500].map((status) => ({ api, where: `upstream ${status} error instead of a stream`, answer: (k: string) => ({ status, json: json(k) }) }));
}

export const STREAM_PLANTS: readonly StreamPlant[] = [
  ...chatStreamPlants(), ...completionStreamPlants(), ...responseStreamPlants(), ...messageStreamPlants(),
  ...(['chat', 'completions', 'responses', 'messages'] as const).flatMap(streamErrorPlants),
];
