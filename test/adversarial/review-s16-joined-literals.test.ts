// Review s16 (R4, attacker's review of session 16's changes), string literals the language joins (9b411d8,
// decode-joined-literals.ts: adjacent literals, an operator between them, a `,` in a call's arguments). Each text is
// the AWS key id in literals of 5 characters, one step aside: adjacent literals a line apart (how C and Python write
// them), a list joined by a call, a template literal, a builder's chain, a variable grown a line at a time; and
// 2-3 variants of each (comments between, a separator, C#'s Concat, PHP's implode and .=, f-strings).
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

  // HOLE closed in src/classification/decode-joined-literals.ts jointAt: adjacent literals were joined on one line
  // only; C and Python write them a line apart. The gap between adjacent literals is now gapEnd's (line breaks with
  // their indentation, comments) after a `\` maybe.
  it.each([
    ["Python's adjacent literals in parentheses, one a line", `key = (\n    ${dq.join('\n    ')}\n)`],
    ["C's adjacent literals, one a line", `const char *k =\n    ${dq.join('\n    ')};`],
    ["a C macro's literals over \\ continuations", `#define K ${dq.join(' \\\n  ')}`],
    [
      "Python's adjacent literals, a comment after each",
      `key = (\n${dq.map((p, i) => `    ${p}  # part ${i}`).join('\n')}\n)`,
    ],
    ["C's adjacent literals, a block comment between", `k = ${dq.join(' /* next */\n  ')};`],
    ["Go's + at each line's start, a blank line between", `k := ${dq.join('\n\n    + ')}`],
  ])('the key id as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // HOLE closed in src/classification/decode-joined-literals.ts with decode-joined-contexts.ts: a list's `,` now joins
  // its literals when a join call takes it (a `name(` ending in join/cat/implode/… before its bracket, or `.join(` after
  // its close); `}${`/`}{` joins literals each an interpolation's whole inside; an append method's call after a call
  // (`).append(`) and a statement growing a name (`+=`, `.=`, `<<`) join the literal after them.
  it.each([
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
    ["Python's ''.join((…)) one a line", `key = ''.join((\n${sq.map((p) => `    ${p},`).join('\n')}\n))`],
    ["Java's String.join with List.of", `String.join("", List.of(${dq.join(', ')}))`],
    ["C#'s string.Concat", `var k = string.Concat(${dq.join(', ')});`],
    ["PHP's implode('', […])", `$k = implode('', [${sq.join(', ')}]);`],
    ["Python's f-string of pieces", `k = f"${sq.map((p) => `{${p}}`).join('')}"`],
    [
      "PHP's .= a statement at a time",
      `$k = ${sq[0]}; ${sq
        .slice(1)
        .map((p) => `$k .= ${p};`)
        .join(' ')}`,
    ],
    [
      "C#'s sb.Append a line at a time",
      `var sb = new StringBuilder();\n${dq.map((p) => `sb.Append(${p});`).join('\n')}`,
    ],
    ['Kotlin\'s listOf(…).joinToString("-")', `listOf(${dq.join(', ')}).joinToString("-")`],
    [
      "Java's k = k + a line at a time",
      `String k = ${dq[0]};\n${dq
        .slice(1)
        .map((p) => `k = k + ${p};`)
        .join('\n')}`,
    ],
    ["C++'s std::string(…) + in parentheses", `auto k = std::string(${dq[0]}) + (${dq.slice(1).join(') + (')});`],
    ["Ruby's [...].join with no parentheses", `k = [${dq.join(', ')}].join`],
    ["Kotlin's buildString { append(…); … }", `buildString { ${dq.map((p) => `append(${p}); `).join('')}}`],
    ["a JavaScript array over lines joined by ''", `[\n${sq.map((p) => `  ${p},`).join('\n')}\n].join('')`],
  ])('the key id as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  it.each([
    ['a list of words joined by a comma', `", ".join(['apples', 'pears', 'plums', 'grapes'])`],
    ['adjacent literals of a message, one a line', 'msg = (\n    "Hello, "\n    "world, "\n    "and goodbye."\n)'],
    ['prose with quotes and +', 'She wrote "to be" + "or not" and then "that is the" + "question" on the board.'],
    ['a JSON list of words', JSON.stringify({ tags: ['apples', 'pears', 'plums', 'grapes'] })],
    ['a list of unrelated words joined by a call', "const k = ['alpha', 'bravo', 'charlie', 'delta'].join('');"],
    ['a builder of a greeting', 'new StringBuilder().append("Hello, ").append("world").append("!").toString()'],
    ['numbers with thousand separators', 'total = 1_000_000 + 2_500_000  # "one" "million"'],
  ])('control: %s is forwarded', async (_name, text) => {
    expect(await isForwarded(text)).toBe(true);
  });
});
