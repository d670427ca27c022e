// Review s13 (R1, attacker's review of session 13's changes): each hole is an `it.fails` naming the file to fix; each
// has a control the same change handles, so the hole is the variant one step aside, not the value.
import { generateKeyPairSync } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { folded, nameLists } from '../../src/classification/person-name-lists.ts';
import { fates, isForwarded, isStreamed, pieces } from './round9-helpers.ts';

describe('recognizers-key-files.ts (93b4a97): a JWK as an INI or .env section, one step aside', () => {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as Record<
    string,
    string
  >;
  /** The section with `between` after its crv line (far from d, so no context word of d's reads it). */
  const lines = (between: string[], last = `d = ${jwk.d}`) =>
    ['[jwk]', 'kty = EC', 'crv = P-256', ...between, `x = ${jwk.x}`, `y = ${jwk.y}`, last].join('\n');

  it('control: [jwk] with kty, crv, x, y and d = <value> is refused, answered and streamed withheld', async () => {
    const probe = (jwk.d as string).slice(8, 30);
    expect(await fates(lines([]), probe)).toEqual({
      forwarded: false,
      relayed: false,
      streamed: false,
    });
  });

  // Closed (recognizers-key-files.ts JWK_PRIVATE_KEY_SECTION): d's line had to end at its value; a `#`/`;` comment
  // after blanks now may follow it
  it('d = <value> with an inline comment after it (  # private) is refused', async () => {
    expect(await isForwarded(lines([], `d = ${jwk.d}  # private`))).toBe(false);
  });

  it('control: an empty line and a comment after crv are refused', async () => {
    expect(await isForwarded(lines(['', '# signing key']))).toBe(false);
  });

  // Closed (recognizers-key-files.ts SECTION_BREAK): a line of blanks only matched neither SECTION_LINE nor the
  // member's line, so one indented empty line after crv ended the section; a break now takes lines of blanks
  it('a line of two spaces after crv is refused', async () => {
    expect(await isForwarded(lines(['  ']))).toBe(false);
  });

  // Closed (recognizers-key-files.ts SECTION_LINE): the key took no [] (key_ops[] = sign, PHP's ini arrays), so the
  // line ended the section; a key may end in one [index]
  it('a key_ops[] = sign line after crv is refused', async () => {
    expect(await isForwarded(lines(['key_ops[] = sign']))).toBe(false);
  });

  // Closed (recognizers-key-text.ts, 23a47a3: a JWK member as JWK_D=): the member names and anchors were lower case
  // and bare; a .env file's JWK_KTY=EC … JWK_D=<value> (prefixed, upper case) was no section
  it('a .env file of JWK_KTY, JWK_CRV, JWK_X, JWK_Y and JWK_D is refused', async () => {
    const env = ['JWK_KTY=EC', 'JWK_CRV=P-256', `JWK_X=${jwk.x}`, `JWK_Y=${jwk.y}`, `JWK_D=${jwk.d}`].join('\n');
    expect(await isForwarded(env)).toBe(false);
  });
});

describe('recognizers-key-files.ts (93b4a97): an RSA member pair without a JWK word, one step aside', () => {
  const k = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) as Record<
    string,
    string
  >;
  const std = (member: string) => Buffer.from(k[member] as string, 'base64url').toString('base64');
  const nest = (o: unknown, depth: number): unknown => (depth === 0 ? o : { cfg: nest(o, depth - 1) });

  it('control: p and q pretty-printed (indent 2), and nested 3 deep with tabs, are refused', async () => {
    expect(await isForwarded(JSON.stringify({ p: std('p'), q: std('q') }, null, 2))).toBe(false);
    expect(await isForwarded(JSON.stringify(nest({ p: std('p'), q: std('q') }, 3), null, '\t'))).toBe(false);
  });

  // Closed (recognizers-key-files.ts PAIR_SEP): the separator was at most 24 characters; JSON indented 4 at depth 7
  // puts `",\n` and 28 spaces between p's value and q's name; it is now up to 100 (depth 24)
  it('p and q in JSON nested 6 objects deep, indented 4, is refused', async () => {
    expect(await isForwarded(JSON.stringify(nest({ p: std('p'), q: std('q') }, 6), null, 4))).toBe(false);
  });

  // Closed (recognizers-key-files.ts PAIR_GAP): the gap admitted one short member between the two; now up to three
  it('p, kid, alg, q (two short members between the primes) is refused', async () => {
    expect(await isForwarded(JSON.stringify({ p: std('p'), kid: 'k-1', alg: 'RS256', q: std('q') }))).toBe(false);
  });

  // Closed (recognizers-key-files.ts PAIR_COMMENT): the gap took no comment line between the members; a `#` or `//`
  // comment to its line's end (up to 80 characters) is now one of its items
  it('p and q as YAML with a comment line between them is refused', async () => {
    expect(await isForwarded(`p: ${std('p')}\n# second prime\nq: ${std('q')}`)).toBe(false);
  });
});

