// Closed labels in answers: the classifier reads label strings (a `type`, `role`, `object`, `status`, a finish or stop
// reason) apart from the text around them (classification/segment-join.ts LABEL_KEYS), so a label free to hold any
// string could carry half of a value the text completes (`"object":"AKIAZ3MQWX"` before `"content":"R5TLPB6Y7N"`),
// and a lower-case token is no safer: `ghp_`, `sk_live_`, `npm_` are keys' own beginnings. Invariant: every such label
// string in an answer or stream event is one the official SDKs' types name for that field (ENUMERATED; `type`: any
// type the SDKs name, label-types.ts), or the answer is refused as the upstream's fault. Free-form JSON the
// model writes (a tool's input, schemas an answer echoes) is not labels and is not checked.
import type { Message, StopReason } from '@anthropic-ai/sdk/resources/messages/messages';
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
} satisfies Names<StopReason>;
const SERVICE_TIERS = {
  auto: true,
  default: true,
  flex: true,
  scale: true,
  priority: true,
  fast: true,
  ultrafast: true,
} satisfies Names<NonNullable<ChatCompletion['service_tier'] | Response['service_tier']>>;
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

/** The label fields whose values are enumerated (`type`: label-types.ts, read from the SDKs' definitions). */
export const ENUMERATED: Readonly<Record<string, Readonly<Record<string, true>> | ReadonlySet<string>>> = {
  // Anthropic's streams send `ping` events (documented in its streaming guide), a type its SDK's definitions omit.
  type: new Set([...SDK_TYPES, 'ping']),
  object: OBJECTS,
  finish_reason: FINISH_REASONS,
  stop_reason: STOP_REASONS,
  service_tier: SERVICE_TIERS,
  role: ROLES,
  status: STATUSES,
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
/** OpenAI's `fp_<hex>` (ten hex digits today: too short for a hex-encoded value); no free word (`ghp_` is one). */
export const FINGERPRINT = /^fp_[0-9a-f]{1,16}$/;
/** Subtrees of free-form JSON (tool inputs, schemas, metadata): their keys are the model's or the client's words. */
const FREE_FORM: ReadonlySet<string> = new Set(['input', 'parameters', 'schema', 'input_schema', 'metadata']);

/** Throws AnswerShapeError at the first label string that is not a closed token. Iterative; answers are bounded. */
export function checkClosedLabels(value: unknown): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (const item of node) if (typeof item === 'object' && item !== null) stack.push(item);
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        if (typeof child === 'string') {
          if (CLOSED_LABELS.has(key) && !closed(key, child))
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

function closed(key: string, value: string): boolean {
  const names = ENUMERATED[key];
  if (names === undefined) return TOKEN.test(value);
  return names instanceof Set ? names.has(value) : Object.hasOwn(names, value);
}
