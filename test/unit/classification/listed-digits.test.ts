// A value written as a list, read as one (digit-runs.ts spacedRun, item-lists.ts, answer-json.ts): single digits
// split by list item separators, JSON escapes naming whitespace between digit groups, and a parsed value's lists of
// short items (codes, hex bytes, base64 quads, digits) are found; the lists a real user sends (small numbers,
// coordinates, versions, matrices, ratings, byte arrays of ordinary text, CSV rows, tags) stay clean.
import { describe, expect, it } from 'vitest';
import { isSpaceSeparator, runEnd, runStop } from '../../../src/classification/digit-separators.ts';
import { createClassifier } from '../../../src/classification/index.ts';
import { listedWindow, windowRules } from '../../../src/classification/listed-windows.ts';
import { segmentsOf } from './parsed-segments.ts';
import { answerSegments } from '../../../src/providers/answer-json.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(5) });
const CARD = [...'4111111111111111'].map(Number);
const SSN = [2, 1, 9, 0, 9, 9, 9, 9, 9];
const KEY = 'aws AKIAQ3EGTHV5ZXAWNMPR';
const BYTES = [...Buffer.from(KEY)];

/** The types found in one text, and the text each covers. */
const found = (text: string) =>
  classifier.classify([{ path: 'p', text }]).findings.map((f) => `${f.type} ${text.slice(f.start, f.end)}`);

const parsedTypes = (value: unknown) => [
  ...new Set(classifier.classify(segmentsOf(value)).findings.map((f) => `${f.type} ${f.path.replace(/\[\d+\]$/, '')}`)),
];

describe('single digits of a whole list read as one number', () => {
  it.each([
    ['commas', `card ${CARD.join(',')}`],
    ['a JSON array', `card ${JSON.stringify(CARD)}`],
    ['semicolons and spaces', `card ${CARD.join('; ')}`],
    ['digits as strings', JSON.stringify({ card: CARD.map(String) })],
    ['single quotes', `card [${CARD.map((d) => `'${d}'`).join(', ')}]`],
    ['a pretty-printed JSON array', JSON.stringify({ card: CARD }, null, 2)],
    ['rows of four', JSON.stringify({ card: [CARD.slice(0, 4), CARD.slice(4, 8), CARD.slice(8, 12), CARD.slice(12)] })],
    ['a tuple', `card (${CARD.join(', ')})`],
    ['escaped quotes (JSON in a JSON string)', `card [${CARD.map((d) => `\\"${d}\\"`).join(',')}]`],
  ])('a card, %s', (_name, text) => {
    expect(found(text).map((f) => f.split(' ')[0])).toEqual(['CREDIT_CARD']);
  });

  it('an SSN, after its label', () => {
    expect(found(`ssn ${SSN.join(', ')}`)).toEqual([`US_SSN ${SSN.join(', ')}`]);
    expect(found(JSON.stringify({ ssn: SSN }))).toEqual([`US_SSN ${SSN.join(',')}`]);
  });

  it.each([
    ['small numbers 1-16', '[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]'],
    ['a card digits list with a two-digit item', `[${CARD.slice(0, 8).join(', ')}, 10, ${CARD.slice(8).join(', ')}]`],
    ['a list of 20 single digits holding a card', `[${[...CARD, 1, 2, 3, 4].join(',')}]`],
    ['a card digits list followed by a number item', `[${CARD.join(',')}, 22]`],
    ['a 3x3 matrix, no label', '[[1,0,0],[0,1,0],[0,0,1]]'],
    ['a version array', 'version [1, 2, 3]'],
    ['coordinates', '[[51.5072, -0.1276], [40.7128, -74.006]]'],
    ['CSV rows of single digits', 'a,b,c,d\n4,1,1,1\n1,1,1,1\n1,1,1,1\n1,1,1,1'],
    ['a prose enumeration', 'steps 1, 2, 3, 4, 5, 6, 7, 8, 9, and 10 are done'],
    ['a float list', '[4.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1]'],
    ['ratings that fail Luhn', '{"ratings":[4,5,3,4,4,5,2,1,3,4,5,5,4,3,2,2]}'],
  ])('control: %s', (_name, text) => {
    expect(found(text)).toEqual([]);
  });

  it('a long list of single digits is read in one pass (each digit a bounded number of times)', () => {
    const text = `[${Array.from({ length: 200_000 }, (_, i) => (i * 7) % 10).join(',')}]`;
    expect(found(text)).toEqual([]);
  });
});

