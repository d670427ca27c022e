// What every adapter does with a client body, once: strict JSON → the API's closed shape (shape.ts) → the parts of
// a NormalizedRequest that do not depend on the API. Invariant: `body` in the result is the walk's rebuilt value,
// never the client's parsed object, so nothing the walk did not inspect can be forwarded.
import { hash } from 'node:crypto';
import { parseJsonObject, type Json } from './json-body.ts';
import { arrayOf, either, refuse, text, type ObjectShape } from './shape.ts';
import { inspect, type Inspected } from './shape-walk.ts';
import { estimatePromptTokens } from './token-estimate.ts';
import type { Api, NormalizedRequest } from './types.ts';

/** A prompt or an input: a string or up to 2,048 strings; token arrays are refused (they cannot be classified). */
export const PROMPT_TEXTS = either(
  text({ location: 'user' }),
  arrayOf(
    either(
      text({ location: 'user' }),
      refuse('token arrays cannot be classified, so only text is accepted', 'array', 'number'),
    ),
    2048,
    1,
  ),
);

/** Texts outside messages (model, parameters, response formats) count as the developer's: location `system`. */
const TOP_LEVEL_LOCATION = 'system';

export function parseShaped(
  raw: Uint8Array,
  shape: ObjectShape,
): { body: Json; inspected: Inspected<Json>; bodySha256: string } {
  const parsed = parseJsonObject(raw);
  const inspected = inspect<Json>(shape, parsed, TOP_LEVEL_LOCATION);
  return { body: inspected.value, inspected, bodySha256: hash('sha256', raw, 'hex') };
}

/** The shape walk once more, over a body the pipeline changed (redaction): what goes upstream is always its output. */
export function rebuild(shape: ObjectShape, body: Json): Json {
  return inspect<Json>(shape, body, TOP_LEVEL_LOCATION).value;
}

export function normalizedRequest(parts: {
  api: Api;
  body: Json;
  inspected: Inspected<Json>;
  bodySha256: string;
  maxTokens: number | null;
  /** As NormalizedRequest.outputs: every adapter says how many outputs its API bills per output cap. */
  outputs: number;
  messageCount: number;
  toolCalls: number;
  toolNames: string[];
  /** Messages for the token estimate's per-message overhead, when not messageCount (embedding inputs have none). */
  overheadMessages?: number;
}): NormalizedRequest {
  const { body, inspected } = parts;
  return {
    api: parts.api,
    model: body.model as string,
    stream: body.stream === true,
    maxTokens: parts.maxTokens,
    outputs: parts.outputs,
    messageCount: parts.messageCount,
    estimatedPromptTokens: estimatePromptTokens({
      textBytes: inspected.textBytes,
      messages: parts.overheadMessages ?? parts.messageCount,
      toolCalls: parts.toolCalls,
    }),
    toolNames: parts.toolNames,
    // The model name first: its findings then come before any others, so no cap on kept findings can hide them.
    segments: [
      ...inspected.segments.filter((s) => s.path === 'model'),
      ...inspected.segments.filter((s) => s.path !== 'model'),
    ],
    body,
    bodySha256: parts.bodySha256,
  };
}
