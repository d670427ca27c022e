// The provider stage's data: what a parsed client request looks like to the rest of the pipeline, and its errors.
// A NormalizedRequest never carries the client's credentials; `body` is the validated object that is re-serialised
// for the upstream (never the client's raw bytes).

/** A text the model will see, with where it sits in the request (structurally the classifier's TextSegment). */
export interface TextSegment {
  path: string;
  text: string;
}

export type AnswerStep = string | number;

/** Where a value sits, as a chain of steps back to the root (shared by siblings: no array per value). */
export interface AnswerAt {
  parent: AnswerAt | null;
  step: AnswerStep;
}

export interface AnswerSegment extends TextSegment {
  /** Where the string sits; for a key segment, the object whose property names it lists (null: the root). */
  at: AnswerAt | null;
  /**
   * A read-only segment: an object's property names (joined by "\n"), or an array of integers read as text (the
   * numbers, and as UTF-8 when each is a byte): a finding there cannot be redacted in place.
   */
  keys: boolean;
}

/**
 * Where a request segment sits, for the policy's `classification.where`: the role of the message it belongs to
 * (`developer` messages count as `system`), the arguments of a tool call, or a tool definition.
 */
export type SegmentLocation = 'system' | 'user' | 'assistant' | 'tool' | 'tool_arguments' | 'tools';

export interface RequestSegment extends TextSegment {
  location: SegmentLocation;
  /** The path as records show it, when it differs: property names the client chose (inside free-form JSON) stand as
   * their position `{n}`, so no path carries a value into a record. */
  label?: string;
}

export type Api =
  | 'openai.chat_completions'
  | 'openai.completions'
  | 'openai.embeddings'
  | 'openai.responses'
  | 'anthropic.messages';

/** Requests Proctor answers itself, from policy, without an adapter or an upstream (GET /v1/models). */
export type ListingApi = 'openai.models';

export interface NormalizedRequest {
  api: Api | ListingApi;
  model: string;
  stream: boolean;
  maxTokens: number | null;
  /**
   * How many outputs the upstream generates and bills for this request, each up to `maxTokens`: chat's `n`, legacy
   * completions' prompts × `best_of` (or `n`); absent means one. The limits stage reserves the output cap this many
   * times (docs/limits.md "The estimate").
   */
  outputs?: number;
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
  /**
   * Present (true) only when some of these counts are Proctor's estimate rather than the upstream's report: a stream
   * that was cut or abandoned before the upstream sent its usage (token-estimate.ts explains the estimate).
   */
  estimated?: true;
  /**
   * The part of prompt_tokens the provider served from its prompt cache (priced at the cached-input rate), when the
   * upstream reported it: OpenAI `prompt_tokens_details.cached_tokens` / `input_tokens_details.cached_tokens`,
   * Anthropic `cache_read_input_tokens`.
   */
  cached_input_tokens?: number;
  /**
   * The part of prompt_tokens the provider wrote to its prompt cache (priced at the cache-write rate), when the
   * upstream reported it: Anthropic `cache_creation_input_tokens`; of those, `cache_write_1h_tokens` went to a
   * 1-hour cache (`cache_creation.ephemeral_1h_input_tokens`).
   */
  cache_write_tokens?: number;
  cache_write_1h_tokens?: number;
}

/** A usage's prompt-cache counts, each within what it is part of: reads within the prompt, writes within the rest of
 * it, 1-hour writes within the writes; absent ones stay absent. */
export function cacheCounts(
  counts: Pick<Usage, 'cached_input_tokens' | 'cache_write_tokens' | 'cache_write_1h_tokens'>,
  prompt: number,
): Pick<Usage, 'cached_input_tokens' | 'cache_write_tokens' | 'cache_write_1h_tokens'> {
  const reads = counts.cached_input_tokens === undefined ? undefined : Math.min(counts.cached_input_tokens, prompt);
  const writes =
    counts.cache_write_tokens === undefined ? undefined : Math.min(counts.cache_write_tokens, prompt - (reads ?? 0));
  const writes1h =
    counts.cache_write_1h_tokens === undefined ? undefined : Math.min(counts.cache_write_1h_tokens, writes ?? 0);
  return {
    ...(reads === undefined ? {} : { cached_input_tokens: reads }),
    ...(writes === undefined ? {} : { cache_write_tokens: writes }),
    ...(writes1h === undefined ? {} : { cache_write_1h_tokens: writes1h }),
  };
}

