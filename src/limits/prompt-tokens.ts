// Prompt tokens to reserve, counted with a real BPE tokenizer (gpt-tokenizer, whose ranks ship inside the npm package:
// no network). OpenAI model families are counted with their own encoding; any other model takes the larger of the
// o200k count and the provider's conservative byte estimate, since its own tokenizer is unknown here. Framing tokens
// (per message, per tool call, reply priming) are added as OpenAI documents them. Special-token strings in user text
// are counted as text, never interpreted. Above MAX_TOKENIZED_BYTES of text the bound is one token per UTF-8 byte
// (no byte-level BPE token is shorter than a byte), so a huge body costs no tokenizer time and is never under-counted.
// The ranks are read from the package's tiktoken files into packed tables (packed-bpe.ts: ≈ 4.3 MiB off the heap for
// o200k, where the package's own Map and arrays took ≈ 15 MiB of heap), not its 2.4 MB JavaScript literal (~18 MiB of
// RSS kept). cl100k's (≈ 2.1 MiB) are loaded on the first request for a model that uses them. A text's count is
// remembered by the text's HMAC-SHA-256 under a random key made at start-up (never the text, never an unkeyed digest:
// a heap snapshot or core dump holds nothing a guess can be tested against offline; the key is a KeyObject, its bytes
// outside the V8 heap), so a system prompt or a chat's history resent every turn is counted once, not at every request.
// The count is the package's, but a piece of the split pattern longer than 64 characters is merged on a heap
// (linear-bpe.ts), not by the package's merge, quadratic in a piece's length (40,000 letters held the loop for ~1-2 s).
import { createHmac, createSecretKey, randomBytes } from 'node:crypto';
import type { LinearCount } from './linear-bpe.ts';
import { packedCounter } from './packed-bpe.ts';
import { encodingFor, framingTokens, MAX_TOKENIZED_BYTES, type PromptShape } from './prompt-bound.ts';

export { encodingFor, MAX_TOKENIZED_BYTES, type PromptShape };

/** Texts of at least this many UTF-16 units have their count remembered; a shorter one costs about its hash. */
export const COUNT_MEMO_MIN_CHARS = 64;
/** Counts remembered per encoding (≈ 130 bytes each: a digest and a number), the oldest out first. */
export const COUNT_MEMO_ENTRIES = 4096;

type CountText = (text: string) => number;

/** The memo's key: random per process, never written anywhere. */
const MEMO_KEY = createSecretKey(randomBytes(32));

/** `count` with its results remembered under the text's keyed digest: a count is a function of the text alone. */
function rememberingCounts(count: LinearCount): CountText {
  const counts = new Map<string, number>();
  return (text) => {
    if (text.length < COUNT_MEMO_MIN_CHARS) return count(text);
    const key = createHmac('sha256', MEMO_KEY).update(text).digest('base64');
    let tokens = counts.get(key);
    if (tokens === undefined) {
      tokens = count(text);
      if (counts.size >= COUNT_MEMO_ENTRIES) counts.delete(counts.keys().next().value as string);
      counts.set(key, tokens);
    }
    return tokens;
  };
}

const countO200k: CountText = rememberingCounts(packedCounter('o200k_base'));
let countCl100kLoaded: CountText | null = null;
/** cl100k_base's counter, built synchronously the first time it is needed. */
function countCl100k(): CountText {
  countCl100kLoaded ??= rememberingCounts(packedCounter('cl100k_base'));
  return countCl100kLoaded;
}

export type TokenCountMethod = 'o200k_base' | 'cl100k_base' | 'o200k_base_or_estimate' | 'byte_bound';

export function countPromptTokens(shape: PromptShape): { tokens: number; method: TokenCountMethod } {
  const framing = framingTokens(shape);
  let bytes = 0;
  for (const text of shape.texts) bytes += Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_TOKENIZED_BYTES) return { tokens: bytes + framing, method: 'byte_bound' };
  const encoding = encodingFor(shape.model);
  const count = encoding === 'cl100k_base' ? countCl100k() : countO200k;
  let text = 0;
  for (const t of shape.texts) text += t.length === 0 ? 0 : count(t);
  if (encoding !== null) return { tokens: text + framing, method: encoding };
  return { tokens: Math.max(text + framing, shape.conservativeEstimate), method: 'o200k_base_or_estimate' };
}

/**
 * Output tokens of answer texts the upstream reported no usage for (a stream cut or abandoned before its usage): the
 * texts counted as a prompt's are (the model family's encoding; any other model the larger of o200k and one token per
 * 3 bytes), with no framing. Counting the texts apart never gives fewer tokens than their concatenation: a cut stream
 * is settled at least at what the model generated, where bytes / 3 alone took a third of it for dense text (' 1' x
 * 1,000: 667 against o200k's 2,000).
 */
export function countAnswerTokens(model: string, texts: readonly string[]): number {
  let bytes = 0;
  for (const text of texts) bytes += Buffer.byteLength(text, 'utf8');
  const shape = { model, texts, messages: 0, toolCalls: 0, conservativeEstimate: Math.ceil(bytes / 3) };
  const framing = framingTokens(shape);
  return Math.max(
    0,
    countPromptTokens({ ...shape, conservativeEstimate: shape.conservativeEstimate + framing }).tokens - framing,
  );
}
