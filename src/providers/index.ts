// Provider adapters: everything Proctor knows about an API's wire format lives here, behind one interface, in one
// registry. The pipeline asks the registry for the adapter of a route and never branches on a provider's name.
import { chatUpstreamBody, parseChatCompletion, readChatUsage } from './openai-chat.ts';
import { chatResponseSegments } from './openai-chat-response.ts';
import { replaceSegmentTexts } from './segment-paths.ts';
import type { Api, NormalizedRequest, TextSegment, Usage } from './types.ts';

export { RequestError } from './types.ts';
export type { Api, NormalizedRequest, RequestErrorCode, RequestSegment, SegmentLocation, TextSegment, Usage } from './types.ts';

export interface ProviderAdapter {
  readonly api: Api;
  /** Path under the upstream's base URL; fixed per API, so a model name can never alter it. */
  readonly upstreamPath: string;
  /** MUST throw RequestError for anything it cannot validate completely. */
  parse(raw: Uint8Array): NormalizedRequest;
  upstreamBody(request: NormalizedRequest, maxTokensCap: number | null): Record<string, unknown>;
  readUsage(response: unknown): Usage | null;
  /** Every text of a (non-streaming) answer the client will read, with paths. */
  responseSegments(response: unknown): TextSegment[];
  /** A copy of a request or answer body with the texts at the given segment paths replaced; throws on a bad path. */
  replaceTexts(body: Record<string, unknown>, edits: readonly { path: string; text: string }[]): Record<string, unknown>;
}

const openaiChat: ProviderAdapter = {
  api: 'openai.chat_completions',
  upstreamPath: '/chat/completions',
  parse: parseChatCompletion,
  upstreamBody: chatUpstreamBody,
  readUsage: readChatUsage,
  responseSegments: chatResponseSegments,
  replaceTexts: replaceSegmentTexts,
};

const adapters = { 'openai.chat_completions': openaiChat } satisfies Record<Api, ProviderAdapter>;

export function adapterFor(api: Api): ProviderAdapter {
  return adapters[api];
}
