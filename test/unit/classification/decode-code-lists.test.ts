// Character codes one call a character joined by an operator (`chr(65) + chr(75)`, `[char]65`, `CHAR(65) || …`) and
// octal literals (`0o101, 0o113`), read as the characters they name (decode-code-lists.ts codeCallRuns), each character
// mapped to its own call; a stream holds such a run while it may still grow (trailingCallRunStart).
import { describe, expect, it } from 'vitest';
import { codeCallRuns, trailingCallRunStart } from '../../../src/classification/decode-code-calls.ts';
import { charLiteralRuns, hexLiteralRuns } from '../../../src/classification/decode-code-lists.ts';
import type { MappedText } from '../../../src/classification/decode-escapes.ts';
import { createClassifier, createStreamScanner } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(17) });
const KEY = 'AKIAZ3MQWXR5TLPB6Y7N';
const CODES = [...KEY].map((c) => c.charCodeAt(0));
const types = (text: string) => classifier.classify([{ path: 'p', text }]).findings.map((f) => f.type);

function runs(text: string): Array<{ from: number; end: number; decoded: MappedText }> {
  const found: Array<{ from: number; end: number; decoded: MappedText }> = [];
  codeCallRuns(text, (from, end, decoded) => found.push({ from, end, decoded }));
  return found;
}

const FORMS: Array<[string, string]> = [
  ["Python's chr() + chr()", `key = ${CODES.map((c) => `chr(${c})`).join(' + ')}`],
  ["Perl's chr() . chr()", `$key = ${CODES.map((c) => `chr(${c})`).join('.')};`],
  ["PowerShell's [char]65 + [char]…", `$key = ${CODES.map((c) => `[char]${c}`).join(' + ')}`],
  ["SQL's CHAR() || CHAR()", `SELECT ${CODES.map((c) => `CHAR(${c})`).join(' || ')};`],
  ["T-SQL's CHAR() + CHAR()", `SELECT ${CODES.map((c) => `CHAR(${c})`).join('+')} AS k`],
  ["VB's Chr() & Chr()", `key = ${CODES.map((c) => `Chr(${c})`).join(' & ')}`],
  ["a spreadsheet's =CHAR()&CHAR()", `=${CODES.map((c) => `CHAR(${c})`).join('&')}`],
  ['0o101 octal literals', `key = bytes([${CODES.map((c) => `0o${c.toString(8)}`).join(', ')}])`],
  ['hex codes chr(0x41) + …', `k = ${CODES.map((c) => `chr(0x${c.toString(16)})`).join(' + ')}`],
  ['String.fromCharCode(65) + … (a dotted name)', `k = ${CODES.map((c) => `String.fromCharCode(${c})`).join(' + ')}`],
  ["C#'s (char)65 + …", `var k = "" + ${CODES.map((c) => `(char)${c}`).join(' + ')};`],
  ["a sum wrapped over lines, Python's `+ \\`", `k = (${CODES.map((c) => `chr(${c})`).join(' + \\\n    ')})`],
  ["''.join([chr(97), …]) with CHAR( 97 ) blanks", `''.join([${CODES.map((c) => `chr( ${c} )`).join(', ')}])`],
  ["Ruby's 65.chr + 75.chr (a method on the code)", `k = ${CODES.map((c) => `${c}.chr`).join(' + ')}`],
  ["Kotlin's 65.toChar() + …", `val k = "" + ${CODES.map((c) => `${c}.toChar()`).join(' + ')}`],
  ["Rust's 65u8 as char, in an array", `let k = [${CODES.map((c) => `${c}u8 as char`).join(', ')}];`],
  ["Go's string(rune(65)) + … (a call in a call)", `k := ${CODES.map((c) => `string(rune(${c}))`).join(' + ')}`],
  [
    'print(chr(65) + …): the call around the run is not one of its calls',
    `print(${CODES.map((c) => `chr(${c})`).join(' + ')})`,
  ],
  ["Java's (char) 65 + … (a blank after the cast)", `String k = "" + ${CODES.map((c) => `(char) ${c}`).join(' + ')};`],
  ["Lua's string.char(65)..string.char(75)", `k = ${CODES.map((c) => `string.char(${c})`).join('..')}`],
  ['Ruby\'s "" << 65.chr << …', `k = "" << ${CODES.map((c) => `${c}.chr`).join(' << ')}`],
  ['chr(97) + "" + chr(119) (an empty literal between calls)', `k = ${CODES.map((c) => `chr(${c})`).join(' + "" + ')}`],
  ["PEP 8's leading + after a line break", `k = (\n    ${CODES.map((c) => `chr(${c})`).join('\n    + ')}\n)`],
  [
    '8 blanks either side, a comment after the operator',
    `k = ${CODES.map((c) => `chr(${c})`).join('        +  # x\n')}`,
  ],
  ["an f-string's interpolations", `k = f"${CODES.map((c) => `{chr(${c})}`).join('')}"`],
  ['octal codes chr(0o101)', `k = ${CODES.map((c) => `chr(0o${c.toString(8)})`).join(' + ')}`],
  ['(char)(65), a cast of a parenthesised code', `k = ${CODES.map((c) => `(char)(${c})`).join(' + ')}`],
  [
    'unichr() and chr() (a name a word longer)',
    `k = ${CODES.map((c, i) => (i % 2 ? `chr(${c})` : `unichr(${c})`)).join(' + ')}`,
  ],
  ['(chr(65)) in parentheses', `k = ${CODES.map((c) => `(chr(${c}))`).join(' + ')}`],
];

