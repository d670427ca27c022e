// Request bodies for attack suites: a minimal valid body per API and the builders the plants start from, and the
// bodies of the evasion, prototype-key and deep-nesting attacks (JSON text where JSON.stringify cannot express them).
import type { ApiName } from './stack.ts';

type Body = Record<string, unknown>;

export interface Plant {
  api: ApiName;
  where: string;
  body: (s: string) => Record<string, unknown>;
  /** A harmless value for a field the API really has: with it the request MUST be forwarded carrying the value. */
  benign?: string;
}

/** A plant in one API's table: where, the body with the value planted, and a harmless value if the field is real. */
export const plantIn =
  (api: ApiName) =>
  (where: string, body: Plant['body'], benign?: string): Plant => ({
    api,
    where,
    body,
    ...(benign === undefined ? {} : { benign }),
  });

export const user = { role: 'user', content: 'hello' };
export const chat = (extra: Body = {}): Body => ({ model: 'echo-1', messages: [user], ...extra });
export const completions = (extra: Body = {}): Body => ({ model: 'echo-1', prompt: 'hello', ...extra });
export const embeddings = (extra: Body = {}): Body => ({ model: 'echo-1', input: 'hello', ...extra });
export const responses = (extra: Body = {}): Body => ({ model: 'echo-1', input: 'hello', ...extra });
export const messages = (extra: Body = {}): Body => ({ model: 'echo-1', max_tokens: 32, messages: [user], ...extra });

export const fn = (extra: Body = {}, fnExtra: Body = {}): Body => ({
  type: 'function',
  function: { name: 'lookup', description: 'looks up', parameters: { type: 'object', properties: {} }, ...fnExtra },
  ...extra,
});
/** A chat conversation with one assistant tool call and its result. */
export const chatToolTurn = (call: Body = {}, fnOf: Body = {}, tool: Body = {}): Body[] => [
  user,
  {
    role: 'assistant',
    content: null,
    tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}', ...fnOf }, ...call }],
  },
  { role: 'tool', tool_call_id: 'call_1', content: 'ok', ...tool },
];
export const respTool = (extra: Body = {}): Body => ({
  type: 'function',
  name: 'lookup',
  description: 'looks up',
  parameters: { type: 'object', properties: {} },
  ...extra,
});
export const respCall = (call: Body = {}, output: Body = {}): Body[] => [
  { role: 'user', content: 'hello' },
  { type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '{}', ...call },
  { type: 'function_call_output', call_id: 'call_1', output: 'ok', ...output },
];
export const anthTool = (extra: Body = {}): Body => ({
  name: 'lookup',
  description: 'looks up',
  input_schema: { type: 'object', properties: {} },
  ...extra,
});
export const anthToolTurn = (use: Body = {}, result: Body = {}): Body[] => [
  user,
  { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {}, ...use }] },
  { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok', ...result }] },
];
export const schemaWith = (s: string): Body => ({
  type: 'object',
  properties: { q: { type: 'string', description: s } },
});

/** The API's main prompt text carrying `text` (evasions are tried where the prompt goes). */
export function promptBody(api: ApiName, text: string): Record<string, unknown> {
  switch (api) {
    case 'chat':
      return chat({ messages: [{ role: 'user', content: text }] });
    case 'completions':
      return completions({ prompt: text });
    case 'embeddings':
      return embeddings({ input: text });
    case 'responses':
      return responses({ input: text });
    case 'messages':
      return messages({ messages: [{ role: 'user', content: text }] });
  }
}

/** The two halves of a value in two separate prompt texts, one after the other (two messages, prompts, inputs). */
export function splitAcrossTexts(api: ApiName, a: string, b: string): Record<string, unknown> {
  switch (api) {
    case 'chat':
      return chat({
        messages: [
          { role: 'user', content: a },
          { role: 'user', content: b },
        ],
      });
    case 'completions':
      return completions({ prompt: [a, b] });
    case 'embeddings':
      return embeddings({ input: [a, b] });
    case 'responses':
      return responses({
        input: [
          { role: 'user', content: a },
          { role: 'user', content: b },
        ],
      });
    case 'messages':
      return messages({
        messages: [
          { role: 'user', content: a },
          { role: 'user', content: b },
        ],
      });
  }
}

