// Review s16 (C31, session 17), string literals the language joins (decode-joined-literals.ts) streamed: a whole
// answer with an AWS key id or a GitHub token split across adjacent literals, `+`, `..` or concat! is withheld; a
// stream must not release the first literal's piece (4+ characters of the secret) before the next one arrives. The
// GitHub token (not blocked by round 9's rules) is checked on what the scanner releases, its findings redacted.
// HOLE closed in src/classification/stream-literal-hold.ts: `"ghp_16C7e42F" "` was released before the second piece.
import { describe, expect, it } from 'vitest';
import { createClassifier, createStreamScanner } from '../../src/classification/index.ts';
import { isRelayed, isStreamed } from './round9-helpers.ts';

const KEY = 'AKIAZ3MQWXR5TLPB6Y7N';
const TOKEN = 'ghp_16C7e42F292c6912E7710c838347Ae17xbab';
/** A secret in two literals, the first of `first` characters, joined as `join` writes them. */
const split = (secret: string, first: number, join: (a: string, b: string) => string) =>
  `Here is the config:\n${join(secret.slice(0, first), secret.slice(first))}\nand that is all of it.`;
const JOINS: [string, (a: string, b: string) => string][] = [
  ['adjacent literals', (a, b) => `key = "${a}" "${b}"`],
  ["Java's +", (a, b) => `String key = "${a}" +\n    "${b}";`],
  ["Lua's ..", (a, b) => `local key = '${a}' .. '${b}'`],
  ["Rust's concat!", (a, b) => `let key = concat!("${a}", "${b}");`],
  ["SQL's ||", (a, b) => `SELECT '${a}' || '${b}' AS k;`],
  ['shell quotes glued', (a, b) => `export KEY='${a}'"${b}"`],
  ["PHP's . across lines", (a, b) => `$key = '${a}' .\n        '${b}';`],
];
const CASES = JOINS.map(([name, join]) => [`the AWS key id as ${name}`, split(KEY, 8, join), KEY.slice(0, 8)] as const);
const TOKENS = JOINS.map(([name, join]) => [`the GitHub token as ${name}`, split(TOKEN, 12, join)] as const);

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(6) });
/** What a client of `text` streamed in deltas of `width` sees with each chunk's findings redacted. */
function redactedStream(text: string, width: number): string {
  const scanner = createStreamScanner({ classifier, path: 'choices[0].delta.content' });
  const seen: string[] = [];
  const show = (c: { text: string; findings: { start: number; end: number }[] }) => {
    let shown = c.text;
    for (const f of c.findings) shown = shown.slice(0, f.start) + '*'.repeat(f.end - f.start) + shown.slice(f.end);
    seen.push(shown);
  };
  for (let at = 0; at < text.length; at += width) show(scanner.push(text.slice(at, at + width)));
  show(scanner.end());
  return seen.join('');
}

describe('a secret in joined string literals, streamed', () => {
  it.each(CASES)('control: %s is withheld from a whole answer', async (_name, text, probe) => {
    expect(await isRelayed(text, probe)).toBe(false);
  });
  it.each(CASES.flatMap(([name, text, probe]) => [1, 3, 7].map((w) => [name, w, text, probe] as const)))(
    '%s in deltas of %i releases no piece of it',
    async (_name, width, text, probe) => {
      expect(await isStreamed(text, probe, width)).toBe(false);
    },
  );
  it.each(TOKENS.flatMap(([name, text]) => [1, 3, 7].map((w) => [name, w, text] as const)))(
    '%s in deltas of %i shows no piece of it',
    (_name, width, text) => {
      const seen = redactedStream(text, width);
      expect(seen).toHaveLength(text.length);
      expect(seen).not.toContain(TOKEN.slice(0, 4));
      expect(seen).not.toContain(TOKEN.slice(-6));
    },
  );
});

describe('control: quoted words and code streamed', () => {
  /** The most characters held after any push of `text` in deltas of `width`. */
  function mostHeld(text: string, width: number): number {
    const scanner = createStreamScanner({ classifier, path: 'choices[0].delta.content' });
    let most = 0;
    let held = 0;
    for (let at = 0; at < text.length; at += width) {
      const piece = text.slice(at, at + width);
      held += piece.length - scanner.push(piece).text.length;
      most = Math.max(most, held);
    }
    return most;
  }
  it.each([
    ['prose with quoted words', 'She said "fine" and then "okay", "sure" + "yes" and left. '.repeat(30)],
    ['code joining short literals', 'msg = "Hello, " + name + "!" + "\\n"; log(msg);\n'.repeat(30)],
  ])('%s in deltas of 3 is held no more than the window', (_name, text) => {
    expect(mostHeld(text, 3)).toBeLessThanOrEqual(300);
  });
});