describe('codes one call a character, joined by one operator', () => {
  it.each(FORMS)('%s: read as the key, each character mapped to its call', (_name, text) => {
    const [run] = runs(text);
    expect(run?.decoded.text).toBe(KEY);
    const { from, decoded } = run as { from: number; decoded: MappedText };
    const third = text.slice(from + (decoded.starts[2] as number), from + (decoded.ends[2] as number));
    expect(third).toMatch(
      /^\(?(?:[A-Za-z.]+\( ?(?:73|0x49|0o111) ?\)|string\(rune\(73\)\)|[[(]char[\])] ?\(?73\)?|0o111|73(?:\.chr|\.toChar\(\)|u8 as char))\)?$/,
    );
    expect(types(text)).toContain('AWS_ACCESS_KEY');
  });

  it('controls: a call on a variable, arithmetic, prices, three calls, mixed names or operators: nothing read', () => {
    const half = CODES.slice(0, 10);
    for (const text of [
      `key = ${CODES.map((c, k) => (k % 3 === 2 ? 'chr(x)' : `chr(${c})`)).join(' + ')}`,
      `total = ${CODES.join('+')}`,
      'prices: $65.00, $75.50, $73.25, $65.10, $90.00',
      `s = chr(65) + chr(75) + chr(73)`,
      `${half.map((c, k) => (k % 2 ? `chr(${c})` : `ord(${c})`)).join(' + ')}`,
      `${half.map((c) => `chr(${c})`).join(' + ')}`.replace(/ \+ /g, (_m, at: number) => (at % 3 ? ' + ' : ' . ')),
      'call f(1) + f(2) + f(3) + f(4); version 0o7, 0o8',
      'f"{name}{value}{unit}{note}" and {65}{75}{73}{65} and (65) + (75) + (73) + (65)',
    ]) {
      for (const run of runs(text)) expect(run.decoded.text.length).toBeLessThan(4);
    }
    expect(types(`s = ${CODES.map((c) => `chr(x${c})`).join(' + ')}`)).not.toContain('AWS_ACCESS_KEY');
  });

  it('string literals between calls are read as themselves, each character mapped to itself', () => {
    const text = `k = chr(65) + "KIA" + chr(90) + chr(51) + 'MQ' + chr(87) + chr(88)`;
    const [run] = runs(text);
    expect(run?.decoded.text).toBe('AKIAZ3MQWX');
    const { from, decoded } = run as { from: number; decoded: MappedText };
    expect(text.slice(from + (decoded.starts[2] as number), from + (decoded.ends[2] as number))).toBe('I');
    // Not a run: a literal longer than 32 characters, or joined by another operator, or calls of one kind fewer than 4.
    const long = 'a literal longer than thirty-two characters';
    expect(runs(`chr(65) + "${long}" + chr(75) + chr(73) + chr(65)`).map((r) => r.decoded.text)).toEqual([]);
    expect(runs(`chr(65) + "K" . chr(73) + chr(65) + chr(90)`)).toEqual([]);
    expect(runs(`chr(65) + "KIAZ" + chr(51) + "MQ" + chr(87)`)).toEqual([]);
  });

  it('controls for the new forms: versions, decimals, method calls on words, casts of variables', () => {
    for (const text of [
      'use 1.2.3 then 10.5 and 65.0 + 75.5 + 73.25 + 65.75',
      'x.foo(65) + y.foo(75) + z.foo(73) + w.foo(65)',
      'max(min(a)) + max(min(b)) + max(min(c)) + max(min(d))',
      'n as usize + m as usize + k as usize + j as usize',
      'Table 65.Results shows 75.Rows and 73.Cols or 65.Sums',
    ]) {
      for (const run of runs(text)) expect(run.decoded.text.length).toBeLessThan(4);
    }
  });

  it('a run broken by a call of anything else is read as two runs (one level)', () => {
    const text = `${CODES.slice(0, 10)
      .map((c) => `chr(${c})`)
      .join(' + ')} + chr(x) + ${CODES.slice(10)
      .map((c) => `chr(${c})`)
      .join(' + ')}`;
    expect(runs(text).map((r) => r.decoded.text)).toEqual([KEY.slice(0, 10), KEY.slice(10)]);
  });

  it('stays linear: many calls, many near-misses', () => {
    let count = 0;
    codeCallRuns('chr(65) + '.repeat(50_000), (_f, _e, d) => {
      count += d.text.length;
    });
    expect(count).toBe(50_000);
    let near = 0;
    codeCallRuns('chr(65) + chr(x) + abcdefghijklmnopqrstuvwxyz(65) '.repeat(20_000), () => {
      near += 1;
    });
    expect(near).toBe(0);
    expect(trailingCallRunStart('chr(65) + '.repeat(50_000), 0)).toBe(0);
    // Calls in calls, methods on codes and literals between calls: each token is read in a bounded number of
    // characters, and a near-miss (a call of a word in a call, a literal joined otherwise) once.
    for (const [unit, length] of [
      ['string(rune(65)) + ', 1],
      ['65.chr << ', 1],
      ['chr(65) + "" + ', 1],
      ['chr(65) + "ab" + ', 3],
    ] as const) {
      let decoded = 0;
      codeCallRuns(unit.repeat(50_000), (_f, _e, d) => {
        decoded += d.text.length;
      });
      expect(decoded).toBe(50_000 * length - (length - 1));
    }
    let misses = 0;
    codeCallRuns('f(g(h(x))) + a(b(c(65 + 65.x + "abcdefghij" + (char) x + '.repeat(20_000), () => {
      misses += 1;
    });
    expect(misses).toBe(0);
  });
});

