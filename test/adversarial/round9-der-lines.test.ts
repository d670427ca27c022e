// Round 9 of the attacker's review (session 11), an unarmored DER private key whose base64 pieces are written one
// a line as code and notes write them (decode-der-notations.ts reads pieces across gaps of at most 32 characters,
// the gap holding no base64 character). A line's own prefix or suffix made of letters or digits is read as
// base64, so the pieces no longer join: `key += "…"` (the usual way to build a long string in JS, Java, C#,
// Python, Go), a trailing comment on each line, a numbered list (`1. …`) and a `-` or `•` bulleted list. Each
// case is the same Ed25519 key in 16-character pieces; a model reading the text joins the pieces as a reader
// does. Controls: pieces joined by `+` at the line ends, `* ` bullets, and an RSA key's `key += "…"` lines of 64
// (one line opens enough of its DER) are refused.
import { describe, expect, it } from 'vitest';
import { defaultEngine } from '../helpers/mcp-harness.ts';
import { hostileServer, textResult } from './fixtures.ts';
import { CLOSED, ED25519, fates, pieces, RSA } from './round9-helpers.ts';

const ED = pieces(ED25519.toString('base64'), 16);
const RS = pieces(RSA.toString('base64'), 64);
/** The key's base64 pieces, each written by `line`. */
const lines = (parts: readonly string[], line: (piece: string, i: number) => string) => parts.map(line).join('\n');

describe('a DER private key, one base64 piece a line, with letters or digits on each line', () => {
  // Closed (decode-der-notations.ts pastGap): a quoted piece's gap runs to the next quote before a piece, whatever it
  // holds (a name, an operator, a comment), within 64 characters; a list mark opening a line is gap.
  it.each([
    ['key += "…" lines (Ed25519)', lines(ED, (p, i) => (i === 0 ? `key = "${p}"` : `key += "${p}"`))],
    [
      'a trailing comment on each line',
      lines(ED, (p, i) => `"${p}" +  // part ${i + 1}`).replace(/ \+ {2}\/\/ part 4$/, ''),
    ],
    ['a numbered list', lines(ED, (p, i) => `${i + 1}. ${p}`)],
    ['a "-" bulleted list', lines(ED, (p) => `- ${p}`)],
    ['a "•" bulleted list', lines(ED, (p) => `• ${p}`)],
  ])('%s: neither forwarded, relayed nor streamed', async (_name, text) => {
    expect(await fates(text, ED[1] as string)).toEqual(CLOSED);
  });
  it('control: pieces joined by + at the line ends, "*" bullets, an RSA key in key += lines: refused, withheld', async () => {
    for (const text of [lines(ED, (p, i) => `"${p}"${i < ED.length - 1 ? ' +' : ''}`), lines(ED, (p) => `* ${p}`)]) {
      expect(await fates(text, ED[1] as string)).toEqual(CLOSED);
    }
    const rsa = lines(RS, (p, i) => (i === 0 ? `key = "${p}"` : `key += "${p}"`));
    expect(await fates(rsa, RS[1] as string)).toEqual(CLOSED);
  });
});

describe('the same key += lines from an MCP tool', () => {
  const text = lines(ED, (p, i) => (i === 0 ? `key = "${p}"` : `key += "${p}"`));
  // Closed: the same gap reading, on the MCP answer side.
  it('in a tool result or a progress message, the key is not relayed to the client', async () => {
    const engine = await defaultEngine();
    const result = await hostileServer(engine, [], textResult(text))();
    const progress = await hostileServer(engine, [{ progress: 1, message: text }], textResult('ok'))();
    expect([result.out.includes(ED[2] as string), progress.out.includes(ED[2] as string)]).toEqual([false, false]);
  });
  it('control: the pieces joined by + are withheld from both', async () => {
    const joined = lines(ED, (p, i) => `"${p}"${i < ED.length - 1 ? ' +' : ''}`);
    const engine = await defaultEngine();
    const result = await hostileServer(engine, [], textResult(joined))();
    const progress = await hostileServer(engine, [{ progress: 1, message: joined }], textResult('ok'))();
    expect([result.out.includes(ED[2] as string), progress.out.includes(ED[2] as string)]).toEqual([false, false]);
  });
});