describe('a list of single digits that is no number whole, read in windows beside a word of its type', () => {
  const ssn = SSN.join(', ');
  const card = CARD.join(', ');
  it.each([
    ['an SSN with a trailing null', `ssn [${ssn}, null]`, 'US_SSN'],
    ['an SSN after a null', `ssn [null, ${ssn}]`, 'US_SSN'],
    ['an SSN with a tenth digit', `ssn [${ssn}, 5]`, 'US_SSN'],
    ['an SSN after a leading 0', `ssn [0, ${ssn}]`, 'US_SSN'],
    ['an SSN with a float and a string after it', `{"ssn": [${ssn}, 0.5, "x"]}`, 'US_SSN'],
    ['a card with a trailing 0.5', `card [${card}, 0.5]`, 'CREDIT_CARD'],
    ['a card after an object', `card [{"a": 1}, ${card}]`, 'CREDIT_CARD'],
    ['a card between zeros', `card [0, ${card}, 0]`, 'CREDIT_CARD'],
    ['a BSN with a trailing null', 'bsn [1, 2, 3, 4, 5, 6, 7, 8, 2, null]', 'NL_BSN'],
    ['an SSN with a trailing null, its word after it', `[${ssn}, null] is my ssn`, 'US_SSN'],
    ['an SSN, its word a later JSON key', `{"d": [${ssn}, null], "ssn": true}`, 'US_SSN'],
    ['a card after a leading 0, its word after it', `[0, ${card}] (visa)`, 'CREDIT_CARD'],
  ])('%s is found', (_name, text, type) => {
    expect(found(text).map((f) => f.split(' ')[0])).toContain(type);
  });

  it('a finding covers the digits of its window only', () => {
    expect(found(`card [${card}, 0.5]`)).toEqual([`CREDIT_CARD ${card}`]);
    expect(found(`ssn [${ssn}, 5]`)).toEqual([`US_SSN ${ssn}`]);
    // Two windows pass the SSN rules and overlap: the first from the left is read, so one digit of the other is left.
    expect(found(`ssn [0, ${ssn}]`)).toEqual([`US_SSN 0, ${SSN.slice(0, 8).join(', ')}`]);
  });

  it('a non-digit item is a break: windows do not reach across it', () => {
    expect(found(`card [${CARD.slice(0, 8).join(', ')}, null, ${CARD.slice(8).join(', ')}]`)).toEqual([]);
  });

  it.each([
    ['no word of the type before the list', `[${card}, 0.5] and [0, ${ssn}]`],
    ['an SSN word, and no window passes the SSN rules', 'ssn [6, 6, 6, 1, 2, 3, 4, 5, 6, null]'],
    ['a card word, and no window passes Luhn', `card [${CARD.slice(0, 15).join(', ')}, 2, null]`],
    ['a card word beside a JSON array of small ints', '{"card_count": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]}'],
    [
      'a card word beside a bit vector',
      `card flags ${JSON.stringify(Array.from({ length: 40 }, (_, i) => (i % 3) % 2))}`,
    ],
    [
      'a card word beside ratings',
      `card ratings [${Array.from({ length: 30 }, (_, i) => 1 + ((i * 7) % 3)).join(', ')}]`,
    ],
    ['an SSN word beside a list of small ints with floats', 'ssn [1, 2, 3, 0.5, 4, 5, 6, 7, 8, 9, 10]'],
    ['a card with two items before it', `card [0, 0, ${card}]`],
    ['a card in the middle of a longer run', `card [0, 0, 0, 0, 0, 0, 0, ${card}, 0, 0, 0]`],
    ['an SSN word past the reach after the list', `[${ssn}, null] and then, much further along the line, ssn`],
    ['a card word inside a longer word after the list', `[${card}, 0.5] scancode`],
  ])('control: %s', (_name, text) => {
    expect(found(text)).toEqual([]);
  });

  it('a window leaves out at most one digit at each end of its run: longest first, then from the left', () => {
    const text = 'card and ssn ';
    const windowOf = (digits: string) => {
      const window = listedWindow(windowRules(text, text.length, digits.length), digits);
      return window === undefined ? undefined : digits.slice(...window);
    };
    expect(windowOf(`0${CARD.join('')}0`)).toBe('4111111111111111');
    expect(windowOf(`00${CARD.join('')}`)).toBeUndefined(); // two digits before it
    expect(windowOf(`0${SSN.join('')}`)).toBe('021909999');
    expect(windowOf(`${SSN.join('')}5`)).toBe('219099999');
    expect(windowOf('666123456')).toBeUndefined();
    expect(windowRules('the list ', 9, 30)).toEqual([]);
    expect(windowRules('scan ', 5, 30)).toEqual([]); // `cc`, `pan` inside a word gate nothing
    // After the run [from, to): as far as the type's recognizer reads (24 characters past the run's end), not further.
    const run = '2,1,9,0,9,9,9,9,9,0';
    const lengths = (after: string) => windowRules(`${run}${after}`, 0, 10, run.length).map((r) => r.length);
    expect(lengths(' ssn')).toEqual([9]);
    expect(lengths(`${' '.repeat(20)}ssn`)).toEqual([9]);
    expect(lengths(`${' '.repeat(22)}ssn`)).toEqual([]);
    expect(lengths(' ssnx')).toEqual([]); // a word glued to a letter after it gates nothing
    expect(lengths(' ssns')).toEqual([9]); // the plural is a word of its own (3888fe6)
  });
});

