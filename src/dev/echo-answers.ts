// What the echo upstream answers, per API: the last user text echoed back ("echo: ..."), or, when the request offers
// tools, a call of the first tool with that text as its argument. Each answer exists whole (JSON) and as the API's
// event stream, cut into small pieces so a test sees many chunks. Token counts are a rough character estimate.

export type EchoApi = 'chat' | 'completions' | 'embeddings' | 'responses' | 'messages';

export interface SseFrame {
  event?: string;
  data: string;
}

type Json = Record<string, unknown>;

export const ECHO_PATHS: Record<string, EchoApi> = {
  '/v1/chat/completions': 'chat',
  '/v1/completions': 'completions',
  '/v1/embeddings': 'embeddings',
  '/v1/responses': 'responses',
  '/v1/messages': 'messages',
};

interface Understood {
  model: string;
  prompt: string;
  reply: string;
  tool: string | null;
  stream: boolean;
  includeUsage: boolean;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((p: { text?: unknown }) => (typeof p?.text === 'string' ? p.text : '')).join('');
  return '';
}

function understand(api: EchoApi, body: Json, text?: string): Understood {
  const model = typeof body.model === 'string' ? body.model : 'echo-1';
  let last = '';
  let prompt = '';
  if (api === 'chat' || api === 'messages') {
    const messages = Array.isArray(body.messages) ? (body.messages as Json[]) : [];
    prompt = messages.map((m) => textOf(m.content)).join('\n') + textOf(body.system);
    last = textOf([...messages].reverse().find((m) => m.role === 'user')?.content);
  } else if (api === 'completions') {
    last = Array.isArray(body.prompt) ? body.prompt.join('\n') : String(body.prompt ?? '');
    prompt = last;
  } else if (api === 'embeddings') {
    prompt = Array.isArray(body.input) ? body.input.join('\n') : String(body.input ?? '');
  } else {
    const items =
      typeof body.input === 'string'
        ? [{ role: 'user', content: body.input }]
        : Array.isArray(body.input)
          ? (body.input as Json[])
          : [];
    prompt =
      items.map((i) => textOf(i.content ?? i.output ?? i.arguments)).join('\n') + String(body.instructions ?? '');
    last = textOf([...items].reverse().find((i) => i.role === 'user')?.content);
  }
  const tools = Array.isArray(body.tools) ? (body.tools as Json[]) : [];
  const first = tools[0];
  const tool =
    first === undefined || body.tool_choice === 'none'
      ? null
      : String((first.function as Json | undefined)?.name ?? first.name ?? 'tool');
  const options = body.stream_options as Json | undefined;
  return {
    model,
    prompt,
    reply: text ?? `echo: ${last}`,
    tool,
    stream: body.stream === true,
    includeUsage: options?.include_usage === true,
  };
}

export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Pieces of at most 6 characters (never splitting a surrogate pair), so streams have many chunks. */
export function pieces(text: string): string[] {
  const out: string[] = [];
  const chars = [...text];
  for (let i = 0; i < chars.length; i += 6) out.push(chars.slice(i, i + 6).join(''));
  return out.length > 0 ? out : [''];
}

export function wantsStream(api: EchoApi, body: Json): boolean {
  return api !== 'embeddings' && body.stream === true;
}

