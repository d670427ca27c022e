// The plants of the two APIs with typed items and blocks: Responses (input items, tools, text.format, reasoning) and
// Anthropic messages (content blocks, tool_use/tool_result, cache_control, tools); see request-plants.ts.
import {
  anthTool,
  anthToolTurn,
  messages,
  respCall,
  respTool,
  responses,
  schemaWith,
  user,
  plantIn,
  type Plant,
} from './request-bodies.ts';

const responsesPlant = plantIn('responses');
const messagesPlant = plantIn('messages');

export const RESPONSES_PLANTS: readonly Plant[] = [
  // responses
  responsesPlant('input (baseline)', (s) => responses({ input: `hello ${s}` }), 'hello_b'),
  responsesPlant('instructions (baseline)', (s) => responses({ instructions: s }), 'be brief'),
  responsesPlant('message id', (s) =>
    responses({ input: [{ type: 'message', role: 'user', id: s, content: [{ type: 'input_text', text: 'hello' }] }] }),
  ),
  responsesPlant(
    'message status',
    (s) =>
      responses({
        input: [{ type: 'message', role: 'user', status: s, content: [{ type: 'input_text', text: 'hello' }] }],
      }),
    'completed',
  ),
  responsesPlant(
    'function_call call_id (and the output naming it)',
    (s) => responses({ input: respCall({ call_id: s }, { call_id: s }) }),
    'call_b1',
  ),
  responsesPlant('function_call name', (s) => responses({ input: respCall({ name: s }) }), 'lookup_b'),
  responsesPlant('function_call id', (s) => responses({ input: respCall({ id: s }) })),
  responsesPlant(
    'function_call arguments (baseline)',
    (s) => responses({ input: respCall({ arguments: JSON.stringify({ q: s }) }) }),
    'query_b',
  ),
  responsesPlant('function_call_output call_id', (s) => responses({ input: respCall({}, { call_id: s }) })),
  responsesPlant(
    'function_call_output output (baseline)',
    (s) => responses({ input: respCall({}, { output: s }) }),
    'result_b',
  ),
  responsesPlant(
    'text.format schema description',
    (s) =>
      responses({
        text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object', description: s } } },
      }),
    'an answer',
  ),
  responsesPlant(
    'text.format name',
    (s) => responses({ text: { format: { type: 'json_schema', name: s, schema: { type: 'object' } } } }),
    'answer_b',
  ),
  responsesPlant('text.verbosity', (s) => responses({ text: { verbosity: s } }), 'low'),
  responsesPlant('reasoning.effort', (s) => responses({ reasoning: { effort: s } }), 'low'),
  responsesPlant('reasoning.summary', (s) => responses({ reasoning: { summary: s } }), 'auto'),
  responsesPlant('reasoning extra key', (s) => responses({ reasoning: { effort: 'low', extra: s } })),
  responsesPlant(
    'tool_choice object',
    (s) => responses({ tools: [respTool()], tool_choice: { type: 'function', name: s } }),
    'lookup',
  ),
  responsesPlant('tools[].strict', (s) => responses({ tools: [respTool({ strict: s })] })),
  responsesPlant('tools[].name', (s) => responses({ tools: [respTool({ name: s })] }), 'lookup_b'),
  responsesPlant('tools[].description', (s) => responses({ tools: [respTool({ description: s })] }), 'looks things up'),
  responsesPlant(
    'tools[].parameters description',
    (s) => responses({ tools: [respTool({ parameters: schemaWith(s) })] }),
    'the query',
  ),
  responsesPlant('metadata value', (s) => responses({ metadata: { note: s } })),
  responsesPlant('user', (s) => responses({ user: s })),
  responsesPlant('previous_response_id', (s) => responses({ previous_response_id: s })),
  responsesPlant('include', (s) => responses({ include: [s] })),
  responsesPlant('input_image url', (s) =>
    responses({
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'look' },
            { type: 'input_image', image_url: `https://img.example/${s}.png` },
          ],
        },
      ],
    }),
  ),
  responsesPlant('unknown top-level key', (s) => responses({ x_extra: s })),
  responsesPlant('unknown key in an input item', (s) =>
    responses({ input: [{ role: 'user', content: 'hello', x_extra: s }] }),
  ),
  responsesPlant('unknown key in input_text', (s) =>
    responses({ input: [{ role: 'user', content: [{ type: 'input_text', text: 'hello', x_extra: s }] }] }),
  ),
  responsesPlant('unknown key in tools[]', (s) => responses({ tools: [respTool({ x_extra: s })] })),
  responsesPlant('object key at top level', (s) => responses({ [s]: 1 })),
  responsesPlant('object key in metadata', (s) => responses({ metadata: { [s]: 'x' } })),
  responsesPlant('object key in tool parameters', (s) =>
    responses({ tools: [respTool({ parameters: { type: 'object', properties: { [s]: { type: 'string' } } } })] }),
  ),
];

