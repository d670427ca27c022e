// OpenAI embeddings (`POST /v1/embeddings`): every input string is classified like a prompt. The answer is vectors,
// which carry no text the client reads, so nothing in it is screened. Token-array inputs are refused (they cannot be
// classified); streaming does not exist for this API.
import { createHash } from 'node:crypto';
import { addSegment, checkFields, MODEL_PATTERN, newCollected, parseJsonObject, isPositiveInt, type Json } from './json-body.ts';
import { estimatePromptTokens } from './token-estimate.ts';
import { RequestError, type NormalizedRequest } from './types.ts';

const FIELDS = {
  model: (v) => typeof v === 'string' && MODEL_PATTERN.test(v),
  input: (v) => typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.length <= 2048),
  encoding_format: (v) => v === 'float' || v === 'base64',
  dimensions: isPositiveInt,
} satisfies Record<string, (v: unknown) => boolean>;

export function parseEmbedding(raw: Uint8Array): NormalizedRequest {
  const body = parseJsonObject(raw);
  checkFields(body, FIELDS, ['model', 'input']);
  const collected = newCollected();
  const inputs = typeof body.input === 'string' ? [body.input] : (body.input as unknown[]);
  inputs.forEach((text, i) => {
    const path = typeof body.input === 'string' ? 'input' : `input[${i}]`;
    if (typeof text !== 'string') throw new RequestError('ERR_REQUEST_UNSUPPORTED', `${path}: only text inputs can be classified (token arrays are refused)`, path);
    addSegment(collected, path, text, 'user');
  });
  return {
    api: 'openai.embeddings',
    model: body.model as string,
    stream: false,
    maxTokens: null,
    messageCount: inputs.length,
    estimatedPromptTokens: estimatePromptTokens({ textBytes: collected.textBytes, messages: 0, toolCalls: 0 }),
    toolNames: [],
    segments: collected.segments,
    body,
    bodySha256: createHash('sha256').update(raw).digest('hex'),
  };
}

/** Embeddings have no output tokens to cap. */
export function embeddingUpstreamBody(request: NormalizedRequest): Json {
  return { ...request.body };
}
