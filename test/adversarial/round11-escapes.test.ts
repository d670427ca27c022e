// Round 11 of the attacker's review (session 13), character notations past decode-escapes.ts (73cd377, d0381f2): the
// Unicode notation U+0041 one code point a line or split by `;` or a tab (a table of code points), U+ mixed with
// JSON's \u escapes in one run, C's and the shell's short octal escapes (\63 for '3', as printf and $'…' read them),
// and bytes in binary. A model reads each back to the key (all four closed in session 13). Controls: the forms
// decode-escapes.ts read before are refused.
import { describe, expect, it } from 'vitest';
import { AWS } from './round7-helpers.ts';
import { isForwarded } from './round9-helpers.ts';

const KEY = AWS.value;
const LINE = `AWS_ACCESS_KEY_ID=${KEY}`;
const code = (c: string) => (c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
const notation = (text: string, between: string) => [...text].map((c) => `U+${code(c)}`).join(between);

describe('the Unicode notation U+XXXX', () => {
  it('control: the key as U+0041 U+004B … and as U+0041, U+004B, … is refused', async () => {
    expect(await isForwarded(notation(KEY, ' '))).toBe(false);
    expect(await isForwarded(notation(KEY, ', '))).toBe(false);
  });

  // Closed (decode-escapes.ts codePointNotationAt): a U+ run took a comma and up to 2 spaces between its code points;
  // one a line (a table a model or a script prints), `; `, a tab or three spaces ended the run after each. A `,` or
  // `;` and up to four spaces, tabs and one line break now stand between two.
  it.each([
    ['one a line', '\n'],
    ['split by "; "', '; '],
    ['split by a tab', '\t'],
    ['split by three spaces', '   '],
  ])('the key as U+ code points %s is refused', async (_name, between) => {
    expect(await isForwarded(notation(KEY, between))).toBe(false);
  });

  // Closed (decode-escapes.ts mixedEscapeAt): each notation was its own run, so a key written half in U+ and half in
  // JSON's \u escapes (or with every other character plain) was two runs of 10 (or ten runs of one). A run now mixes
  // the other forms' escapes in, and a notation takes one space before a printable character.
  it.each([
    ['half U+, half \\u', [...KEY].map((c, i) => (i < 10 ? `U+${code(c)} ` : `\\u${code(c)}`)).join('')],
    ['every other character U+', [...KEY].map((c, i) => (i % 2 ? c : `U+${code(c)} `)).join('')],
  ])('the key as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });
});

describe('octal escapes of one or two digits', () => {
  const octal = (c: string, width: number) => `\\${c.charCodeAt(0).toString(8).padStart(width, '0')}`;

  it("control: the .env line as a C string of three-digit octal escapes ('\\063') is refused", async () => {
    expect(await isForwarded(`printf '${[...LINE].map((c) => octal(c, 3)).join('')}'`)).toBe(false);
  });

  // Closed (decode-escapes.ts octalAt): octal escapes were read as three digits (`\123`); C, printf and bash's $'…'
  // read one to three (`\63` is '3', `\137` '_'), as escapeAt now does.
  it.each([
    ['printf', (s: string) => `printf '${s}'`],
    ["bash $'…'", (s: string) => `export K=$'${s}'`],
  ])("the .env line as %s's shortest octal escapes is refused", async (_name, wrap) => {
    expect(await isForwarded(wrap([...LINE].map((c) => octal(c, 1)).join('')))).toBe(false);
  });
});

describe('bytes written in binary', () => {
  it('control: the .env line as decimal character codes is refused', async () => {
    expect(await isForwarded([...LINE].map((c) => c.charCodeAt(0)).join(' '))).toBe(false);
  });

  // Closed (decode-escapes.ts binaryByteRuns): eight binary digits a byte, split by spaces (a classic 'decode this'
  // puzzle, `xxd -b`'s cells), decoded to nothing; a run of four or more is read as its bytes.
  it('the .env line as bytes in binary split by spaces is refused', async () => {
    expect(await isForwarded([...LINE].map((c) => c.charCodeAt(0).toString(2).padStart(8, '0')).join(' '))).toBe(false);
  });
});
