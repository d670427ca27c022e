// OpenAI Responses API (`POST /v1/responses`): `input` (a string or message / function_call / function_call_output
// items), `instructions`, function tools. Invariants: state the model would read that Proctor never saw is refused
// (`previous_response_id`, `conversation`, stored prompts); every text part, call argument, call output, instruction
// and tool definition is a segment; non-text parts are refused.
import { createHash } from 'node:crypto';
import { addSegment, checkFields, collectJsonStrings, isBoolean, isNumberIn, isPlainObject, isPositiveInt, MODEL_PATTERN, newCollected, parseJsonObject, type Collected, type Json } from './json-body.ts';
import { estimatePromptTokens, utf8Bytes } from './token-estimate.ts';
import { RequestError, type NormalizedRequest, type SegmentLocation, type TextSegment, type Usage } from './types.ts';
import { withCached } from './openai-completions.ts';

const FIELDS = {
  model: (v) => typeof v === 'string' && MODEL_PATTERN.test(v),
  input: (v) => typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.length <= 4096),
  instructions: (v) => typeof v === 'string',
  tools: (v) => Array.isArray(v) && v.length <= 128 && v.every(isPlainObject),
  tool_choice: (v) => typeof v === 'string' || isPlainObject(v),
  max_output_tokens: isPositiveInt,
  temperature: (v) => isNumberIn(v, 0, 2),
  top_p: (v) => isNumberIn(v, 0, 1),
  stream: isBoolean,
  parallel_tool_calls: isBoolean,
  store: isBoolean,
  text: isPlainObject,
  reasoning: isPlainObject,
  truncation: (v) => v === 'auto' || v === 'disabled',
} satisfies Record<string, (v: unknown) => boolean>;

const ROLES = new Map<string, SegmentLocation>([['system', 'system'], ['developer', 'system'], ['user', 'user'], ['assistant', 'assistant']]);
const TOOL_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function parseResponsesRequest(raw: Uint8Array): NormalizedRequest {
  const body = parseJsonObject(raw);
  for (const key of ['previous_response_id', 'conversation', 'prompt']) {
    if (body[key] !== undefined) {
      throw new RequestError('ERR_REQUEST_UNSUPPORTED', `'${key}' makes the model read stored text Proctor never classified, so it is not supported`, key);
    }
  }
  checkFields(body, FIELDS, ['model', 'input']);
  const collected = newCollected();
  if (typeof body.instructions === 'string') addSegment(collected, 'instructions', body.instructions, 'system');
  let items = 1;
  if (typeof body.input === 'string') addSegment(collected, 'input', body.input, 'user');
  else (body.input as unknown[]).forEach((item, i) => validateItem(item, i, collected));
  if (Array.isArray(body.input)) items = body.input.length;
  const toolNames = ((body.tools as Json[] | undefined) ?? []).map((tool, i) => validateTool(tool, i, collected));
  return {
    api: 'openai.responses',
    model: body.model as string,
    stream: body.stream === true,
    maxTokens: (body.max_output_tokens ?? null) as number | null,
    messageCount: items,
    estimatedPromptTokens: estimatePromptTokens({ textBytes: collected.textBytes, messages: items, toolCalls: collected.toolCalls }),
    toolNames,
    segments: collected.segments,
    body,
    bodySha256: createHash('sha256').update(raw).digest('hex'),
  };
}