export function answerJson(api: EchoApi, body: Json, id: string, text?: string): Json {
  const u = understand(api, body, text);
  const args = JSON.stringify({ text: u.reply.replace(/^echo: /, '') });
  const input = estimateTokens(u.prompt);
  const output = estimateTokens(u.tool ? args : u.reply);
  switch (api) {
    case 'chat':
      return {
        id: `chatcmpl-${id}`,
        object: 'chat.completion',
        created: 0,
        model: u.model,
        system_fingerprint: 'fp_ec0ec0ec0e',
        choices: [
          {
            index: 0,
            message: u.tool
              ? {
                  role: 'assistant',
                  content: null,
                  refusal: null,
                  tool_calls: [{ id: `call_${id}`, type: 'function', function: { name: u.tool, arguments: args } }],
                }
              : { role: 'assistant', content: u.reply, refusal: null },
            logprobs: null,
            finish_reason: u.tool ? 'tool_calls' : 'stop',
          },
        ],
        usage: { prompt_tokens: input, completion_tokens: output, total_tokens: input + output },
      };
    case 'completions':
      return {
        id: `cmpl-${id}`,
        object: 'text_completion',
        created: 0,
        model: u.model,
        choices: [{ text: u.reply, index: 0, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: input, completion_tokens: output, total_tokens: input + output },
      };
    case 'embeddings': {
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      return {
        object: 'list',
        model: u.model,
        data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: vector(String(text)) })),
        usage: { prompt_tokens: input, total_tokens: input },
      };
    }
    case 'responses':
      return {
        id: `resp_${id}`,
        object: 'response',
        created_at: 0,
        status: 'completed',
        model: u.model,
        output: [
          u.tool
            ? {
                type: 'function_call',
                id: `fc_${id}`,
                call_id: `call_${id}`,
                name: u.tool,
                arguments: args,
                status: 'completed',
              }
            : {
                type: 'message',
                id: `msg_${id}`,
                status: 'completed',
                role: 'assistant',
                content: [{ type: 'output_text', text: u.reply, annotations: [] }],
              },
        ],
        usage: { input_tokens: input, output_tokens: output, total_tokens: input + output },
      };
    case 'messages':
      return {
        id: `msg_${id}`,
        type: 'message',
        role: 'assistant',
        model: u.model,
        content: [
          u.tool
            ? { type: 'tool_use', id: `toolu_${id}`, name: u.tool, input: JSON.parse(args) as Json }
            : { type: 'text', text: u.reply },
        ],
        stop_reason: u.tool ? 'tool_use' : 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: input, output_tokens: output },
      };
  }
}

