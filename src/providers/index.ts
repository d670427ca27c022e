// Provider adapters: everything Proctor knows about an API's wire format lives here, behind one interface, in one
// registry. The pipeline asks the registry for the adapter of a route and never branches on a provider's name.
import {
  ANTHROPIC_REQUEST,
  anthropicUpstreamBody,
  parseAnthropicMessages,
  readAnthropicUsage,
} from './anthropic-messages.ts';
import type { ObjectShape } from './shape.ts';
import { answerSegments, embeddingAnswerSegments, type AnswerSegment } from './answer-json.ts';
import { checkClosedLabels, dropUnreadLabels, type LabelDialect } from './answer-labels.ts';
import { openAnthropicStream } from './anthropic-stream.ts';
import { anthropicErrorBody, anthropicErrorEvent, openaiErrorBody, openaiErrorEvent } from './error-shapes.ts';
import { CHAT_REQUEST, chatUpstreamBody, parseChatCompletion } from './openai-chat.ts';
import { COMPLETION_REQUEST, completionUpstreamBody, parseCompletion, readOpenAiUsage } from './openai-completions.ts';
import { EMBEDDING_REQUEST, embeddingUpstreamBody, parseEmbedding } from './openai-embeddings.ts';
import {
  parseResponsesRequest,
  readResponsesUsage,
  RESPONSES_REQUEST,
  responsesUpstreamBody,
} from './openai-responses.ts';
import { openResponsesStream } from './openai-responses-stream.ts';
import { openOpenAiStream } from './openai-stream.ts';
import { replaceSegmentTexts } from './segment-paths.ts';
import type { Api, ClientError, NormalizedRequest, SseEvent, StreamSession, Usage } from './types.ts';

export { cacheCounts, RequestError, StreamProtocolError } from './types.ts';
export { clientStatusForUpstream, upstreamErrorParts, type UpstreamErrorParts } from './error-shapes.ts';
export {
  ANSWER_MAX_NODES,
  AnswerShapeError,
  answerSegments,
  stepsOf,
  writeAnswerTexts,
  type AnswerAt,
  type AnswerSegment,
  type AnswerStep,
} from './answer-json.ts';
export type { JsonType, ObjectShape, Shape } from './shape.ts';
// The closed-world walk and its shape builders, for other closed-world requests (the MCP proxy's, src/mcp).
export { either, int, json, object, refuse, text } from './shape.ts';
export { inspect, type Inspected } from './shape-walk.ts';
export type {
  Api,
  ClientError,
  ListingApi,
  NormalizedRequest,
  RequestErrorCode,
  RequestSegment,
  SegmentLocation,
  SseEvent,
  StreamSession,
  StreamStep,
  StreamText,
  TextSegment,
  Usage,
} from './types.ts';

/** The wire protocol an API speaks upstream: how the credential is presented and which error shape clients expect. */
export type Dialect = 'openai' | 'anthropic';

export interface ProviderAdapter {
  readonly api: Api;
  readonly dialect: Dialect;
  /** Path under the upstream's base URL; fixed per API, so a model name can never alter it. */
  readonly upstreamPath: string;
  /** The request's closed shape (shape.ts): what parse accepts and what upstreamBody rebuilds. */
  readonly requestShape: ObjectShape;
  /** MUST throw RequestError for anything it cannot validate completely. */
  parse(raw: Uint8Array): NormalizedRequest;
  /** The body sent upstream: the validated fields re-serialised, the decision's token cap applied, stream usage asked
   * for. */
  upstreamBody(request: NormalizedRequest, maxTokensCap: number | null): Record<string, unknown>;
  readUsage(response: unknown): Usage | null;
  /**
   * Every string of a (non-streaming) answer and every object's key list, with steps (answer-json.ts): the client
   * receives nothing else. Throws on a shape it cannot walk.
   */
  responseSegments(response: unknown): AnswerSegment[];
  /** A copy of a request or answer body with the texts at the given segment paths replaced; throws on a bad path. */
  replaceTexts(
    body: Record<string, unknown>,
    edits: readonly { path: string; text: string }[],
  ): Record<string, unknown>;
  /** An error in this API's own shape, so the client's SDK raises its usual error class. */
  errorBody(error: ClientError): Record<string, unknown>;
  /** The same error as a stream event, ending a stream that already started. */
  errorEvent(error: ClientError): SseEvent;
  /** Reads one streamed answer; null for an API that cannot stream (its parse refuses stream=true). */
  openStream: ((request: NormalizedRequest) => StreamSession) | null;
}

