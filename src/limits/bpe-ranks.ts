// gpt-tokenizer's counters built from the package's own tiktoken rank files (data/<encoding>.tiktoken: a token's bytes
// in base64 and its rank, one a line) rather than from its bpeRanks modules: those are JavaScript array literals
// (2.4 MB for o200k) that V8 compiles into bytecode and a constant pool, kept with the module's source as RSS the
// process never gives back (docs/performance.md, "Memory"). The ranks built here are the modules' own, element for
// element (a token that is valid UTF-8 is its string, any other its bytes), so every count is the package's
// (test/unit/limits/bpe-ranks.test.ts holds them to the package's encoder).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { TextDecoder } from 'node:util';
import { GptEncoding } from 'gpt-tokenizer/GptEncoding';

export type BpeEncodingName = 'o200k_base' | 'cl100k_base';
export type CountTokens = GptEncoding['countTokens'];

/** The ranks of one of the package's tiktoken files: index = rank; a string, or the bytes of a token not UTF-8. */
export function ranksFromTiktoken(path: string): (string | number[])[] {
  const text = readFileSync(path, 'latin1'); // base64 and digits: one byte a character
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const ranks: (string | number[])[] = [];
  for (let at = 0; at < text.length; ) {
    const newline = text.indexOf('\n', at);
    const end = newline === -1 ? text.length : newline;
    const space = text.indexOf(' ', at);
    const rank = Number(text.slice(space + 1, end));
    if (space === -1 || space > end || rank !== ranks.length)
      throw new Error(`${path}: line at byte ${at} is not '<base64> ${ranks.length}'`);
    const bytes = Buffer.from(text.slice(at, space), 'base64');
    ranks.push(validUtf8(utf8, bytes) ?? [...bytes]);
    at = end + 1;
  }
  return ranks;
}

/** The token's text when its bytes are that text's UTF-8, else null: part of a character, or a leading byte-order mark
 * (which the decoder drops, as the package's generator did), and the package keeps the bytes. */
function validUtf8(decoder: TextDecoder, bytes: Buffer): string | null {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return null;
  }
  return Buffer.byteLength(text, 'utf8') === bytes.length ? text : null;
}

/** The package's countTokens for an encoding, its ranks read from the package's tiktoken file. mergeCacheSize bounds
 * the package's cache of merged pieces (pieces not one token, each kept with its tokens; the package's default is
 * 100,000); it changes no count. */
export function loadCounter(encoding: BpeEncodingName, mergeCacheSize?: number): CountTokens {
  const path = createRequire(import.meta.url).resolve(`gpt-tokenizer/data/${encoding}.tiktoken`);
  const api = GptEncoding.getEncodingApi(encoding, () => ranksFromTiktoken(path));
  if (mergeCacheSize !== undefined) api.setMergeCacheSize(mergeCacheSize);
  return api.countTokens;
}
