// Where an upstream hides a value in an answer, per API: every answer field issue 14 found relayed unscreened, the
// fields that always were screened (baselines), unknown fields and keys, and upstream errors (streams:
// stream-plants.ts). Each plant starts from the echo upstream's valid answer (src/dev/echo-answers.ts) and puts the
// value `k` in one place.
import { answerJson } from '../../src/dev/echo-answers.ts';
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
const edit =
  (api: ApiName, change: (a: Json) => void) =>
  (_k: string, request: Body): Answer => {
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
  const p = (where: string, change: (a: Json, k: string) => void): AnswerPlant => ({
    api: 'chat',
    where,
    answer: (k, r) => edit('chat', (a) => change(a, k))(k, r),
  });
  const toolCall =
    (fn: Json, call: Json = {}) =>
    (a: Json) => {
      Object.assign(chatMessage(a), {
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}', ...fn }, ...call }],
      });
      chatChoice(a).finish_reason = 'tool_calls';
    };
  return [
    p('message.content (baseline)', (a, k) => (chatMessage(a).content = `here: ${k}`)),
    p('message.reasoning_content', (a, k) => (chatMessage(a).reasoning_content = k)),
    p(
      'message.audio.transcript',
      (a, k) => (chatMessage(a).audio = { id: 'audio_1', data: 'AAAA', expires_at: 0, transcript: k }),
    ),
    p(
      'message.annotations title',
      (a, k) =>
        (chatMessage(a).annotations = [
          {
            type: 'url_citation',
            url_citation: { start_index: 0, end_index: 4, url: 'https://docs.example/', title: k },
          },
        ]),
    ),
    p(
      'message.annotations url',
      (a, k) =>
        (chatMessage(a).annotations = [
          {
            type: 'url_citation',
            url_citation: { start_index: 0, end_index: 4, url: `https://docs.example/${k}`, title: 't' },
          },
        ]),
    ),
    p('message.tool_calls[].function.name', (a, k) => toolCall({ name: k })(a)),
    p('message.tool_calls[].function.arguments (baseline)', (a, k) =>
      toolCall({ arguments: JSON.stringify({ q: k }) })(a),
    ),
    p('message.tool_calls[].id', (a, k) => toolCall({}, { id: k })(a)),
    p('message.tool_calls[] unknown field', (a, k) => toolCall({}, { x_debug: k })(a)),
    p('message.function_call.arguments (legacy)', (a, k) =>
      Object.assign(chatMessage(a), {
        content: null,
        function_call: { name: 'lookup', arguments: JSON.stringify({ q: k }) },
      }),
    ),
    p('message.function_call.name (legacy)', (a, k) =>
      Object.assign(chatMessage(a), { content: null, function_call: { name: k, arguments: '{}' } }),
    ),
    p('message.refusal', (a, k) => (chatMessage(a).refusal = k)),
    p(
      'choices[].logprobs',
      (a, k) =>
        (chatChoice(a).logprobs = {
          content: [{ token: k, logprob: -0.1, bytes: [65], top_logprobs: [{ token: k, logprob: -0.2, bytes: [65] }] }],
          refusal: null,
        }),
    ),
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
  const p = (where: string, change: (a: Json, k: string) => void): AnswerPlant => ({
    api: 'completions',
    where,
    answer: (k, r) => edit('completions', (a) => change(a, k))(k, r),
  });
  const choice = (a: Json) => (a.choices as Json[])[0] as Json;
  return [
    p('choices[].text (baseline)', (a, k) => (choice(a).text = `here: ${k}`)),
    p(
      'logprobs tokens',
      (a, k) =>
        (choice(a).logprobs = { tokens: [k], token_logprobs: [-0.1], top_logprobs: [{ x: -0.1 }], text_offset: [0] }),
    ),
    p(
      'logprobs top_logprobs key',
      (a, k) =>
        (choice(a).logprobs = {
          tokens: ['x'],
          token_logprobs: [-0.1],
          top_logprobs: [{ [k]: -0.1 }],
          text_offset: [0],
        }),
    ),
    p('unknown top-level field', (a, k) => (a.x_debug = k)),
    p('unknown choice field', (a, k) => (choice(a).x_debug = k)),
    p('id', (a, k) => (a.id = k)),
    p('model', (a, k) => (a.model = k)),
  ];
}

