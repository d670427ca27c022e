// Where an attacker hides a value in a request, per API: every field the issue found forwarded but never classified,
// the fields that always were (baselines), unknown keys at every nesting level, and object keys. Each plant builds a
// body that is otherwise valid for its API, with the value `s` at one place.
import type { ApiName } from './stack.ts';

export interface Plant {
  api: ApiName;
  where: string;
  body: (s: string) => Record<string, unknown>;
  /** A harmless value for a field the API really has: with it the request MUST be forwarded carrying the value. */
  benign?: string;
}

type Body = Record<string, unknown>;
const user = { role: 'user', content: 'hello' };
const chat = (extra: Body = {}): Body => ({ model: 'echo-1', messages: [user], ...extra });
const completions = (extra: Body = {}): Body => ({ model: 'echo-1', prompt: 'hello', ...extra });
const embeddings = (extra: Body = {}): Body => ({ model: 'echo-1', input: 'hello', ...extra });
const responses = (extra: Body = {}): Body => ({ model: 'echo-1', input: 'hello', ...extra });
const messages = (extra: Body = {}): Body => ({ model: 'echo-1', max_tokens: 32, messages: [user], ...extra });

const fn = (extra: Body = {}, fnExtra: Body = {}): Body => ({ type: 'function', function: { name: 'lookup', description: 'looks up', parameters: { type: 'object', properties: {} }, ...fnExtra }, ...extra });
/** A chat conversation with one assistant tool call and its result. */
const chatToolTurn = (call: Body = {}, fnOf: Body = {}, tool: Body = {}): Body[] => [
  user,
  { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}', ...fnOf }, ...call }] },
  { role: 'tool', tool_call_id: 'call_1', content: 'ok', ...tool },
];
const respTool = (extra: Body = {}): Body => ({ type: 'function', name: 'lookup', description: 'looks up', parameters: { type: 'object', properties: {} }, ...extra });
const respCall = (call: Body = {}, output: Body = {}): Body[] => [
  { role: 'user', content: 'hello' },
  { type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '{}', ...call },
  { type: 'function_call_output', call_id: 'call_1', output: 'ok', ...output },
];
const anthTool = (extra: Body = {}): Body => ({ name: 'lookup', description: 'looks up', input_schema: { type: 'object', properties: {} }, ...extra });
const anthToolTurn = (use: Body = {}, result: Body = {}): Body[] => [
  user,
  { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {}, ...use }] },
  { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok', ...result }] },
];
const schemaWith = (s: string): Body => ({ type: 'object', properties: { q: { type: 'string', description: s } } });