describe('a stream holds a run of calls while it may still grow', () => {
  it('trailingCallRunStart: from the first call while an operator or a call may follow, not after prose', () => {
    expect(trailingCallRunStart('x = chr(65) + chr(75) + ', 0)).toBe(4);
    expect(trailingCallRunStart('x = chr(65) + chr(75) + ch', 0)).toBe(4);
    expect(trailingCallRunStart('k = [0o101, 0o113, 0o1', 0)).toBe(5);
    const ended =
      'x = chr(65) + chr(75); print(x) then some more words, well past where a next call would be, to end it';
    expect(trailingCallRunStart(ended, 0)).toBe(ended.length);
    expect(trailingCallRunStart('no calls here at all', 0)).toBe(20);
  });

  /** The finding types of `text` pushed as two chunks cut at `cut`. */
  function typesAt(text: string, cut: number): string[] {
    const scanner = createStreamScanner({ classifier, path: 'choices[0].delta.content' });
    const chunks = [scanner.push(text.slice(0, cut)), scanner.push(text.slice(cut)), scanner.end()];
    return [...new Set(chunks.flatMap((c) => c.findings.map((f) => f.type)))];
  }

  it.each([FORMS[0], FORMS[3], FORMS[7], FORMS[11], FORMS[13], FORMS[16], FORMS[21]] as Array<[string, string]>)(
    '%s cut anywhere is found',
    (_name, text) => {
      const missed: number[] = [];
      for (let cut = 1; cut < text.length; cut += 3)
        if (!typesAt(text, cut).includes('AWS_ACCESS_KEY')) missed.push(cut);
      expect(missed).toEqual([]);
    },
  );
});

