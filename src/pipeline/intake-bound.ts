// The prompt of a parsed request as the limits stage counts it (limits-stage.ts reserveFor), and the least it can
// count, from its texts' bytes alone: admission refuses a subject with fewer tokens left this minute than that before
// the body is classified (docs/limits.md). Imported by the classification threads (intake-worker.ts), so it imports
// the limits folder's byte bound alone (prompt-bound.ts), never its index (which loads a tokenizer's ranks).
import { promptTokensAtLeast, type PromptShape } from '../limits/prompt-bound.ts';
import type { NormalizedRequest } from '../providers/index.ts';

/** What countPromptTokens counts for `request`: every segment's text (the model name's too), its messages, its tool
 * calls, and the provider's conservative estimate. */
export function promptShapeOf(request: NormalizedRequest): PromptShape {
  return {
    model: request.model,
    texts: request.segments.map((s) => s.text),
    messages: request.messageCount,
    toolCalls: request.segments.filter((s) => s.location === 'tool_arguments').length,
    conservativeEstimate: request.estimatedPromptTokens,
  };
}

/** At most the prompt tokens the limits stage reserves for `request`. */
export function requestTokensAtLeast(request: NormalizedRequest): number {
  return promptTokensAtLeast(promptShapeOf(request));
}