export type RequestErrorCode =
  | 'ERR_REQUEST_NOT_JSON'
  | 'ERR_REQUEST_INVALID'
  | 'ERR_REQUEST_UNKNOWN_FIELD'
  | 'ERR_REQUEST_UNSUPPORTED';

export class RequestError extends Error {
  readonly code: RequestErrorCode;
  /** The offending field's path in the body, in OpenAI's `param` sense; null for the body as a whole. */
  readonly param: string | null;
  constructor(code: RequestErrorCode, message: string, param: string | null, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RequestError';
    this.code = code;
    this.param = param;
  }
}

/** One server-sent event: its `event:` name (null when absent) and its `data:` lines joined by "\n". */
export interface SseEvent {
  event: string | null;
  data: string;
}

/** A piece of answer text in one stream event, on a channel (the answer text it extends, named like a segment path). */
export interface StreamText {
  channel: string;
  text: string;
}

/** What one upstream event means to the relay. */
export interface StreamStep {
  /** Answer text this event adds, in order; the relay scans it and hands the releasable part to `render`. */
  texts: StreamText[];
  /** Channels this event ends ('all' for the final event): their held-back text MUST be released before it. */
  closes: readonly string[] | 'all';
  /** The stream's last event ([DONE], message_stop, response.completed); held back until the outcome is recorded. */
  final: boolean;
  /** The upstream reported a failure inside the stream; the stream ends here, recorded as ERR_UPSTREAM_ERROR. */
  upstreamError: boolean;
  /**
   * Every other string and key list of the event as it will be relayed (ids, names, model, stop sequences, usage keys,
   * any field the session keeps): the relay screens each one whole before the event is written (answer-json.ts).
   */
  fields: readonly AnswerSegment[];
}

/**
 * One streamed answer, read event by event. `read` MUST throw StreamProtocolError for an event it cannot interpret
 * (unknown text-carrying shapes are never relayed unscanned). `render` returns the event as the client sees it, with
 * each of `step.texts` replaced by the text the relay released for it and each of `step.fields` by its screened text
 * (both index-aligned), or null to drop the event. A rendered event MUST hold no string outside those two lists.
 */
export interface StreamSession {
  read(event: SseEvent): StreamStep;
  render(step: StreamStep, texts: readonly string[], fields: readonly string[]): SseEvent | null;
  /** An event that carries `text` on `channel` (releases held-back text before the channel closes). */
  textEvent(channel: string, text: string): SseEvent;
  /** The usage the upstream has reported so far; null counts where it has reported none. */
  usage(): { prompt_tokens: number | null; completion_tokens: number | null } & Pick<
    Usage,
    'cached_input_tokens' | 'cache_write_tokens' | 'cache_write_1h_tokens'
  >;
}

export class StreamProtocolError extends Error {
  readonly code = 'ERR_UPSTREAM_BAD_RESPONSE';
  constructor(message: string) {
    super(message);
    this.name = 'StreamProtocolError';
  }
}

/** An error as Proctor reports it; each adapter renders it in its API's own error shape. */
export interface ClientError {
  code: string;
  /** The OpenAI-vocabulary type from the failure table; adapters map it to their API's vocabulary. */
  type: string;
  message: string;
  requestId: string;
  param?: string | null;
  reasons?: readonly { code: string; message: string }[];
  /** An upstream's error as pipeline/upstream-error.ts screened it: its status; its type and code if closed tokens. */
  upstream?: { status: number; type?: string; code?: string };
}