describe('hex literals with their prefix and lists of one-character literals', () => {
  const read = (scan: typeof hexLiteralRuns, text: string) => {
    const found: string[] = [];
    scan(text, (from, _end, decoded) => {
      found.push(decoded.text);
      const k = decoded.text.indexOf('I');
      if (k >= 0)
        expect(text.slice(from + (decoded.starts[k] as number), from + (decoded.ends[k] as number))).toMatch(
          /^(?:49|I)$/,
        );
    });
    return found;
  };
  const HEX = Buffer.from(KEY).toString('hex');

  it('0x and \\x hex literals: the whole literal when it is text, else its stretches of 8 bytes of text or more', () => {
    expect(read(hexLiteralRuns, `SELECT 0x${HEX.toUpperCase()};`)).toEqual([KEY]);
    expect(read(hexLiteralRuns, `SELECT '\\x${HEX}'::bytea;`)).toEqual([KEY]);
    const calldata = `0xa9059cbb${'00'.repeat(31)}20${'00'.repeat(31)}14${HEX}${'00'.repeat(12)}`;
    expect(read(hexLiteralRuns, `"input": "${calldata}"`)).toEqual([KEY]);
    expect(types(`SELECT 0x${HEX};`)).toContain('AWS_ACCESS_KEY');
  });

  it('controls: addresses, hashes, short or glued literals, odd digits: nothing read', () => {
    for (const text of [
      'to 0x71C7656EC7ab88b098defB751B7401B5f6d8976F and tx 0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060',
      'flags 0x414b4941 and mask 0xFFFFFFFFFFFFFFFF',
      `v0x${HEX} 0x${HEX}z 0x${HEX}1`,
    ]) {
      expect(read(hexLiteralRuns, text)).toEqual([]);
    }
  });

  it('lists of literals of one width (the last shorter), with type suffixes, and as little-endian words', () => {
    const words = (bytes: number) => HEX.match(new RegExp(`.{1,${bytes * 2}}`, 'g')) as string[];
    const reversed = (word: string) => (word.match(/../g) as string[]).reverse().join('');
    expect(
      read(
        hexLiteralRuns,
        `{${words(8)
          .map((w) => `0x${w}ULL`)
          .join(', ')}}`,
      ),
    ).toContain(KEY);
    expect(
      read(
        hexLiteralRuns,
        `[${words(8)
          .map((w) => `0x${w}_u64`)
          .join(',\n    ')}]`,
      ),
    ).toContain(KEY);
    expect(
      read(
        hexLiteralRuns,
        words(7)
          .map((w) => `0x${w}`)
          .join(' '),
      ),
    ).toEqual([KEY]);
    expect(
      read(
        hexLiteralRuns,
        `{${words(4)
          .map((w) => `0x${reversed(w)}`)
          .join(', ')}}`,
      ),
    ).toEqual([KEY]);
    // Not one list: widths that differ, a word between, a line break alone, odd digits, a suffix glued to a name.
    const list = (width: number, odd = '') => words(width).map((w, k) => `0x${w}${k === 1 ? odd : ''}`);
    for (const text of [
      list(5, '00').join(' '),
      list(7).join(' and '),
      list(7).join('\n'),
      list(7, '1').join(' '),
      `0x${HEX}ULLx`,
    ]) {
      expect(read(hexLiteralRuns, text)).toEqual([]);
    }
  });

  it('digit separators in a literal and comments in a list gap are read past; bytes map to their own digits', () => {
    const words = (bytes: number) => HEX.match(new RegExp(`.{1,${bytes * 2}}`, 'g')) as string[];
    const sep = (w: string, mark: string) => w.replace(/(..)(?=.)/g, `$1${mark}`);
    expect(
      read(
        hexLiteralRuns,
        `[${words(8)
          .map((w) => `0x${sep(w, '_')}_u64`)
          .join(', ')}]`,
      ),
    ).toContain(KEY);
    expect(
      read(
        hexLiteralRuns,
        `{${words(8)
          .map((w) => `0x${sep(w, "'")}ULL`)
          .join(', ')}}`,
      ),
    ).toContain(KEY);
    expect(
      read(
        hexLiteralRuns,
        `{\n${words(4)
          .map((w, i) => `  0x${w}, // ${i}`)
          .join('\n')}\n}`,
      ),
    ).toContain(KEY);
    expect(
      read(
        hexLiteralRuns,
        `{${words(4)
          .map((w) => `0x${w} /* w */`)
          .join(', ')}}`,
      ),
    ).toContain(KEY);
    // Not read: two separators in a row, a separator last, three comments in a gap, a line comment with no comma.
    for (const text of [
      words(8)
        .map((w) => `0x${w.slice(0, 4)}__${w.slice(4)}`)
        .join(', '),
      words(8)
        .map((w) => `0x${w}_`)
        .join(', '),
      words(4)
        .map((w) => `0x${w} /* a */ /* b */, /* c */`)
        .join(' '),
      words(4)
        .map((w) => `0x${w} // w\n`)
        .join(''),
    ]) {
      expect(read(hexLiteralRuns, text)).toEqual([]);
    }
  });

  it("Python's list(value), a char[] and a JSON array of one-character strings are read as the characters", () => {
    const list = (quote: string, join: string) => [...KEY].map((c) => `${quote}${c}${quote}`).join(join);
    expect(read(charLiteralRuns, `print([${list("'", ', ')}])`)).toEqual([KEY]);
    expect(read(charLiteralRuns, `char k[] = {${list("'", ',')}};`)).toEqual([KEY]);
    expect(read(charLiteralRuns, `k = [\n    ${list('"', ',\n    ')}\n]`)).toEqual([KEY]);
    expect(types(`chars = [${list("'", ', ')}]`)).toContain('AWS_ACCESS_KEY');
    // Not a list: 7 literals, quotes mixed, no comma between, a literal of two characters.
    expect(read(charLiteralRuns, `[${list("'", ', ').slice(0, 7 * 5 - 2)}]`)).toEqual([]);
    expect(read(charLiteralRuns, [...KEY].map((c, k) => (k % 2 ? `'${c}'` : `"${c}"`)).join(', '))).toEqual([]);
    expect(read(charLiteralRuns, list("'", ' '))).toEqual([]);
    expect(read(charLiteralRuns, "['ab', 'c', 'd', 'e', 'f', 'g', 'h', 'i']")).toEqual([]);
  });

  it('stays linear: a megabyte of literals and of near-misses', () => {
    let decoded = 0;
    charLiteralRuns("'a', ".repeat(200_000), (_f, _e, d) => {
      decoded += d.text.length;
    });
    expect(decoded).toBe(200_000);
    let count = 0;
    charLiteralRuns("'a' 'b', \"c\", 'dd', ".repeat(50_000), () => {
      count += 1;
    });
    hexLiteralRuns(`0x${'41'.repeat(500_000)}`, (_f, _e, d) => {
      count += d.text.length;
    });
    hexLiteralRuns('0x00ff00ff00ff00ff '.repeat(50_000), () => {
      count += 1;
    });
    expect(count).toBe(500_000);
  });
});