export const MESSAGES_PLANTS: readonly Plant[] = [
  // anthropic messages
  messagesPlant(
    'messages[].content (baseline)',
    (s) => messages({ messages: [{ role: 'user', content: `hello ${s}` }] }),
    'hello_b',
  ),
  messagesPlant('system (baseline)', (s) => messages({ system: s }), 'be brief'),
  messagesPlant('stop_sequences', (s) => messages({ stop_sequences: [s] }), 'END_B'),
  messagesPlant('tool_choice extra key', (s) =>
    messages({ tools: [anthTool()], tool_choice: { type: 'auto', extra: s } }),
  ),
  messagesPlant(
    'tool_choice name',
    (s) => messages({ tools: [anthTool()], tool_choice: { type: 'tool', name: s } }),
    'lookup',
  ),
  messagesPlant('cache_control extra key (system block)', (s) =>
    messages({ system: [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral', note: s } }] }),
  ),
  messagesPlant(
    'cache_control type',
    (s) => messages({ system: [{ type: 'text', text: 'be brief', cache_control: { type: s } }] }),
    'ephemeral',
  ),
  messagesPlant(
    'cache_control ttl (content block)',
    (s) =>
      messages({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'hello', cache_control: { type: 'ephemeral', ttl: s } }] },
        ],
      }),
    '5m',
  ),
  messagesPlant(
    'tool_use id (and the tool_result naming it)',
    (s) => messages({ messages: anthToolTurn({ id: s }, { tool_use_id: s }) }),
    'toolu_b1',
  ),
  messagesPlant('tool_use name', (s) => messages({ messages: anthToolTurn({ name: s }) }), 'lookup_b'),
  messagesPlant(
    'tool_use input value (baseline)',
    (s) => messages({ messages: anthToolTurn({ input: { q: s } }) }),
    'query_b',
  ),
  messagesPlant('tool_use input key', (s) => messages({ messages: anthToolTurn({ input: { [s]: 1 } }) }), 'q_b'),
  messagesPlant('tool_result tool_use_id', (s) => messages({ messages: anthToolTurn({}, { tool_use_id: s }) })),
  messagesPlant(
    'tool_result content (baseline)',
    (s) => messages({ messages: anthToolTurn({}, { content: s }) }),
    'result_b',
  ),
  messagesPlant('tools[].name', (s) => messages({ tools: [anthTool({ name: s })] }), 'lookup_b'),
  messagesPlant('tools[].description', (s) => messages({ tools: [anthTool({ description: s })] }), 'looks things up'),
  messagesPlant(
    'tools[].input_schema description',
    (s) => messages({ tools: [anthTool({ input_schema: schemaWith(s) })] }),
    'the query',
  ),
  messagesPlant('tools[].cache_control extra key', (s) =>
    messages({ tools: [anthTool({ cache_control: { type: 'ephemeral', note: s } })] }),
  ),
  messagesPlant('metadata.user_id', (s) => messages({ metadata: { user_id: s } })),
  messagesPlant('thinking extra key', (s) =>
    messages({ max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024, extra: s } }),
  ),
  messagesPlant('image source url', (s) =>
    messages({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image', source: { type: 'url', url: `https://img.example/${s}.png` } },
          ],
        },
      ],
    }),
  ),
  messagesPlant('document title', (s) =>
    messages({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'read' },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'doc' }, title: s },
          ],
        },
      ],
    }),
  ),
  messagesPlant('unknown top-level key', (s) => messages({ x_extra: s })),
  messagesPlant('unknown key in a message', (s) => messages({ messages: [{ ...user, x_extra: s }] })),
  messagesPlant('unknown key in a content block', (s) =>
    messages({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hello', x_extra: s }] }] }),
  ),
  messagesPlant('unknown key in tools[]', (s) => messages({ tools: [anthTool({ x_extra: s })] })),
  messagesPlant('object key at top level', (s) => messages({ [s]: 1 })),
  messagesPlant('object key in metadata', (s) => messages({ metadata: { [s]: 'x' } })),
  messagesPlant('object key in input_schema', (s) =>
    messages({ tools: [anthTool({ input_schema: { type: 'object', properties: { [s]: { type: 'string' } } } })] }),
  ),
];
