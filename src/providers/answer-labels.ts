// Closed labels in answers: the classifier reads label strings (a `type`, `role`, `object`, `status`, a finish or stop
// reason) apart from the text around them (classification/segment-join.ts LABEL_KEYS), so a label free to hold any
// string could carry half of a value the text completes (`"object":"AKIAZ3MQWX"` before `"content":"R5TLPB6Y7N"`),
// and a lower-case token is no safer: `ghp_`, `sk_live_`, `npm_` are keys' own beginnings. Invariant: every such label
// string in an answer or stream event is one the official SDKs' types name for that field in the adapter's dialect
// (ENUMERATED; `type`: any type the SDKs name, label-types.ts), or the answer is refused as the upstream's fault.
// Free-form JSON the model writes (a tool's input, schemas an answer echoes) is not labels and is not checked. A
// choice's `stop_reason` on the OpenAI dialect (vLLM's matched stop string) is no label: dropUnreadLabels removes it
// unread.
import type { BetaStopReason, BetaUsage } from '@anthropic-ai/sdk/resources/beta/messages/messages';
import type { Message, StopReason, Usage } from '@anthropic-ai/sdk/resources/messages/messages';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { Completion } from 'openai/resources/completions';
import type { CreateEmbeddingResponse, Embedding } from 'openai/resources/embeddings';
import type { Response, ResponseOutputItem, ResponseStatus } from 'openai/resources/responses/responses';
import { AnswerShapeError } from './answer-json.ts';
import { SDK_TYPES } from './label-types.ts';

type Names<T extends string> = Readonly<Record<T, true>>;
type ChatChoice = ChatCompletion['choices'][number];
type ItemStatus = NonNullable<Extract<ResponseOutputItem, { status?: unknown }>['status']>;

/** Every value the SDKs' types give each field (compile-checked both ways against them: none missing, none extra). */
const OBJECTS = {
  'chat.completion': true,
  'chat.completion.chunk': true,
  text_completion: true,
  list: true,
  embedding: true,
  response: true,
} satisfies Names<
  | ChatCompletion['object']
  | ChatCompletionChunk['object']
  | Completion['object']
  | CreateEmbeddingResponse['object']
  | Embedding['object']
  | Response['object']
>;
const FINISH_REASONS = {
  stop: true,
  length: true,
  tool_calls: true,
  content_filter: true,
  function_call: true,
} satisfies Names<NonNullable<ChatChoice['finish_reason'] | Completion['choices'][number]['finish_reason']>>;
const STOP_REASONS = {
  end_turn: true,
  max_tokens: true,
  stop_sequence: true,
  tool_use: true,
  pause_turn: true,
  refusal: true,
  model_context_window_exceeded: true,
  compaction: true,
} satisfies Names<StopReason | BetaStopReason>;
/** Anthropic's `usage.service_tier` (answers and message_start): none of OpenAI's tiers but `priority`. */
const ANTHROPIC_SERVICE_TIERS = { standard: true, priority: true, batch: true } satisfies Names<
  NonNullable<Usage['service_tier'] | BetaUsage['service_tier']>
>;
const OPENAI_SERVICE_TIERS = {
  auto: true,
  default: true,
  flex: true,
  scale: true,
  priority: true,
  fast: true,
  ultrafast: true,
} satisfies Names<
  NonNullable<ChatCompletion['service_tier'] | ChatCompletionChunk['service_tier'] | Response['service_tier']>
>;
const ROLES = { developer: true, system: true, user: true, assistant: true, tool: true } satisfies Names<
  NonNullable<ChatCompletionChunk['choices'][number]['delta']['role'] | ChatChoice['message']['role'] | Message['role']>
>;
const STATUSES = {
  completed: true,
  failed: true,
  in_progress: true,
  cancelled: true,
  queued: true,
  incomplete: true,
  searching: true,
  generating: true,
  interpreting: true,
  calling: true,
} satisfies Names<ResponseStatus | ItemStatus>;

type Table = Readonly<Record<string, true>> | ReadonlySet<string>;
/** An adapter's dialect (ProviderAdapter.dialect): where the SDKs' types differ, each has its own values. */
export type LabelDialect = 'openai' | 'anthropic';

// Anthropic's streams send `ping` events (documented in its streaming guide), a type its SDK's definitions omit.
const TYPES: ReadonlySet<string> = new Set([...SDK_TYPES, 'ping']);
const SHARED = { type: TYPES, object: OBJECTS, role: ROLES, status: STATUSES } as const;