describe('single digits split by spaces with one more digit beside a value, read in its window (spacedRun)', () => {
  const ssn = SSN.join(' ');
  const card = CARD.join(' ');
  it.each([
    ['an SSN with a tenth digit', `ssn ${ssn} 0`, `US_SSN ${ssn}`],
    ['an SSN in brackets with a tenth digit', `ssn [${ssn} 5]`, `US_SSN ${ssn}`],
    [
      'an SSN after a leading 0 (the first window from the left)',
      `ssn 0 ${ssn}`,
      `US_SSN 0 ${SSN.slice(0, 8).join(' ')}`,
    ],
    ['an SSN with a tenth digit, its word after it', `${ssn} 0 is my ssn`, `US_SSN ${ssn}`],
    ['a card between zeros, two spaces apart', `card 0  ${CARD.join('  ')}  0`, `CREDIT_CARD ${CARD.join('  ')}`],
    ['a BSN with a tenth digit', 'bsn 1 2 3 4 5 6 7 8 2 9', 'NL_BSN 1 2 3 4 5 6 7 8 2'],
  ])('%s is found over its window', (_name, text, finding) => {
    expect(found(text)).toEqual([finding]);
  });

  it('a run that is a value whole is read whole, as before', () => {
    expect(found(`ssn ${ssn}`)).toEqual([`US_SSN ${ssn}`]);
    expect(found(`card ${card}`)).toEqual([`CREDIT_CARD ${card}`]);
  });

  it.each([
    ['page numbers', 'see pages 1 2 3 4 5 6 7 8 9 10 11 12 of the guide'],
    ['a tenth digit and no word of the type', `ref ${ssn} 0`],
    ['an SSN word and no window passing the SSN rules', 'ssn 0 0 0 0 0 1 2 3 4 5'],
    ['scores of single digits beside a card word', 'card game scores 4 5 3 4 4 5 2 1 3 4 5 5 4 3 2 2 1'],
    ['a card with two digits before it', `card 0 0 ${card}`],
    ['a card in the middle of a longer run', `card 0 0 0 0 0 0 0 ${card} 0 0 0`],
    ['a table of single digits beside an SSN word', 'ssn table\n1 0 0 1 0 0 0 1 0 1\n0 1 1 0 0 1 0 0 1 1'],
  ])('control: %s', (_name, text) => {
    expect(found(text)).toEqual([]);
  });
});