function embeddingPlants(): AnswerPlant[] {
  const p = (where: string, change: (a: Json, k: string) => void): AnswerPlant => ({
    api: 'embeddings',
    where,
    answer: (k, r) => edit('embeddings', (a) => change(a, k))(k, r),
  });
  return [
    p('model', (a, k) => (a.model = k)),
    p('unknown top-level field', (a, k) => (a.x_debug = k)),
    p('unknown field in data[]', (a, k) => (((a.data as Json[])[0] as Json).x_debug = k)),
    p('data[].object', (a, k) => (((a.data as Json[])[0] as Json).object = k)),
    p('object key at top level', (a, k) => (a[k] = 1)),
  ];
}

function responsePlants(): AnswerPlant[] {
  const p = (where: string, change: (a: Json, k: string) => void): AnswerPlant => ({
    api: 'responses',
    where,
    answer: (k, r) => edit('responses', (a) => change(a, k))(k, r),
  });
  const call = (fields: Json) => (a: Json) =>
    (a.output = [
      {
        type: 'function_call',
        id: 'fc_1',
        call_id: 'call_1',
        name: 'lookup',
        arguments: '{}',
        status: 'completed',
        ...fields,
      },
    ]);
  const reasoning = (fields: Json) => (a: Json) =>
    (a.output as Json[]).unshift({ type: 'reasoning', id: 'rs_1', summary: [], ...fields });
  return [
    p('output_text (baseline)', (a, k) => (respText(a).text = `here: ${k}`)),
    p(
      'output_text annotations title',
      (a, k) =>
        (respText(a).annotations = [
          { type: 'url_citation', url: 'https://docs.example/', title: k, start_index: 0, end_index: 4 },
        ]),
    ),
    p(
      'output_text annotations url',
      (a, k) =>
        (respText(a).annotations = [
          { type: 'url_citation', url: `https://docs.example/${k}`, title: 't', start_index: 0, end_index: 4 },
        ]),
    ),
    p(
      'output_text logprobs',
      (a, k) => (respText(a).logprobs = [{ token: k, logprob: -0.1, bytes: [65], top_logprobs: [] }]),
    ),
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
  const p = (where: string, change: (a: Json, k: string) => void): AnswerPlant => ({
    api: 'messages',
    where,
    answer: (k, r) => edit('messages', (a) => change(a, k))(k, r),
  });
  const toolUse = (fields: Json) => (a: Json) =>
    Object.assign(a, {
      content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {}, ...fields }],
      stop_reason: 'tool_use',
    });
  const citation = (fields: Json) => (a: Json) =>
    (anthBlock(a).citations = [
      {
        type: 'char_location',
        cited_text: 'fine',
        document_index: 0,
        document_title: 'doc',
        start_char_index: 0,
        end_char_index: 4,
        ...fields,
      },
    ]);
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
    p('thinking signature', (a, k) =>
      (a.content as Json[]).unshift({ type: 'thinking', thinking: 'hmm', signature: k }),
    ),
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
    api,
    where: `upstream ${status} error ${Object.keys(fields('k')).join('+')}`,
    answer: (k) => ({
      status,
      json:
        api === 'messages'
          ? { type: 'error', error: { type: 'invalid_request_error', message: 'bad', ...fields(k) } }
          : { error: { message: 'bad', type: 'invalid_request_error', code: 'bad', param: null, ...fields(k) } },
    }),
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
    {
      api,
      where: 'upstream 500 plain-text error',
      answer: (k) => ({ status: 500, raw: `internal error near ${k}`, contentType: 'text/plain' }),
    },
    {
      api,
      where: 'upstream 200 that is not JSON',
      answer: (k) => ({ status: 200, raw: `{"oops": ${k}`, contentType: 'application/json' }),
    },
  ];
}

export const ANSWER_PLANTS: readonly AnswerPlant[] = [
  ...chatPlants(),
  ...completionPlants(),
  ...embeddingPlants(),
  ...responsePlants(),
  ...messagePlants(),
  ...(['chat', 'completions', 'embeddings', 'responses', 'messages'] as const).flatMap(errorPlants),
];
