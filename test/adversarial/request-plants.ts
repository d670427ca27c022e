// Where an attacker hides a value in a request, per API: every field the issue found forwarded but never classified,
// the fields that always were (baselines), unknown keys at every nesting level, and object keys. Each plant builds a
// body that is otherwise valid for its API (request-bodies.ts), with the value `s` at one place.
import { MESSAGES_PLANTS, RESPONSES_PLANTS } from './request-plants-more.ts';
import {
  chat,
  chatToolTurn,
  completions,
  embeddings,
  fn,
  schemaWith,
  user,
  plantIn,
  type Plant,
} from './request-bodies.ts';

const chatPlant = plantIn('chat');
const completionsPlant = plantIn('completions');
const embeddingsPlant = plantIn('embeddings');

export type { Plant };

export const PLANTS: readonly Plant[] = [
  // chat completions: baselines
  chatPlant(
    'messages[].content (baseline)',
    (s) => chat({ messages: [{ role: 'user', content: `hello ${s}` }] }),
    'hello_b',
  ),
  chatPlant(
    'content part text (baseline)',
    (s) => chat({ messages: [{ role: 'user', content: [{ type: 'text', text: s }] }] }),
    'hello_b',
  ),
  chatPlant(
    'tool_calls[].function.arguments (baseline)',
    (s) => chat({ messages: chatToolTurn({}, { arguments: JSON.stringify({ q: s }) }) }),
    'query_b',
  ),
  // chat completions: forwarded but never classified (issue 14)
  chatPlant('messages[].name', (s) => chat({ messages: [{ role: 'user', name: s, content: 'hello' }] }), 'alice_b'),
  chatPlant('messages[].tool_call_id', (s) => chat({ messages: chatToolTurn({}, {}, { tool_call_id: s }) })),
  chatPlant(
    'tool_calls[].id (and the tool message naming it)',
    (s) => chat({ messages: chatToolTurn({ id: s }, {}, { tool_call_id: s }) }),
    'call_b1',
  ),
  chatPlant('tool_calls[].function.name', (s) => chat({ messages: chatToolTurn({}, { name: s }) }), 'lookup_b'),
  chatPlant('tool_calls[] extra key', (s) => chat({ messages: chatToolTurn({ extra: s }) })),
  chatPlant('tool_calls[].function extra key', (s) => chat({ messages: chatToolTurn({}, { extra: s }) })),
  chatPlant('tools[].function.name', (s) => chat({ tools: [fn({}, { name: s })] }), 'lookup_b'),
  chatPlant('tools[].function.description', (s) => chat({ tools: [fn({}, { description: s })] }), 'looks things up'),
  chatPlant(
    'tools[].function.parameters description',
    (s) => chat({ tools: [fn({}, { parameters: schemaWith(s) })] }),
    'the query',
  ),
  chatPlant(
    'tools[].function.parameters enum',
    (s) =>
      chat({ tools: [fn({}, { parameters: { type: 'object', properties: { q: { type: 'string', enum: [s] } } } })] }),
    'alpha_b',
  ),
  chatPlant('tools[].function.strict (string)', (s) => chat({ tools: [fn({}, { strict: s })] })),
  chatPlant('tools[].function.strict (object)', (s) => chat({ tools: [fn({}, { strict: { note: s } })] })),
  chatPlant('stop (string)', (s) => chat({ stop: s }), 'END_B'),
  chatPlant('stop (array)', (s) => chat({ stop: ['END', s] }), 'END_B'),
  chatPlant(
    'response_format json_schema description',
    (s) =>
      chat({
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'answer', schema: { type: 'object', description: s, properties: {} } },
        },
      }),
    'an answer',
  ),
  chatPlant(
    'response_format json_schema name',
    (s) => chat({ response_format: { type: 'json_schema', json_schema: { name: s, schema: { type: 'object' } } } }),
    'answer_b',
  ),
  chatPlant(
    'response_format json_schema property description',
    (s) => chat({ response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: schemaWith(s) } } }),
    'the query',
  ),
  chatPlant(
    'tool_choice object',
    (s) => chat({ tools: [fn()], tool_choice: { type: 'function', function: { name: s } } }),
    'lookup',
  ),
  chatPlant('tool_choice extra key', (s) =>
    chat({ tools: [fn()], tool_choice: { type: 'function', function: { name: 'lookup' }, extra: s } }),
  ),
  chatPlant('reasoning_effort', (s) => chat({ reasoning_effort: s }), 'low'),
  chatPlant('user', (s) => chat({ user: s })),
  chatPlant('metadata value', (s) => chat({ metadata: { note: s } })),
  chatPlant('image_url url', (s) =>
    chat({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: `https://img.example/${s}.png` } },
          ],
        },
      ],
    }),
  ),
  chatPlant('prediction content', (s) => chat({ prediction: { type: 'content', content: s } })),
  chatPlant('service_tier', (s) => chat({ service_tier: s })),
  chatPlant('audio.voice', (s) => chat({ modalities: ['text', 'audio'], audio: { voice: s, format: 'mp3' } })),
  chatPlant('web_search_options', (s) =>
    chat({ web_search_options: { user_location: { type: 'approximate', approximate: { city: s } } } }),
  ),
  chatPlant('stream_options extra key', (s) => chat({ stream_options: { include_usage: true, extra: s } })),
  chatPlant('unknown top-level key', (s) => chat({ x_extra: s })),
  chatPlant('unknown key in a message', (s) => chat({ messages: [{ ...user, x_extra: s }] })),
  chatPlant('unknown key in a content part', (s) =>
    chat({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hello', x_extra: s }] }] }),
  ),
  chatPlant('unknown key in tools[]', (s) => chat({ tools: [fn({ x_extra: s })] })),
  chatPlant('unknown key in response_format', (s) => chat({ response_format: { type: 'json_object', x_extra: s } })),
  chatPlant('object key at top level', (s) => chat({ [s]: 1 })),
  chatPlant('object key in a message', (s) => chat({ messages: [{ ...user, [s]: 'x' }] })),
  chatPlant('object key in metadata', (s) => chat({ metadata: { [s]: 'x' } })),
  chatPlant('object key in tool parameters', (s) =>
    chat({ tools: [fn({}, { parameters: { type: 'object', properties: { [s]: { type: 'string' } } } })] }),
  ),
  chatPlant('object key in tool_calls arguments', (s) =>
    chat({ messages: chatToolTurn({}, { arguments: JSON.stringify({ [s]: 1 }) }) }),
  ),
  chatPlant('logit_bias key', (s) => chat({ logit_bias: { [s]: 1 } })),

  // completions
  completionsPlant('prompt (baseline)', (s) => completions({ prompt: `hello ${s}` }), 'hello_b'),
  completionsPlant('prompt array', (s) => completions({ prompt: ['hello', s] }), 'hello_b'),
  completionsPlant('stop (string)', (s) => completions({ stop: s }), 'END_B'),
  completionsPlant('stop (array)', (s) => completions({ stop: ['END', s] }), 'END_B'),
  completionsPlant('logit_bias key', (s) => completions({ logit_bias: { [s]: 1 } })),
  completionsPlant('suffix', (s) => completions({ suffix: s })),
  completionsPlant('user', (s) => completions({ user: s })),
  completionsPlant('unknown top-level key', (s) => completions({ x_extra: s })),
  completionsPlant('unknown key in stream_options', (s) =>
    completions({ stream_options: { include_usage: true, extra: s } }),
  ),
  completionsPlant('object key at top level', (s) => completions({ [s]: 1 })),

  // embeddings
  embeddingsPlant('input (baseline)', (s) => embeddings({ input: `hello ${s}` }), 'hello_b'),
  embeddingsPlant('input array', (s) => embeddings({ input: ['hello', s] }), 'hello_b'),
  embeddingsPlant('user', (s) => embeddings({ user: s })),
  embeddingsPlant('encoding_format', (s) => embeddings({ encoding_format: s }), 'float'),
  embeddingsPlant('unknown top-level key', (s) => embeddings({ x_extra: s })),
  embeddingsPlant('object key at top level', (s) => embeddings({ [s]: 1 })),

  ...RESPONSES_PLANTS,
  ...MESSAGES_PLANTS,
];