export const PLANTS: readonly Plant[] = [
  // chat completions: baselines
  { api: 'chat', where: 'messages[].content (baseline)', body: (s) => chat({ messages: [{ role: 'user', content: `hello ${s}` }] }), benign: 'hello_b' },
  { api: 'chat', where: 'content part text (baseline)', body: (s) => chat({ messages: [{ role: 'user', content: [{ type: 'text', text: s }] }] }), benign: 'hello_b' },
  { api: 'chat', where: 'tool_calls[].function.arguments (baseline)', body: (s) => chat({ messages: chatToolTurn({}, { arguments: JSON.stringify({ q: s }) }) }), benign: 'query_b' },
  // chat completions: forwarded but never classified (issue 14)
  { api: 'chat', where: 'messages[].name', body: (s) => chat({ messages: [{ role: 'user', name: s, content: 'hello' }] }), benign: 'alice_b' },
  { api: 'chat', where: 'messages[].tool_call_id', body: (s) => chat({ messages: chatToolTurn({}, {}, { tool_call_id: s }) }) },
  { api: 'chat', where: 'tool_calls[].id (and the tool message naming it)', body: (s) => chat({ messages: chatToolTurn({ id: s }, {}, { tool_call_id: s }) }), benign: 'call_b1' },
  { api: 'chat', where: 'tool_calls[].function.name', body: (s) => chat({ messages: chatToolTurn({}, { name: s }) }), benign: 'lookup_b' },
  { api: 'chat', where: 'tool_calls[] extra key', body: (s) => chat({ messages: chatToolTurn({ extra: s }) }) },
  { api: 'chat', where: 'tool_calls[].function extra key', body: (s) => chat({ messages: chatToolTurn({}, { extra: s }) }) },
  { api: 'chat', where: 'tools[].function.name', body: (s) => chat({ tools: [fn({}, { name: s })] }), benign: 'lookup_b' },
  { api: 'chat', where: 'tools[].function.description', body: (s) => chat({ tools: [fn({}, { description: s })] }), benign: 'looks things up' },
  { api: 'chat', where: 'tools[].function.parameters description', body: (s) => chat({ tools: [fn({}, { parameters: schemaWith(s) })] }), benign: 'the query' },
  { api: 'chat', where: 'tools[].function.parameters enum', body: (s) => chat({ tools: [fn({}, { parameters: { type: 'object', properties: { q: { type: 'string', enum: [s] } } } })] }), benign: 'alpha_b' },
  { api: 'chat', where: 'tools[].function.strict (string)', body: (s) => chat({ tools: [fn({}, { strict: s })] }) },
  { api: 'chat', where: 'tools[].function.strict (object)', body: (s) => chat({ tools: [fn({}, { strict: { note: s } })] }) },
  { api: 'chat', where: 'stop (string)', body: (s) => chat({ stop: s }), benign: 'END_B' },
  { api: 'chat', where: 'stop (array)', body: (s) => chat({ stop: ['END', s] }), benign: 'END_B' },
  { api: 'chat', where: 'response_format json_schema description', body: (s) => chat({ response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object', description: s, properties: {} } } } }), benign: 'an answer' },
  { api: 'chat', where: 'response_format json_schema name', body: (s) => chat({ response_format: { type: 'json_schema', json_schema: { name: s, schema: { type: 'object' } } } }), benign: 'answer_b' },
  { api: 'chat', where: 'response_format json_schema property description', body: (s) => chat({ response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: schemaWith(s) } } }), benign: 'the query' },
  { api: 'chat', where: 'tool_choice object', body: (s) => chat({ tools: [fn()], tool_choice: { type: 'function', function: { name: s } } }), benign: 'lookup' },
  { api: 'chat', where: 'tool_choice extra key', body: (s) => chat({ tools: [fn()], tool_choice: { type: 'function', function: { name: 'lookup' }, extra: s } }) },
  { api: 'chat', where: 'reasoning_effort', body: (s) => chat({ reasoning_effort: s }), benign: 'low' },
  { api: 'chat', where: 'user', body: (s) => chat({ user: s }) },
  { api: 'chat', where: 'metadata value', body: (s) => chat({ metadata: { note: s } }) },
  { api: 'chat', where: 'image_url url', body: (s) => chat({ messages: [{ role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: `https://img.example/${s}.png` } }] }] }) },
  { api: 'chat', where: 'prediction content', body: (s) => chat({ prediction: { type: 'content', content: s } }) },
  { api: 'chat', where: 'service_tier', body: (s) => chat({ service_tier: s }) },
  { api: 'chat', where: 'audio.voice', body: (s) => chat({ modalities: ['text', 'audio'], audio: { voice: s, format: 'mp3' } }) },
  { api: 'chat', where: 'web_search_options', body: (s) => chat({ web_search_options: { user_location: { type: 'approximate', approximate: { city: s } } } }) },
  { api: 'chat', where: 'stream_options extra key', body: (s) => chat({ stream_options: { include_usage: true, extra: s } }) },
  { api: 'chat', where: 'unknown top-level key', body: (s) => chat({ x_extra: s }) },
  { api: 'chat', where: 'unknown key in a message', body: (s) => chat({ messages: [{ ...user, x_extra: s }] }) },
  { api: 'chat', where: 'unknown key in a content part', body: (s) => chat({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hello', x_extra: s }] }] }) },
  { api: 'chat', where: 'unknown key in tools[]', body: (s) => chat({ tools: [fn({ x_extra: s })] }) },
  { api: 'chat', where: 'unknown key in response_format', body: (s) => chat({ response_format: { type: 'json_object', x_extra: s } }) },
  { api: 'chat', where: 'object key at top level', body: (s) => chat({ [s]: 1 }) },
  { api: 'chat', where: 'object key in a message', body: (s) => chat({ messages: [{ ...user, [s]: 'x' }] }) },
  { api: 'chat', where: 'object key in metadata', body: (s) => chat({ metadata: { [s]: 'x' } }) },
  { api: 'chat', where: 'object key in tool parameters', body: (s) => chat({ tools: [fn({}, { parameters: { type: 'object', properties: { [s]: { type: 'string' } } } })] }) },
  { api: 'chat', where: 'object key in tool_calls arguments', body: (s) => chat({ messages: chatToolTurn({}, { arguments: JSON.stringify({ [s]: 1 }) }) }) },
  { api: 'chat', where: 'logit_bias key', body: (s) => chat({ logit_bias: { [s]: 1 } }) },

  // completions
  { api: 'completions', where: 'prompt (baseline)', body: (s) => completions({ prompt: `hello ${s}` }), benign: 'hello_b' },
  { api: 'completions', where: 'prompt array', body: (s) => completions({ prompt: ['hello', s] }), benign: 'hello_b' },
  { api: 'completions', where: 'stop (string)', body: (s) => completions({ stop: s }), benign: 'END_B' },
  { api: 'completions', where: 'stop (array)', body: (s) => completions({ stop: ['END', s] }), benign: 'END_B' },
  { api: 'completions', where: 'logit_bias key', body: (s) => completions({ logit_bias: { [s]: 1 } }), benign: '50256' },
  { api: 'completions', where: 'suffix', body: (s) => completions({ suffix: s }) },
  { api: 'completions', where: 'user', body: (s) => completions({ user: s }) },
  { api: 'completions', where: 'unknown top-level key', body: (s) => completions({ x_extra: s }) },
  { api: 'completions', where: 'unknown key in stream_options', body: (s) => completions({ stream_options: { include_usage: true, extra: s } }) },
  { api: 'completions', where: 'object key at top level', body: (s) => completions({ [s]: 1 }) },

  // embeddings
  { api: 'embeddings', where: 'input (baseline)', body: (s) => embeddings({ input: `hello ${s}` }), benign: 'hello_b' },
  { api: 'embeddings', where: 'input array', body: (s) => embeddings({ input: ['hello', s] }), benign: 'hello_b' },
  { api: 'embeddings', where: 'user', body: (s) => embeddings({ user: s }) },
  { api: 'embeddings', where: 'encoding_format', body: (s) => embeddings({ encoding_format: s }), benign: 'float' },
  { api: 'embeddings', where: 'unknown top-level key', body: (s) => embeddings({ x_extra: s }) },
  { api: 'embeddings', where: 'object key at top level', body: (s) => embeddings({ [s]: 1 }) },

  // responses
  { api: 'responses', where: 'input (baseline)', body: (s) => responses({ input: `hello ${s}` }), benign: 'hello_b' },
  { api: 'responses', where: 'instructions (baseline)', body: (s) => responses({ instructions: s }), benign: 'be brief' },
  { api: 'responses', where: 'message id', body: (s) => responses({ input: [{ type: 'message', role: 'user', id: s, content: [{ type: 'input_text', text: 'hello' }] }] }) },
  { api: 'responses', where: 'message status', body: (s) => responses({ input: [{ type: 'message', role: 'user', status: s, content: [{ type: 'input_text', text: 'hello' }] }] }), benign: 'completed' },
  { api: 'responses', where: 'function_call call_id (and the output naming it)', body: (s) => responses({ input: respCall({ call_id: s }, { call_id: s }) }), benign: 'call_b1' },
  { api: 'responses', where: 'function_call name', body: (s) => responses({ input: respCall({ name: s }) }), benign: 'lookup_b' },
  { api: 'responses', where: 'function_call id', body: (s) => responses({ input: respCall({ id: s }) }) },
  { api: 'responses', where: 'function_call arguments (baseline)', body: (s) => responses({ input: respCall({ arguments: JSON.stringify({ q: s }) }) }), benign: 'query_b' },
  { api: 'responses', where: 'function_call_output call_id', body: (s) => responses({ input: respCall({}, { call_id: s }) }) },
  { api: 'responses', where: 'function_call_output output (baseline)', body: (s) => responses({ input: respCall({}, { output: s }) }), benign: 'result_b' },
  { api: 'responses', where: 'text.format schema description', body: (s) => responses({ text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object', description: s } } } }), benign: 'an answer' },
  { api: 'responses', where: 'text.format name', body: (s) => responses({ text: { format: { type: 'json_schema', name: s, schema: { type: 'object' } } } }), benign: 'answer_b' },
  { api: 'responses', where: 'text.verbosity', body: (s) => responses({ text: { verbosity: s } }), benign: 'low' },
  { api: 'responses', where: 'reasoning.effort', body: (s) => responses({ reasoning: { effort: s } }), benign: 'low' },
  { api: 'responses', where: 'reasoning.summary', body: (s) => responses({ reasoning: { summary: s } }), benign: 'auto' },
  { api: 'responses', where: 'reasoning extra key', body: (s) => responses({ reasoning: { effort: 'low', extra: s } }) },
  { api: 'responses', where: 'tool_choice object', body: (s) => responses({ tools: [respTool()], tool_choice: { type: 'function', name: s } }), benign: 'lookup' },
  { api: 'responses', where: 'tools[].strict', body: (s) => responses({ tools: [respTool({ strict: s })] }) },
  { api: 'responses', where: 'tools[].name', body: (s) => responses({ tools: [respTool({ name: s })] }), benign: 'lookup_b' },
  { api: 'responses', where: 'tools[].description', body: (s) => responses({ tools: [respTool({ description: s })] }), benign: 'looks things up' },
  { api: 'responses', where: 'tools[].parameters description', body: (s) => responses({ tools: [respTool({ parameters: schemaWith(s) })] }), benign: 'the query' },
  { api: 'responses', where: 'metadata value', body: (s) => responses({ metadata: { note: s } }) },
  { api: 'responses', where: 'user', body: (s) => responses({ user: s }) },
  { api: 'responses', where: 'previous_response_id', body: (s) => responses({ previous_response_id: s }) },
  { api: 'responses', where: 'include', body: (s) => responses({ include: [s] }) },
  { api: 'responses', where: 'input_image url', body: (s) => responses({ input: [{ role: 'user', content: [{ type: 'input_text', text: 'look' }, { type: 'input_image', image_url: `https://img.example/${s}.png` }] }] }) },
  { api: 'responses', where: 'unknown top-level key', body: (s) => responses({ x_extra: s }) },
  { api: 'responses', where: 'unknown key in an input item', body: (s) => responses({ input: [{ role: 'user', content: 'hello', x_extra: s }] }) },
  { api: 'responses', where: 'unknown key in input_text', body: (s) => responses({ input: [{ role: 'user', content: [{ type: 'input_text', text: 'hello', x_extra: s }] }] }) },
  { api: 'responses', where: 'unknown key in tools[]', body: (s) => responses({ tools: [respTool({ x_extra: s })] }) },
  { api: 'responses', where: 'object key at top level', body: (s) => responses({ [s]: 1 }) },
  { api: 'responses', where: 'object key in metadata', body: (s) => responses({ metadata: { [s]: 'x' } }) },
  { api: 'responses', where: 'object key in tool parameters', body: (s) => responses({ tools: [respTool({ parameters: { type: 'object', properties: { [s]: { type: 'string' } } } })] }) },

  // anthropic messages
  { api: 'messages', where: 'messages[].content (baseline)', body: (s) => messages({ messages: [{ role: 'user', content: `hello ${s}` }] }), benign: 'hello_b' },
  { api: 'messages', where: 'system (baseline)', body: (s) => messages({ system: s }), benign: 'be brief' },
  { api: 'messages', where: 'stop_sequences', body: (s) => messages({ stop_sequences: [s] }), benign: 'END_B' },
  { api: 'messages', where: 'tool_choice extra key', body: (s) => messages({ tools: [anthTool()], tool_choice: { type: 'auto', extra: s } }) },
  { api: 'messages', where: 'tool_choice name', body: (s) => messages({ tools: [anthTool()], tool_choice: { type: 'tool', name: s } }), benign: 'lookup' },
  { api: 'messages', where: 'cache_control extra key (system block)', body: (s) => messages({ system: [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral', note: s } }] }) },
  { api: 'messages', where: 'cache_control type', body: (s) => messages({ system: [{ type: 'text', text: 'be brief', cache_control: { type: s } }] }), benign: 'ephemeral' },
  { api: 'messages', where: 'cache_control ttl (content block)', body: (s) => messages({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hello', cache_control: { type: 'ephemeral', ttl: s } }] }] }), benign: '5m' },
  { api: 'messages', where: 'tool_use id (and the tool_result naming it)', body: (s) => messages({ messages: anthToolTurn({ id: s }, { tool_use_id: s }) }), benign: 'toolu_b1' },
  { api: 'messages', where: 'tool_use name', body: (s) => messages({ messages: anthToolTurn({ name: s }) }), benign: 'lookup_b' },
  { api: 'messages', where: 'tool_use input value (baseline)', body: (s) => messages({ messages: anthToolTurn({ input: { q: s } }) }), benign: 'query_b' },
  { api: 'messages', where: 'tool_use input key', body: (s) => messages({ messages: anthToolTurn({ input: { [s]: 1 } }) }), benign: 'q_b' },
  { api: 'messages', where: 'tool_result tool_use_id', body: (s) => messages({ messages: anthToolTurn({}, { tool_use_id: s }) }) },
  { api: 'messages', where: 'tool_result content (baseline)', body: (s) => messages({ messages: anthToolTurn({}, { content: s }) }), benign: 'result_b' },
  { api: 'messages', where: 'tools[].name', body: (s) => messages({ tools: [anthTool({ name: s })] }), benign: 'lookup_b' },
  { api: 'messages', where: 'tools[].description', body: (s) => messages({ tools: [anthTool({ description: s })] }), benign: 'looks things up' },
  { api: 'messages', where: 'tools[].input_schema description', body: (s) => messages({ tools: [anthTool({ input_schema: schemaWith(s) })] }), benign: 'the query' },
  { api: 'messages', where: 'tools[].cache_control extra key', body: (s) => messages({ tools: [anthTool({ cache_control: { type: 'ephemeral', note: s } })] }) },
  { api: 'messages', where: 'metadata.user_id', body: (s) => messages({ metadata: { user_id: s } }) },
  { api: 'messages', where: 'thinking extra key', body: (s) => messages({ max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024, extra: s } }) },
  { api: 'messages', where: 'image source url', body: (s) => messages({ messages: [{ role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image', source: { type: 'url', url: `https://img.example/${s}.png` } }] }] }) },
  { api: 'messages', where: 'document title', body: (s) => messages({ messages: [{ role: 'user', content: [{ type: 'text', text: 'read' }, { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'doc' }, title: s }] }] }) },
  { api: 'messages', where: 'unknown top-level key', body: (s) => messages({ x_extra: s }) },
  { api: 'messages', where: 'unknown key in a message', body: (s) => messages({ messages: [{ ...user, x_extra: s }] }) },
  { api: 'messages', where: 'unknown key in a content block', body: (s) => messages({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hello', x_extra: s }] }] }) },
  { api: 'messages', where: 'unknown key in tools[]', body: (s) => messages({ tools: [anthTool({ x_extra: s })] }) },
  { api: 'messages', where: 'object key at top level', body: (s) => messages({ [s]: 1 }) },
  { api: 'messages', where: 'object key in metadata', body: (s) => messages({ metadata: { [s]: 'x' } }) },
  { api: 'messages', where: 'object key in input_schema', body: (s) => messages({ tools: [anthTool({ input_schema: { type: 'object', properties: { [s]: { type: 'string' } } } })] }) },
];

/** The API's main prompt text carrying `text` (evasions are tried where the prompt goes). */
export function promptBody(api: ApiName, text: string): Record<string, unknown> {
  switch (api) {
    case 'chat': return chat({ messages: [{ role: 'user', content: text }] });
    case 'completions': return completions({ prompt: text });
    case 'embeddings': return embeddings({ input: text });
    case 'responses': return responses({ input: text });
    case 'messages': return messages({ messages: [{ role: 'user', content: text }] });
  }
}

/** The two halves of a value in two separate prompt texts, one after the other (two messages, prompts, inputs). */
export function splitAcrossTexts(api: ApiName, a: string, b: string): Record<string, unknown> {
  switch (api) {
    case 'chat': return chat({ messages: [{ role: 'user', content: a }, { role: 'user', content: b }] });
    case 'completions': return completions({ prompt: [a, b] });
    case 'embeddings': return embeddings({ input: [a, b] });
    case 'responses': return responses({ input: [{ role: 'user', content: a }, { role: 'user', content: b }] });
    case 'messages': return messages({ messages: [{ role: 'user', content: a }, { role: 'user', content: b }] });
  }
}

/** The two halves in two user turns with an assistant turn between them; null for an API without turns. */
export function splitAcrossTurns(api: ApiName, a: string, b: string): Record<string, unknown> | null {
  const turns = [{ role: 'user', content: a }, { role: 'assistant', content: 'go on' }, { role: 'user', content: b }];
  switch (api) {
    case 'chat': return chat({ messages: turns });
    case 'responses': return responses({ input: turns });
    case 'messages': return messages({ messages: turns });
    default: return null;
  }
}

/** The two halves of a value in two content parts of one message; null for an API without parts. */
export function splitAcrossParts(api: ApiName, a: string, b: string): Record<string, unknown> | null {
  switch (api) {
    case 'chat': return chat({ messages: [{ role: 'user', content: [{ type: 'text', text: a }, { type: 'text', text: b }] }] });
    case 'responses': return responses({ input: [{ role: 'user', content: [{ type: 'input_text', text: a }, { type: 'input_text', text: b }] }] });
    case 'messages': return messages({ messages: [{ role: 'user', content: [{ type: 'text', text: a }, { type: 'text', text: b }] }] });
    default: return null;
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
      return JSON.stringify(responses({ input: [{ role: 'user', content: 'hello' }] })).replace('"role":"user"', `"role":"user",${member}`);
    case 'completions':
      return JSON.stringify(completions({ stream_options: { include_usage: true } })).replace('"include_usage":true', `"include_usage":true,${member}`);
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
    case 'chat': return withMarker(chat({ response_format: { type: 'json_schema', json_schema: { name: 'deep', schema: '__NEST__' } } }));
    case 'completions': return withMarker(completions({ logit_bias: '__NEST__' }));
    case 'embeddings': return withMarker(embeddings({ input: '__NEST__' }));
    case 'responses': return withMarker(responses({ text: { format: { type: 'json_schema', name: 'deep', schema: '__NEST__' } } }));
    case 'messages': return withMarker(messages({ tools: [anthTool({ input_schema: '__NEST__' })] }));
  }
}

/** Tool parameters nested `depth` levels deep (chat, responses, messages), as JSON text. */
export function deepToolParameters(api: 'chat' | 'responses' | 'messages', depth: number): string {
  const nest = `${'{"type":"object","properties":{"a":'.repeat(depth)}{"type":"string"}${'}}'.repeat(depth)}`;
  const marker = '"__NEST__"';
  const body = api === 'chat' ? chat({ tools: [fn({}, { parameters: '__NEST__' })] })
    : api === 'responses' ? responses({ tools: [respTool({ parameters: '__NEST__' })] })
      : messages({ tools: [anthTool({ input_schema: '__NEST__' })] });
  return JSON.stringify(body).replace(marker, nest);
}
