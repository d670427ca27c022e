// What each kind of upstream is: the wire APIs it can serve and how its credential travels. This table is the one
// place that knows per-kind header rules; nothing else branches on a kind. A kind missing here is a type error.

/** The wire protocols Proctor forwards: the OpenAI API family and Anthropic's Messages API. */
export type ApiFamily = 'openai' | 'anthropic';
export const API_FAMILIES: readonly ApiFamily[] = ['openai', 'anthropic'];

export type UpstreamKind = 'openai' | 'anthropic' | 'openai-compatible' | 'gateway';
export const UPSTREAM_KINDS: readonly UpstreamKind[] = ['openai', 'anthropic', 'openai-compatible', 'gateway'];

export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

interface KindTraits {
  /** The API families an upstream of this kind can serve at all (`apis` in the config may narrow them). */
  canServe: readonly ApiFamily[];
  /** The families served when the config names none. */
  defaultApis: readonly ApiFamily[];
  /** Headers carrying Proctor's credential for this upstream (never the client's). */
  credentialHeaders(credential: string, options: { anthropicVersion: string }): Record<string, string>;
  /** Headers every request to this kind carries, credential or not. */
  fixedHeaders(options: { anthropicVersion: string }): Record<string, string>;
}

const bearer = (credential: string): Record<string, string> => ({ authorization: `Bearer ${credential}` });
const none = (): Record<string, string> => ({});

export const KINDS: Readonly<Record<UpstreamKind, KindTraits>> = {
  // api.openai.com and Azure-style deployments of it: every OpenAI endpoint Proctor forwards.
  openai: { canServe: ['openai'], defaultApis: ['openai'], credentialHeaders: bearer, fixedHeaders: none },
  // Anthropic authenticates with x-api-key and pins the API version with anthropic-version (not Bearer).
  anthropic: {
    canServe: ['anthropic'],
    defaultApis: ['anthropic'],
    credentialHeaders: (credential) => ({ 'x-api-key': credential }),
    fixedHeaders: ({ anthropicVersion }) => ({ 'anthropic-version': anthropicVersion }),
  },
  // vLLM, Ollama, llama.cpp servers and the like: OpenAI's wire format, Bearer if a key is set at all.
  'openai-compatible': { canServe: ['openai'], defaultApis: ['openai'], credentialHeaders: bearer, fixedHeaders: none },
  // Kong, LiteLLM, Portkey: OpenAI-shaped by default; LiteLLM and Portkey also take /v1/messages, so `apis` may add it.
  gateway: {
    canServe: ['openai', 'anthropic'],
    defaultApis: ['openai'],
    credentialHeaders: bearer,
    fixedHeaders: none,
  },
};

/** The family an API identifier (`openai.chat_completions`, `anthropic.messages`) belongs to; unknown throws. */
export function apiFamily(api: string): ApiFamily {
  const family = api.slice(0, api.indexOf('.'));
  if ((API_FAMILIES as readonly string[]).includes(family)) return family as ApiFamily;
  throw new Error(`API '${api}' belongs to no known API family`);
}

/**
 * Headers no configuration may set on an upstream request: the ones Proctor builds itself (credentials, content
 * negotiation, attribution) and hop-by-hop headers, which are the transport's business.
 */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'x-api-key',
  'anthropic-version',
  'content-type',
  'content-length',
  'accept',
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'cookie',
  'x-proctor-request-id',
  'x-proctor-decision-id',
  'x-proctor-assertion',
]);