describe('JSON escapes naming whitespace between digit groups', () => {
  it.each([
    ['\\n', String.raw`{"note":"ssn 219\n09\n9999"}`, String.raw`219\n09\n9999`],
    ['\\t', String.raw`{"note":"card 4111\t1111\t1111\t1111"}`, String.raw`4111\t1111\t1111\t1111`],
    ['\\r\\n', String.raw`{"note":"card 4111\r\n1111\r\n1111\r\n1111"}`, String.raw`4111\r\n1111\r\n1111\r\n1111`],
    ['\\f and \\v', String.raw`ssn 219\f09\v9999`, String.raw`219\f09\v9999`],
    ['\\b (a backspace)', String.raw`card 4111\b1111\b1111\b1111`, String.raw`4111\b1111\b1111\b1111`],
    ['\\u200b (zero-width space)', String.raw`{"note":"ssn 219\u200b09\u200b9999"}`, String.raw`219\u200b09\u200b9999`],
    [
      '\\u001b (ESC, as JSON writes a control)',
      String.raw`ssn 219\u001b09\u001b9999`,
      String.raw`219\u001b09\u001b9999`,
    ],
    ['\\u00AD (soft hyphen)', String.raw`ssn 219\u00AD09\u00AD9999`, String.raw`219\u00AD09\u00AD9999`],
    [
      '\\u0020 (a space)',
      String.raw`card 4111\u00201111\u00201111\u00201111`,
      String.raw`4111\u00201111\u00201111\u00201111`,
    ],
    ['\\\\n (escaped twice)', String.raw`ssn 219\\n09\\n9999`, String.raw`219\\n09\\n9999`],
    ['\\n between spaced digits', String.raw`ssn 2\n1\n9\n0\n9\n9\n9\n9\n9`, String.raw`2\n1\n9\n0\n9\n9\n9\n9\n9`],
    [
      '\\n in a regrouped card',
      String.raw`card 41\n11\n11\n11\n11\n11\n11\n11`,
      String.raw`41\n11\n11\n11\n11\n11\n11\n11`,
    ],
  ])('%s', (_name, text, value) => {
    expect(found(text).map((f) => f.slice(f.indexOf(' ') + 1))).toEqual([value]);
  });

  it('control: an escape that names no whitespace between digits, and code with line breaks', () => {
    expect(found(String.raw`ssn 219\a09\a9999`)).toEqual([]);
    expect(found(String.raw`ssn 219\u004109\u00429999`)).toEqual([]);
    expect(found(String.raw`{"code":"x = 12\nprint(345)\ny = 6789\n"}`)).toEqual([]);
  });
});