/** The answer as the API's event stream, final event last. */
export function answerFrames(api: EchoApi, body: Json, id: string, reply?: string): SseFrame[] {
  const u = understand(api, body, reply);
  const args = JSON.stringify({ text: u.reply.replace(/^echo: /, '') });
  const text = u.tool ? args : u.reply;
  const input = estimateTokens(u.prompt);
  const output = estimateTokens(text);
  const data = (value: unknown, event?: string): SseFrame =>
    event ? { event, data: JSON.stringify(value) } : { data: JSON.stringify(value) };
  if (api === 'chat' || api === 'completions') {
    const head =
      api === 'chat'
        ? { id: `chatcmpl-${id}`, object: 'chat.completion.chunk', created: 0, model: u.model }
        : { id: `cmpl-${id}`, object: 'text_completion', created: 0, model: u.model };
    const usage = u.includeUsage ? { usage: null } : {};
    const choice = (delta: Json, finish: string | null) =>
      api === 'chat'
        ? { index: 0, delta, logprobs: null, finish_reason: finish }
        : { index: 0, text: (delta.content as string | undefined) ?? '', logprobs: null, finish_reason: finish };
    const frames: SseFrame[] = [];
    if (api === 'chat') {
      frames.push(
        data({
          ...head,
          choices: [
            choice(
              u.tool
                ? {
                    role: 'assistant',
                    content: null,
                    tool_calls: [
                      { index: 0, id: `call_${id}`, type: 'function', function: { name: u.tool, arguments: '' } },
                    ],
                  }
                : { role: 'assistant', content: '' },
              null,
            ),
          ],
          ...usage,
        }),
      );
    }
    for (const piece of pieces(text)) {
      const delta = u.tool ? { tool_calls: [{ index: 0, function: { arguments: piece } }] } : { content: piece };
      frames.push(data({ ...head, choices: [choice(delta, null)], ...usage }));
    }
    frames.push(data({ ...head, choices: [choice({}, u.tool ? 'tool_calls' : 'stop')], ...usage }));
    if (u.includeUsage)
      frames.push(
        data({
          ...head,
          choices: [],
          usage: { prompt_tokens: input, completion_tokens: output, total_tokens: input + output },
        }),
      );
    frames.push({ data: '[DONE]' });
    return frames;
  }
  if (api === 'messages') {
    const frames: SseFrame[] = [
      data(
        {
          type: 'message_start',
          message: {
            id: `msg_${id}`,
            type: 'message',
            role: 'assistant',
            model: u.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: input, output_tokens: 1 },
          },
        },
        'message_start',
      ),
      data(
        {
          type: 'content_block_start',
          index: 0,
          content_block: u.tool
            ? { type: 'tool_use', id: `toolu_${id}`, name: u.tool, input: {} }
            : { type: 'text', text: '' },
        },
        'content_block_start',
      ),
      data({ type: 'ping' }, 'ping'),
    ];
    for (const piece of pieces(text)) {
      frames.push(
        data(
          {
            type: 'content_block_delta',
            index: 0,
            delta: u.tool ? { type: 'input_json_delta', partial_json: piece } : { type: 'text_delta', text: piece },
          },
          'content_block_delta',
        ),
      );
    }
    frames.push(data({ type: 'content_block_stop', index: 0 }, 'content_block_stop'));
    frames.push(
      data(
        {
          type: 'message_delta',
          delta: { stop_reason: u.tool ? 'tool_use' : 'end_turn', stop_sequence: null },
          usage: { output_tokens: output },
        },
        'message_delta',
      ),
    );
    frames.push(data({ type: 'message_stop' }, 'message_stop'));
    return frames;
  }
  // responses
  let seq = 0;
  const ev = (value: Json): SseFrame => data({ ...value, sequence_number: seq++ }, value.type as string);
  const base = { id: `resp_${id}`, object: 'response', created_at: 0, model: u.model };
  const itemId = u.tool ? `fc_${id}` : `msg_${id}`;
  const done = answerJson('responses', body, id, reply);
  const frames: SseFrame[] = [
    ev({ type: 'response.created', response: { ...base, status: 'in_progress', output: [] } }),
    ev({ type: 'response.in_progress', response: { ...base, status: 'in_progress', output: [] } }),
    ev({
      type: 'response.output_item.added',
      output_index: 0,
      item: u.tool
        ? {
            type: 'function_call',
            id: itemId,
            call_id: `call_${id}`,
            name: u.tool,
            arguments: '',
            status: 'in_progress',
          }
        : { type: 'message', id: itemId, status: 'in_progress', role: 'assistant', content: [] },
    }),
  ];
  if (!u.tool)
    frames.push(
      ev({
        type: 'response.content_part.added',
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [] },
      }),
    );
  for (const piece of pieces(text)) {
    frames.push(
      ev(
        u.tool
          ? { type: 'response.function_call_arguments.delta', item_id: itemId, output_index: 0, delta: piece }
          : { type: 'response.output_text.delta', item_id: itemId, output_index: 0, content_index: 0, delta: piece },
      ),
    );
  }
  if (u.tool) {
    frames.push(
      ev({ type: 'response.function_call_arguments.done', item_id: itemId, output_index: 0, arguments: text }),
    );
  } else {
    frames.push(ev({ type: 'response.output_text.done', item_id: itemId, output_index: 0, content_index: 0, text }));
    frames.push(
      ev({
        type: 'response.content_part.done',
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        part: { type: 'output_text', text, annotations: [] },
      }),
    );
  }
  frames.push(ev({ type: 'response.output_item.done', output_index: 0, item: (done.output as Json[])[0] }));
  frames.push(ev({ type: 'response.completed', response: done }));
  return frames;
}

function vector(text: string): number[] {
  const out = new Array<number>(8).fill(0);
  for (let i = 0; i < text.length; i += 1) out[i % 8] = ((out[i % 8] as number) + text.charCodeAt(i) / 1000) % 1;
  return out.map((v) => Math.round(v * 1e6) / 1e6);
}