/**
 * An answer's segments, once what is no label is dropped unread and its labels are known to be closed tokens of the
 * adapter's dialect (answer-labels.ts).
 */
function labelled(
  walk: (response: unknown) => AnswerSegment[],
  dialect: LabelDialect,
): (response: unknown) => AnswerSegment[] {
  return (response) => {
    dropUnreadLabels(response, dialect); // top-level choices only: before the walk, so it is neither read nor relayed
    const segments = walk(response); // bounds depth and size first
    checkClosedLabels(response, dialect);
    return segments;
  };
}

const openai = {
  dialect: 'openai',
  replaceTexts: replaceSegmentTexts,
  errorBody: openaiErrorBody,
  errorEvent: openaiErrorEvent,
} as const;

const adapters = {
  'openai.chat_completions': {
    ...openai,
    api: 'openai.chat_completions',
    upstreamPath: '/chat/completions',
    requestShape: CHAT_REQUEST,
    parse: parseChatCompletion,
    upstreamBody: chatUpstreamBody,
    readUsage: readOpenAiUsage,
    responseSegments: labelled(answerSegments, 'openai'),
    openStream: (request) => openOpenAiStream('chat', request),
  },
  'openai.completions': {
    ...openai,
    api: 'openai.completions',
    upstreamPath: '/completions',
    requestShape: COMPLETION_REQUEST,
    parse: parseCompletion,
    upstreamBody: completionUpstreamBody,
    readUsage: readOpenAiUsage,
    responseSegments: labelled(answerSegments, 'openai'),
    openStream: (request) => openOpenAiStream('completions', request),
  },
  'openai.embeddings': {
    ...openai,
    api: 'openai.embeddings',
    upstreamPath: '/embeddings',
    requestShape: EMBEDDING_REQUEST,
    parse: parseEmbedding,
    upstreamBody: embeddingUpstreamBody,
    readUsage: readOpenAiUsage,
    // Vectors carry no text, but the answer's other strings (and any field an upstream adds) are screened all the same;
    // a vector's fractions are not (cheap, and a float of 17 digits reads as a card one time in fifty).
    responseSegments: labelled(embeddingAnswerSegments, 'openai'),
    openStream: null,
  },
  'openai.responses': {
    ...openai,
    api: 'openai.responses',
    upstreamPath: '/responses',
    requestShape: RESPONSES_REQUEST,
    parse: parseResponsesRequest,
    upstreamBody: responsesUpstreamBody,
    readUsage: readResponsesUsage,
    responseSegments: labelled(answerSegments, 'openai'),
    openStream: () => openResponsesStream(),
  },
  'anthropic.messages': {
    api: 'anthropic.messages',
    dialect: 'anthropic',
    upstreamPath: '/messages',
    requestShape: ANTHROPIC_REQUEST,
    parse: parseAnthropicMessages,
    upstreamBody: anthropicUpstreamBody,
    readUsage: readAnthropicUsage,
    responseSegments: labelled(answerSegments, 'anthropic'),
    replaceTexts: replaceSegmentTexts,
    errorBody: anthropicErrorBody,
    errorEvent: anthropicErrorEvent,
    openStream: () => openAnthropicStream(),
  },
} satisfies Record<Api, ProviderAdapter>;

export function adapterFor(api: Api): ProviderAdapter {
  return adapters[api];
}

/** Every registered adapter, for suites that every adapter must pass. */
export function allAdapters(): ProviderAdapter[] {
  return Object.values(adapters);
}
