// OpenAI embeddings (`POST /v1/embeddings`): every input string is classified like a prompt. The answer is vectors,
// which carry no text the client reads, so nothing in it is screened. Token-array inputs are refused (they cannot be
// classified); streaming does not exist for this API. The forwarded body is the shape walk's output (shape.ts).
import { MODEL_PATTERN, type Json } from './json-body.ts';
import { int, object, oneOf, text, type ObjectShape } from './shape.ts';
import { normalizedRequest, parseShaped, PROMPT_TEXTS, rebuild } from './shaped-request.ts';
import type { NormalizedRequest } from './types.ts';

export const EMBEDDING_REQUEST: ObjectShape = object(
  {
    model: text({ pattern: MODEL_PATTERN, counted: false }),
    input: PROMPT_TEXTS,
    encoding_format: oneOf('float', 'base64'),
    dimensions: int(1),
  },
  { required: ['model', 'input'], refused: { user: 'identity comes from the access token, never from the body' } },
);

export function parseEmbedding(raw: Uint8Array): NormalizedRequest {
  const { body, inspected, bodySha256 } = parseShaped(raw, EMBEDDING_REQUEST);
  const request = normalizedRequest({
    api: 'openai.embeddings',
    body,
    inspected,
    bodySha256,
    maxTokens: null,
    outputs: 1, // vectors, no generated tokens
    messageCount: typeof body.input === 'string' ? 1 : (body.input as unknown[]).length,
    toolCalls: 0,
    toolNames: [],
    overheadMessages: 0,
  });
  return { ...request, stream: false };
}

/** Embeddings have no output tokens to cap. */
export function embeddingUpstreamBody(request: NormalizedRequest): Json {
  return rebuild(EMBEDDING_REQUEST, request.body);
}