describe('every escape form of a dropped character or whitespace between digit groups (digit-separators.ts)', () => {
  it.each([
    ['\\U0000200b', String.raw`\U0000200b`],
    ['\\u{200b}', String.raw`\u{200b}`],
    ['&#8203;', '&#8203;'],
    ['&#x200B;', '&#x200B;'],
    ['%E2%80%8B (UTF-8 bytes percent-escaped)', '%E2%80%8B'],
    ['\\xe2\\x80\\x8b (UTF-8 bytes as \\x)', String.raw`\xe2\x80\x8b`],
    ['nine \\u200b (dropped: count as nothing)', String.raw`\u200b`.repeat(9)],
    ['&#32; (a space)', '&#32;'],
    ['%20 (a space)', '%20'],
  ])('%s', (_name, sep) => {
    const value = `219${sep}09${sep}9999`;
    expect(found(`ssn ${value}`).map((f) => f.slice(f.indexOf(' ') + 1))).toEqual([value]);
  });

  it.each([
    ['eleven \\u200b (66 characters)', String.raw`\u200b`.repeat(11)],
    ['eleven &#8203; (77 characters)', '&#8203;'.repeat(11)],
    ['a thousand \\xe2\\x80\\x8b', String.raw`\xe2\x80\x8b`.repeat(1000)],
    ['a thousand \\u200b and a space', `${String.raw`\u200b`.repeat(1000)} `],
  ])('escapes of a dropped character are not bounded by their length: %s', (_name, sep) => {
    const value = `219${sep}09${sep}9999`;
    expect(found(`ssn ${value}`).map((f) => f.slice(f.indexOf(' ') + 1))).toEqual([value]);
  });

  it('a run bounds the raw length of the characters it counts, not of escapes of dropped characters', () => {
    // Seven `\U00000020` are seven spaces (within MAX_SEPARATOR_RUN) but 70 characters (past MAX_SEPARATOR_RAW).
    expect(runEnd(`${String.raw`\U00000020`.repeat(7)}0`, 0, isSpaceSeparator)).toBe(-1);
    expect(runEnd(`${String.raw`\U00000020`.repeat(6)}0`, 0, isSpaceSeparator)).toBe(60);
    const dropped = `${String.raw`\u200b`.repeat(500)}${String.raw`\U00000020`.repeat(6)}`;
    expect(runEnd(`${dropped}0`, 0, isSpaceSeparator)).toBe(dropped.length);
    expect(runStop(`${dropped}${'&#32;'.repeat(3)}0`, 0, isSpaceSeparator).ok).toBe(false);
  });

  it('control: escapes of a dropped character after a digit and before no digit start nothing', () => {
    const sep = String.raw`\xe2\x80\x8b`;
    expect(found(`ssn 219${sep.repeat(2000)}x 09 9999`)).toEqual([]);
    expect(found(`ssn 219${'&#8203;'.repeat(11)}09${'&#8203;'.repeat(3)}99`)).toEqual([]);
  });

  it('control: escapes of characters that are no separator, and runs past the limits, keep the groups apart', () => {
    expect(found('ssn 219&amp;09&amp;9999')).toEqual([]);
    expect(found('ssn 219%2C09%2C9999')).toEqual([]);
    expect(found('ssn 219%4109%419999')).toEqual([]);
    expect(found(`ssn 219${'&#32;'.repeat(9)}09${'&#32;'.repeat(9)}9999`)).toEqual([]);
    // A lone \xe2 is U+00E2 (a letter), a truncated UTF-8 sequence is none.
    expect(found(String.raw`ssn 219\xe209\xe29999`)).toEqual([]);
    expect(found('ssn 219%E2%8009%E2%809999')).toEqual([]);
  });
});

