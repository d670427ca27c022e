// A tokenizer-free estimate of a prompt's size, for the policy input's `request.estimated_prompt_tokens`. It is meant
// to err high: one token per 3 UTF-8 bytes (BPE tokenizers average ~4 bytes per token on English and code, and ~one
// token per 3-byte CJK character), plus OpenAI's per-message framing. Random strings (hex, base64) can tokenize
// denser than this, so it is an estimate, never a bound; counting with the model's own tokenizer is issue #8's job.

/** UTF-8 bytes per estimated token. */
export const BYTES_PER_TOKEN = 3;
/** Framing tokens per message (role and separators; covers an optional `name`). */
export const TOKENS_PER_MESSAGE = 4;
/** Framing tokens per tool call in an assistant message (call id and type), beyond its name and arguments. */
export const TOKENS_PER_TOOL_CALL = 4;
/** Tokens that prime the model's reply. */
export const TOKENS_FOR_REPLY = 3;

export interface PromptSize {
  /** UTF-8 bytes of everything the model reads as text: contents, tool-call names and arguments, tool definitions. */
  textBytes: number;
  messages: number;
  toolCalls: number;
}

export function estimatePromptTokens(size: PromptSize): number {
  return (
    Math.ceil(size.textBytes / BYTES_PER_TOKEN) +
    size.messages * TOKENS_PER_MESSAGE +
    size.toolCalls * TOKENS_PER_TOOL_CALL +
    TOKENS_FOR_REPLY
  );
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