describe('decode-groups.ts (1236660): base64 groups of one width, one separator aside', () => {
  const TEXT = 'aws AKIAZ3MQWXR5TLPB6Y7N';
  const B = Buffer.from(TEXT).toString('base64');

  it('control: lines of 12 and groups of 4 split by spaces are refused, and their streams withheld', async () => {
    expect(await isForwarded(pieces(B, 12).join('\n'))).toBe(false);
    expect(await isForwarded(pieces(B, 4).join(' '))).toBe(false);
    expect(await isStreamed(pieces(B, 12).join('\n'), pieces(B, 12)[1] as string, 5)).toBe(false);
    expect(await isStreamed(pieces(B, 4).join(' '), pieces(B, 4)[2] as string, 3)).toBe(false);
  });

  // Closed (decode-groups.ts separatorAt, decode-candidates.ts GROUP_SEPARATOR): a line break then the first line's
  // indent is a separator, so a YAML block scalar (`key: |`, lines of 12 indented 2) is joined
  it('lines of 12 indented two spaces under key: | (a YAML block scalar) are refused', async () => {
    expect(
      await isForwarded(
        `key: |\n${pieces(B, 12)
          .map((line) => `  ${line}`)
          .join('\n')}\n`,
      ),
    ).toBe(false);
  });

  // Closed (decode-groups.ts separatorAt, decode-candidates.ts GROUP_SEPARATOR): a line break then the first line's
  // quote marks is a separator, so lines quoted `> ` as a mail reply quotes them are joined
  it('lines of 12 quoted with "> " (a mail reply) are refused', async () => {
    expect(
      await isForwarded(
        pieces(B, 12)
          .map((line) => `> ${line}`)
          .join('\n'),
      ),
    ).toBe(false);
  });

  // Closed (decode-groups.ts separatorAt, decode-candidates.ts GROUP_SEPARATOR): a tab or two spaces between groups
  // on one line is a separator
  it.each([
    ['a tab', '\t'],
    ['two spaces', '  '],
  ])('groups of 4 split by %s are refused', async (_name, separator) => {
    expect(await isForwarded(pieces(B, 4).join(separator))).toBe(false);
  });

  // Closed (decode-groups.ts linePrefixes, separatorAt; decode-candidates.ts GROUP_SEPARATOR): a line's prefix joined
  // only as indentation or `>` quote marks; it is now the first line's blanks and up to 8 punctuation marks, the same
  // on each line (a shell or Python comment `# `, a C or JavaScript comment `// `, ` * `, a Markdown list `- `), and
  // one to three spaces join groups on a line
  it.each([
    [
      '"# " (a shell comment)',
      pieces(B, 12)
        .map((line) => `# ${line}`)
        .join('\n'),
    ],
    [
      '"// " (a line comment)',
      pieces(B, 12)
        .map((line) => `// ${line}`)
        .join('\n'),
    ],
    [
      '" * " (a block comment)',
      `/*\n${pieces(B, 12)
        .map((line) => ` * ${line}`)
        .join('\n')}\n */`,
    ],
    [
      '"- " (a list)',
      pieces(B, 12)
        .map((line) => `- ${line}`)
        .join('\n'),
    ],
    ['three spaces (groups of 4)', pieces(B, 4).join('   ')],
  ])('base64 in lines behind %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });
});

describe('decode-escapes.ts, decode-code-lists.ts (31f75c3): code points, octal and binary, one form aside', () => {
  const TEXT = 'aws AKIAZ3MQWXR5TLPB6Y7N';
  const each = (write: (code: number) => string, separator = '') =>
    [...TEXT].map((c) => write(c.charCodeAt(0))).join(separator);
  const hex4 = (code: number) => code.toString(16).padStart(4, '0');

  it("control: U+XXXX apart by spaces, printf's \\141 octal and 8-bit binary bytes are refused", async () => {
    expect(await isForwarded(each((c) => `U+${hex4(c).toUpperCase()}`, ' '))).toBe(false);
    expect(await isForwarded(each((c) => `\\${c.toString(8).padStart(3, '0')}`))).toBe(false);
    expect(await isForwarded(each((c) => c.toString(2).padStart(8, '0'), ' '))).toBe(false);
  });

  // Closed (decode-escapes.ts escapeAt, b6a3b70): octal was read as 1-3 digits after a backslash; echo -e writes it
  // as \0 and 1-3 digits (\0141 is 'a'), which read as \014 then a '1'; \0 and three octal digits are echo's byte.
  it("the key as echo -e's \\0nnn octal escapes is refused", async () => {
    expect(await isForwarded(each((c) => `\\0${c.toString(8)}`))).toBe(false);
  });

  // Closed (decode-code-lists.ts binaryByteRuns, b6a3b70): bytes in binary were read as 8 bits; ASCII written as 7
  // bits a character (what most text-to-binary converters print) is read too, a run as wide as its first.
  it('the key as 7-bit binary characters apart by spaces is refused', async () => {
    expect(await isForwarded(each((c) => c.toString(2).padStart(7, '0'), ' '))).toBe(false);
  });

  // Closed (decode-escapes.ts codePointNotationAt, b6a3b70): U+ notation was read in capitals with four or more
  // digits; u+0061 in small letters, and U+61 unpadded, are read too (2-6 digits).
  it.each([
    ['u+0061 (small u)', (c: number) => `u+${hex4(c)}`],
    ['U+61 (unpadded)', (c: number) => `U+${c.toString(16).toUpperCase()}`],
  ])('the key as %s code points apart by spaces is refused', async (_name, write) => {
    expect(await isForwarded(each(write, ' '))).toBe(false);
  });
});

describe('packed-words.ts (91613b1): the person-name lists off the heap, every lookup path', () => {
  /** Every 997th listed name, the first 50 with a character past ASCII, the first 20 past Latin-1 (the small Set). */
  const sampled = () => {
    const all = [...nameLists().names];
    const accented = all.filter((w) => !/^[\x00-\x7f]*$/.test(w)).slice(0, 50);
    const wide = all.filter((w) => /[^\x00-\xff]/.test(w)).slice(0, 20);
    return [...all.filter((_, k) => k % 997 === 0), ...accented, ...wide, ...accented.map(folded), ...wide.map(folded)];
  };
  /** Near misses: empty, NUL, 300 characters, a listed name with NUL before or after, in capitals, or a last code unit
   * past Latin-1 whose low byte is the name's own. */
  const misses = (name: string) => [
    '',
    '\0',
    'x'.repeat(300),
    `${name}\0`,
    `\0${name}`,
    name.toUpperCase(),
    `${name.slice(0, -1)}${String.fromCharCode(0x100 + name.charCodeAt(name.length - 1))}`,
  ];

  it('control: exact membership here and on a thread that reads the shared buffers (no list of its own)', async () => {
    const words = sampled();
    const near = misses('andr\u00e9anne');
    const lists = nameLists();
    expect(words.length).toBeGreaterThan(300);
    expect(words.every((w) => lists.names.has(w))).toBe(true);
    expect(near.map((w) => lists.names.has(w))).toEqual(near.map(() => false));
    const url = new URL('../../src/classification/person-name-lists.ts', import.meta.url).href;
    const source = `
      const { parentPort, workerData, getEnvironmentData } = require('node:worker_threads');
      (async () => {
        const shared = getEnvironmentData('proctor:person-name-lists') !== undefined;
        const { names } = (await import(workerData.url)).nameLists();
        parentPort.postMessage({ shared, words: workerData.words.map((w) => names.has(w)),
          near: workerData.near.map((w) => names.has(w)) });
      })();`;
    const thread = await new Promise<{ shared: boolean; words: boolean[]; near: boolean[] }>((resolve, reject) => {
      const worker = new Worker(source, { eval: true, workerData: { url, words, near } });
      worker.once('message', (m) => void worker.terminate().then(() => resolve(m)));
      worker.once('error', reject);
    });
    expect(thread).toEqual({ shared: true, words: words.map(() => true), near: near.map(() => false) });
  }, 120_000);
});