/**
 * The label fields whose values are enumerated, per dialect (`type`: label-types.ts, read from the SDKs' definitions).
 * No OpenAI type has a `stop_reason`: there any string in one is refused (a choice's is dropped unread first).
 */
export const ENUMERATED: Readonly<Record<LabelDialect, Readonly<Record<string, Table>>>> = {
  openai: { ...SHARED, finish_reason: FINISH_REASONS, stop_reason: {}, service_tier: OPENAI_SERVICE_TIERS },
  anthropic: {
    ...SHARED,
    finish_reason: FINISH_REASONS,
    stop_reason: STOP_REASONS,
    service_tier: ANTHROPIC_SERVICE_TIERS,
  },
};

/** Label keys whose strings must be closed tokens. Ids, names and the model cannot be closed (they stay classified). */
const CLOSED_LABELS: ReadonlySet<string> = new Set([
  'type',
  'role',
  'object',
  'status',
  'finish_reason',
  'stop_reason',
  'service_tier',
]);
const TOKEN = /^[a-z][a-z_.]{0,63}$/;
/**
 * OpenAI's `fp_<hex>` (ten hex digits, as OpenAI, Azure and Groq send; up to 12), or a server's own word (Ollama's
 * `fp_ollama`, enumerated). At most 12 hex digits (6 bytes): a fingerprint is read beside its neighbours (it is no
 * closed label), and 12 is below the shortest hex run the classifier decodes (16 characters, decode.ts), so no
 * fingerprint is a decodable run (24 hex digits were 12 bytes of a client-decodable channel: half a key). Not
 * any `fp_` + alphanumerics: `fp_akia` is a closed token (read apart from the text, reading-orders.ts) holding the
 * lower-case AWS key prefix the classifier knows (AWS_ACCESS_KEY_LOWER). No key prefix the classifier knows is hex
 * (`ghp_`, `sk`, `akia`, `xox`, `npm_`, `glpat-`, `aiza` each hold a letter past `f`), and none begins with `fp_`.
 */
export const FINGERPRINT = /^fp_(?:[0-9a-f]{1,12}|ollama)$/;
/** Subtrees of free-form JSON (tool inputs, schemas, metadata): their keys are the model's or the client's words. */
const FREE_FORM: ReadonlySet<string> = new Set(['input', 'parameters', 'schema', 'input_schema', 'metadata']);

/**
 * Removes what is in an answer or stream chunk but read as no label and relayed as none: on the OpenAI dialect, each
 * choice's `stop_reason` (vLLM's extension: the stop string or token id that ended it), so the client never receives
 * it (closed world: what goes out was inspected). MUST run before the walk and checkClosedLabels. Mutates `value`.
 */
export function dropUnreadLabels(value: unknown, dialect: LabelDialect): void {
  if (dialect !== 'openai' || typeof value !== 'object' || value === null) return;
  const choices = (value as Record<string, unknown>).choices;
  if (!Array.isArray(choices)) return;
  for (const choice of choices)
    if (typeof choice === 'object' && choice !== null && Object.hasOwn(choice, 'stop_reason'))
      delete (choice as Record<string, unknown>).stop_reason;
}

/** Throws AnswerShapeError at the first label string that is not a closed token. Iterative; answers are bounded. */
export function checkClosedLabels(value: unknown, dialect: LabelDialect): void {
  const names = ENUMERATED[dialect];
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (const item of node) if (typeof item === 'object' && item !== null) stack.push(item);
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        if (typeof child === 'string') {
          if (CLOSED_LABELS.has(key) && !closed(names, key, child))
            throw new AnswerShapeError(`a '${key}' in the answer is not a closed token`);
          if (key === 'system_fingerprint' && !FINGERPRINT.test(child))
            throw new AnswerShapeError("a 'system_fingerprint' in the answer is not a closed token");
        } else if (typeof child === 'object' && child !== null && !FREE_FORM.has(key)) {
          stack.push(child);
        }
      }
    }
  }
}

function closed(tables: Readonly<Record<string, Table>>, key: string, value: string): boolean {
  const names = tables[key];
  if (names === undefined) return TOKEN.test(value);
  return names instanceof Set ? names.has(value) : Object.hasOwn(names, value);
}