function validateItem(item: unknown, i: number, collected: Collected): void {
  const at = `input[${i}]`;
  if (!isPlainObject(item)) throw new RequestError('ERR_REQUEST_INVALID', `${at} must be an object`, at);
  const type = item.type ?? 'message';
  const only = (keys: string[]) => {
    for (const key of Object.keys(item)) {
      if (!keys.includes(key)) throw new RequestError('ERR_REQUEST_UNKNOWN_FIELD', `unsupported field '${at}.${key}'`, `${at}.${key}`);
    }
  };
  const str = (key: string) => {
    if (typeof item[key] !== 'string') throw new RequestError('ERR_REQUEST_INVALID', `${at}.${key} must be a string`, `${at}.${key}`);
    return item[key] as string;
  };
  if (type === 'message') {
    only(['type', 'role', 'content', 'id', 'status']);
    const location = typeof item.role === 'string' ? ROLES.get(item.role) : undefined;
    if (location === undefined) throw new RequestError('ERR_REQUEST_INVALID', `${at}.role must be one of ${[...ROLES.keys()].join(', ')}`, `${at}.role`);
    if (typeof item.content === 'string') {
      addSegment(collected, `${at}.content`, item.content, location);
    } else if (Array.isArray(item.content)) {
      item.content.forEach((part, j) => {
        const p = `${at}.content[${j}]`;
        const textPart = isPlainObject(part) && (part.type === 'input_text' || part.type === 'output_text') && typeof part.text === 'string'
          && Object.keys(part).every((k) => k === 'type' || k === 'text' || (k === 'annotations' && Array.isArray(part.annotations) && part.annotations.length === 0));
        if (!textPart) throw new RequestError('ERR_REQUEST_UNSUPPORTED', `${p}: only text parts can be classified, so only text parts are accepted`, p);
        addSegment(collected, `${p}.text`, part.text as string, location);
      });
    } else {
      throw new RequestError('ERR_REQUEST_INVALID', `${at}.content must be a string or an array of text parts`, `${at}.content`);
    }
  } else if (type === 'function_call') {
    only(['type', 'call_id', 'name', 'arguments', 'id', 'status']);
    str('call_id');
    collected.textBytes += utf8Bytes(str('name'));
    addSegment(collected, `${at}.arguments`, str('arguments'), 'tool_arguments');
    collected.toolCalls += 1;
  } else if (type === 'function_call_output') {
    only(['type', 'call_id', 'output', 'id', 'status']);
    str('call_id');
    addSegment(collected, `${at}.output`, str('output'), 'tool');
  } else {
    throw new RequestError('ERR_REQUEST_UNSUPPORTED', `${at}.type: only message, function_call and function_call_output items are supported`, `${at}.type`);
  }
}

function validateTool(tool: Json, i: number, collected: Collected): string {
  const at = `tools[${i}]`;
  if (tool.type !== 'function') throw new RequestError('ERR_REQUEST_UNSUPPORTED', `${at}.type: only function tools are supported`, `${at}.type`);
  for (const key of Object.keys(tool)) {
    if (!['type', 'name', 'description', 'parameters', 'strict'].includes(key)) {
      throw new RequestError('ERR_REQUEST_UNKNOWN_FIELD', `unsupported field '${at}.${key}'`, `${at}.${key}`);
    }
  }
  if (typeof tool.name !== 'string' || !TOOL_NAME_PATTERN.test(tool.name)) {
    throw new RequestError('ERR_REQUEST_INVALID', `${at}.name must be 1-64 letters, digits, '_' or '-'`, `${at}.name`);
  }
  if (tool.description !== undefined) {
    if (typeof tool.description !== 'string') throw new RequestError('ERR_REQUEST_INVALID', `${at}.description must be a string`, `${at}.description`);
    collected.segments.push({ path: `${at}.description`, text: tool.description, location: 'tools' });
  }
  if (tool.parameters !== undefined && tool.parameters !== null) collectJsonStrings(tool.parameters, `${at}.parameters`, collected, 'tools');
  collected.textBytes += utf8Bytes(JSON.stringify(tool));
  return tool.name;
}

export function responsesUpstreamBody(request: NormalizedRequest, maxTokensCap: number | null): Json {
  const body: Json = { ...request.body };
  if (maxTokensCap !== null) body.max_output_tokens = Math.min(maxTokensCap, (body.max_output_tokens as number | undefined) ?? maxTokensCap);
  return body;
}

export function readResponsesUsage(response: unknown): Usage | null {
  if (!isPlainObject(response) || !isPlainObject(response.usage)) return null;
  const u = response.usage;
  if (!Number.isSafeInteger(u.input_tokens) || !Number.isSafeInteger(u.output_tokens)) return null;
  const total = Number.isSafeInteger(u.total_tokens) ? (u.total_tokens as number) : (u.input_tokens as number) + (u.output_tokens as number);
  return withCached({ prompt_tokens: u.input_tokens as number, completion_tokens: u.output_tokens as number, total_tokens: total }, u.input_tokens_details);
}
