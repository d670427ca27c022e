// Review s16 (R4, attacker's review of session 16's changes), string literals the language joins (9b411d8,
// decode-joined-literals.ts: adjacent literals, an operator between them, a `,` in a call's arguments). Each text is
// the AWS key id in literals of 5 characters, one step aside: adjacent literals a line apart (how C and Python write
// them), a list joined by a call, a template literal, a builder's chain, a variable grown a line at a time.
import { describe, expect, it } from 'vitest';
import { isForwarded } from './round9-helpers.ts';

const KEY = 'AKIAZ3MQWXR5TLPB6Y7N';
const PARTS = KEY.match(/.{1,5}/g) as string[];
const dq = PARTS.map((p) => `"${p}"`);
const sq = PARTS.map((p) => `'${p}'`);

describe('an AWS key id in string literals one step aside from the joins 9b411d8 reads', () => {
  it.each([
    ['adjacent literals on one line', `key = ${dq.join(' ')}`],
    ["JavaScript's ''.concat(…)", `const k = ''.concat(${sq.join(', ')});`],
    ['C#\'s String.Join("", …)', `String.Join("", ${dq.join(', ')})`],
    ["SQL's ||", `SELECT ${sq.join(' || ')};`],
    ["Kotlin's + at each line's end", `val k = ${dq.join(' +\n    ')}`],
    ["Lua's ..", `local k = ${dq.join(' .. ')}`],
  ])('control: the key id as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // HOLE (open, src/classification/decode-joined-literals.ts): adjacent literals are joined on one line only; C and
  // Python write them a line apart (`key = (\n    "AKIAZ"\n    "3MQWX"\n …)`, a C string over lines, a macro with
  // `\` continuations), which is the usual form. Fix (~6 lines): let the gap between adjacent literals hold a line
  // break with its indentation (32 blanks at most, ONE_GAP's rule) and a `\` before it.
  it.fails.each([
    ["Python's adjacent literals in parentheses, one a line", `key = (\n    ${dq.join('\n    ')}\n)`],
    ["C's adjacent literals, one a line", `const char *k =\n    ${dq.join('\n    ')};`],
    ["a C macro's literals over \\ continuations", `#define K ${dq.join(' \\\n  ')}`],
  ])('the key id as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // HOLE (open, decode-joined-literals.ts): a list is joined by nothing, but a list passed to a join call is joined
  // by it (`"".join([…])`, `[…].join('')`, Go's strings.Join([]string{…}, "")); a template literal of `${'…'}` pieces,
  // a builder's `.append("…")` chain and a variable grown a line at a time (`k += "…"`, PHP's `.=`) are no join read.
  // Fix (~25 lines): read a list's literals when the list is a join call's argument with an empty separator; read
  // `${` `}` and `.append(` `)` between literals as an operator gap; read `+=`/`.=`/`<<` lines of one name as a chain.
  it.fails.each([
    ['Python\'s "".join([…])', `key = "".join([${sq.join(', ')}])`],
    ["JavaScript's [...].join('')", `const k = [${sq.join(', ')}].join('');`],
    ['Go\'s strings.Join([]string{…}, "")', `strings.Join([]string{${dq.join(', ')}}, "")`],
    ['a template literal of pieces', `const k = \`${sq.map((p) => `\${${p}}`).join('')}\`;`],
    ["Java's StringBuilder.append chain", `new StringBuilder()${dq.map((p) => `.append(${p})`).join('')}.toString()`],
    [
      'a variable grown a line at a time (+=)',
      `k = ${dq[0]}\n${dq
        .slice(1)
        .map((p) => `k += ${p}`)
        .join('\n')}`,
    ],
  ])('the key id as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  it.each([
    ['a list of words joined by a comma', `", ".join(['apples', 'pears', 'plums', 'grapes'])`],
    ['adjacent literals of a message, one a line', 'msg = (\n    "Hello, "\n    "world, "\n    "and goodbye."\n)'],
  ])('control: %s is forwarded', async (_name, text) => {
    expect(await isForwarded(text)).toBe(true);
  });
});
