// A lower bound of the prompt tokens prompt-tokens.ts counts, from the texts' UTF-8 bytes alone: no tokenizer and no
// ranks loaded (a classification thread imports this module, never prompt-tokens.ts, which loads o200k at import).
// Admission compares it with the subject's tokens left this minute before the body is classified (docs/limits.md).
// Invariant: promptTokensAtLeast(shape) <= countPromptTokens(shape).tokens for every shape (prompt-bound.test.ts).

/** Above this many UTF-8 bytes of text the count is the bound itself: one token a byte, plus framing. */
export const MAX_TOKENIZED_BYTES = 512 * 1024;
/** Same framing as src/providers/token-estimate.ts: per message, per tool call, reply priming. */
export const TOKENS_PER_MESSAGE = 4;
export const TOKENS_PER_TOOL_CALL = 4;
export const TOKENS_FOR_REPLY = 3;
/** The most UTF-8 bytes one token of o200k_base or cl100k_base spans: the longest token (128 bytes in both
 * gpt-tokenizer files, asserted against the loaded ranks in prompt-bound.test.ts) plus the 3 bytes of a byte-order
 * mark the tokenizer drops in front of a string token (packed-bpe.ts rankOfRange). */
export const MAX_TOKEN_BYTES = 128 + 3;

export interface PromptShape {
  model: string;
  /** Every text the model reads (message contents, tool-call arguments, tool definitions). */
  texts: readonly string[];
  messages: number;
  toolCalls: number;
  /** The provider's conservative estimate (src/providers/token-estimate.ts), used beside o200k for unknown models. */
  conservativeEstimate: number;
}

/** The encoding an OpenAI model family uses; null for any other model. */
export function encodingFor(model: string): 'o200k_base' | 'cl100k_base' | null {
  const m = model.toLowerCase().replace(/^openai\//, '');
  if (/^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|gpt-oss)/.test(m)) return 'o200k_base';
  if (/^(gpt-4|gpt-3\.5)/.test(m)) return 'cl100k_base';
  return null;
}

export function framingTokens(shape: Pick<PromptShape, 'messages' | 'toolCalls'>): number {
  return shape.messages * TOKENS_PER_MESSAGE + shape.toolCalls * TOKENS_PER_TOOL_CALL + TOKENS_FOR_REPLY;
}

/**
 * At most what countPromptTokens(shape) gives: past MAX_TOKENIZED_BYTES that count itself (a token a byte); below it
 * each text takes at least one token per MAX_TOKEN_BYTES (a BPE count splits the text's bytes into tokens, none longer),
 * and a model of no OpenAI family at least the provider's conservative estimate (the count takes the larger).
 */
export function promptTokensAtLeast(shape: PromptShape): number {
  const framing = framingTokens(shape);
  let bytes = 0;
  let tokens = 0;
  for (const text of shape.texts) {
    const b = Buffer.byteLength(text, 'utf8');
    bytes += b;
    tokens += Math.ceil(b / MAX_TOKEN_BYTES);
  }
  if (bytes > MAX_TOKENIZED_BYTES) return bytes + framing;
  if (encodingFor(shape.model) !== null) return tokens + framing;
  return Math.max(tokens + framing, shape.conservativeEstimate);
}
