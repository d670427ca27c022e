// The provider stage's data: what a parsed client request looks like to the rest of the pipeline, and its errors.
// A NormalizedRequest never carries the client's credentials; `body` is the validated object that is re-serialised
// for the upstream (never the client's raw bytes).

/** A text the model will see, with where it sits in the request (structurally the classifier's TextSegment). */
export interface TextSegment {
  path: string;
  text: string;
}

/**
 * Where a request segment sits, for the policy's `classification.where`: the role of the message it belongs to
 * (`developer` messages count as `system`), the arguments of a tool call, or a tool definition.
 */
export type SegmentLocation = 'system' | 'user' | 'assistant' | 'tool' | 'tool_arguments' | 'tools';

export interface RequestSegment extends TextSegment {
  location: SegmentLocation;
}

export type Api = 'openai.chat_completions';

export interface NormalizedRequest {
  api: Api;
  model: string;
  stream: boolean;
  maxTokens: number | null;
  messageCount: number;
  /** A deliberate over-estimate of the prompt's tokens for typical text, without a tokenizer (token-estimate.ts). */
  estimatedPromptTokens: number;
  /** The names of the tools the request offers the model, in request order. */
  toolNames: string[];
  segments: RequestSegment[];
  body: Record<string, unknown>;
  /** Hex SHA-256 of the client's raw body bytes, so a record can be matched to a captured request. */
  bodySha256: string;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export type RequestErrorCode = 'ERR_REQUEST_NOT_JSON' | 'ERR_REQUEST_INVALID' | 'ERR_REQUEST_UNKNOWN_FIELD' | 'ERR_REQUEST_UNSUPPORTED';

export class RequestError extends Error {
  readonly code: RequestErrorCode;
  /** The offending field's path in the body, in OpenAI's `param` sense; null for the body as a whole. */
  readonly param: string | null;
  constructor(code: RequestErrorCode, message: string, param: string | null) {
    super(message);
    this.name = 'RequestError';
    this.code = code;
    this.param = param;
  }
}