describe("a parsed value's lists of short items read whole", () => {
  it.each([
    ['character codes', BYTES],
    ['hex bytes', BYTES.map((b) => b.toString(16))],
    ['0x hex bytes', BYTES.map((b) => `0x${b.toString(16)}`)],
    ['base64 quads', Buffer.from(KEY).toString('base64').match(/.{4}/g) as string[]],
    ['base64 in eights', Buffer.from(KEY).toString('base64').match(/.{8}/g) as string[]],
    ['codes as strings', BYTES.map(String)],
  ])('a key as %s', (_name, items) => {
    expect(parsedTypes({ data: items })).toEqual(['AWS_ACCESS_KEY input.data']);
  });

  it('a card or an SSN as its digits, numbers or strings, nested or not', () => {
    expect(parsedTypes({ ssn: SSN })).toEqual(['US_SSN input.ssn']);
    expect(parsedTypes({ n: CARD.map(String) })).toEqual(['CREDIT_CARD input.n']);
    expect(parsedTypes({ n: [CARD.slice(0, 8), CARD.slice(8)] })).toEqual([
      'CREDIT_CARD input.n[0]',
      'CREDIT_CARD input.n[1]',
    ]);
  });

  it.each([
    ['tags', { tags: ['red', 'green', 'blue', 'amber', 'teal'] }],
    ['ordinary bytes', { bytes: [...Buffer.from('hello world, how are you today?')] }],
    ['ordinary text in quads', { q: Buffer.from('the quick brown fox jumps').toString('base64').match(/.{4}/g) }],
    ['small numbers', { n: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] }],
    ['coordinates', { points: [51.5072, -0.1276, 40.7128, -74.006, 48.8566, 2.3522] }],
    [
      'a 3x3 matrix',
      {
        m: [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
      },
    ],
    ['ratings', { ratings: [4, 5, 3, 4, 4, 5, 2, 1, 3, 4, 5, 5, 4, 3, 2, 2] }],
    ['ids', { ids: ['a1', 'b2', 'c3', 'd4', 'e5', 'f6'] }],
  ])('control: %s', (_name, value) => {
    expect(parsedTypes(value)).toEqual([]);
  });
});

describe("a JSON text's arrays of short strings read whole (tool-call arguments)", () => {
  it.each([
    ['hex bytes', BYTES.map((b) => b.toString(16))],
    ['base64 quads', Buffer.from(KEY).toString('base64').match(/.{4}/g) as string[]],
    ['codes as strings', BYTES.map(String)],
    ['nested in an object, pretty-printed', Buffer.from(KEY).toString('base64').match(/.{4}/g) as string[], 2],
    [
      'quads each followed by an empty string',
      (Buffer.from(KEY).toString('base64').match(/.{4}/g) as string[]).flatMap((q) => [q, '']),
    ],
    [
      'quads each in a one-item array',
      (Buffer.from(KEY).toString('base64').match(/.{4}/g) as string[]).map((q) => [q]),
    ],
  ])('a key as %s', (_name, items: unknown[], indent?: number) => {
    const text = JSON.stringify({ call: { data: items } }, null, indent);
    expect(new Set(found(text).map((f) => f.split(' ')[0]))).toEqual(new Set(['AWS_ACCESS_KEY']));
  });

  it.each([
    ['tags', { tags: ['red', 'green', 'blue', 'amber', 'teal'] }],
    ['ids', { ids: ['a1', 'b2', 'c3', 'd4', 'e5', 'f6'], n: [1, 2, 3, 4] }],
    ['ordinary text in quads', { q: Buffer.from('the quick brown fox jumps').toString('base64').match(/.{4}/g) }],
    ['words of a sentence', { words: 'please summarise the following meeting notes'.split(' ') }],
    [
      'words in one-item arrays, empty strings between',
      { w: 'please summarise the notes'.split(' ').flatMap((w) => [[w], '']) },
    ],
  ])('control: %s', (_name, value) => {
    expect(found(JSON.stringify(value))).toEqual([]);
  });
});

describe("an answer's array of short strings", () => {
  it('is read glued and apart, each a read-only segment', () => {
    const quads = Buffer.from(KEY).toString('base64').match(/.{4}/g) as string[];
    const read = answerSegments({ data: quads }).filter((s) => s.keys && s.path.startsWith('data{'));
    expect(read.map((s) => [s.path, s.text])).toEqual([
      ['data{glued}', quads.join('')],
      ['data{items}', `[${quads.join(', ')}]`],
    ]);
  });

  it('control: three strings, a long one, or a number among them are not', () => {
    for (const data of [
      ['ab', 'cd', 'ef'],
      ['ab', 'cd', 'ef', 'x'.repeat(17)],
      ['ab', 'cd', 'ef', 1],
    ]) {
      expect(answerSegments({ data }).filter((s) => s.path.startsWith('data{g'))).toEqual([]);
    }
  });
});