/** The two halves in two user turns with an assistant turn between them; null for an API without turns. */
export function splitAcrossTurns(api: ApiName, a: string, b: string): Record<string, unknown> | null {
  const turns = [
    { role: 'user', content: a },
    { role: 'assistant', content: 'go on' },
    { role: 'user', content: b },
  ];
  switch (api) {
    case 'chat':
      return chat({ messages: turns });
    case 'responses':
      return responses({ input: turns });
    case 'messages':
      return messages({ messages: turns });
    default:
      return null;
  }
}

/** The two halves of a value in two content parts of one message; null for an API without parts. */
export function splitAcrossParts(api: ApiName, a: string, b: string): Record<string, unknown> | null {
  switch (api) {
    case 'chat':
      return chat({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: a },
              { type: 'text', text: b },
            ],
          },
        ],
      });
    case 'responses':
      return responses({
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: a },
              { type: 'input_text', text: b },
            ],
          },
        ],
      });
    case 'messages':
      return messages({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: a },
              { type: 'text', text: b },
            ],
          },
        ],
      });
    default:
      return null;
  }
}

/** The body as JSON text with one more member `"key": value` at a place JSON.stringify cannot put `__proto__`. */
export function withRawMember(api: ApiName, place: 'top' | 'nested', key: string, value: string): string {
  const member = `${JSON.stringify(key)}:${value}`;
  const base = JSON.stringify(promptBody(api, 'hello'));
  if (place === 'top') return `${base.slice(0, -1)},${member}}`;
  switch (api) {
    case 'chat':
    case 'messages':
      return base.replace('"role":"user"', `"role":"user",${member}`);
    case 'responses':
      return JSON.stringify(responses({ input: [{ role: 'user', content: 'hello' }] })).replace(
        '"role":"user"',
        `"role":"user",${member}`,
      );
    case 'completions':
      return JSON.stringify(completions({ stream_options: { include_usage: true } })).replace(
        '"include_usage":true',
        `"include_usage":true,${member}`,
      );
    case 'embeddings':
      return JSON.stringify(embeddings({ metadata: { note: 'x' } })).replace('"note":"x"', `"note":"x",${member}`);
  }
}

/** The API's most nested place that takes an object (a schema), `depth` levels deep, as JSON text. */
export function deeplyNested(api: ApiName, depth: number): string {
  const nest = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  const marker = '"__NEST__"';
  const withMarker = (body: Record<string, unknown>) => JSON.stringify(body).replace(marker, nest);
  switch (api) {
    case 'chat':
      return withMarker(
        chat({ response_format: { type: 'json_schema', json_schema: { name: 'deep', schema: '__NEST__' } } }),
      );
    case 'completions':
      return withMarker(completions({ prompt: '__NEST__' }));
    case 'embeddings':
      return withMarker(embeddings({ input: '__NEST__' }));
    case 'responses':
      return withMarker(responses({ text: { format: { type: 'json_schema', name: 'deep', schema: '__NEST__' } } }));
    case 'messages':
      return withMarker(messages({ tools: [anthTool({ input_schema: '__NEST__' })] }));
  }
}

/** Tool parameters nested `depth` levels deep (chat, responses, messages), as JSON text. */
export function deepToolParameters(api: 'chat' | 'responses' | 'messages', depth: number): string {
  const nest = `${'{"type":"object","properties":{"a":'.repeat(depth)}{"type":"string"}${'}}'.repeat(depth)}`;
  const marker = '"__NEST__"';
  const body =
    api === 'chat'
      ? chat({ tools: [fn({}, { parameters: '__NEST__' })] })
      : api === 'responses'
        ? responses({ tools: [respTool({ parameters: '__NEST__' })] })
        : messages({ tools: [anthTool({ input_schema: '__NEST__' })] });
  return JSON.stringify(body).replace(marker, nest);
}
