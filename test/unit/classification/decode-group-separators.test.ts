// What stands between two base64 groups (decode-group-separators.ts, decode-groups.ts): a label on each line (`REM `,
// a line number, `1. `), a prefix of the alphabet's marks with no space (`//`, `--`), a literal's prefix letters and
// escaped quotes (`b"…" b"…"`, `\",\"`), one mark between groups (`.`, `:`, and `-` or `_` inside an alphabet run).
// Controls: prose under the same labels and marks, hyphenated and dotted words, IPv6 and UUIDs decode to nothing; a
// stream holds the new forms cut anywhere; a megabyte of each costs one run or none.
import { describe, expect, it } from 'vitest';
import { createDecodeBudget, decodedRuns } from '../../../src/classification/decode.ts';
import { createClassifier, DEFAULT_RECOGNIZERS, normalizeText } from '../../../src/classification/index.ts';
import { check, key as streamKey } from './stream-release-fixture.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(6) });
const find = (text: string) =>
  classifier
    .classify([{ path: 'p', text }])
    .findings.map((f) => ({ type: f.type, value: text.slice(f.start, f.end), fingerprint: f.fingerprint }));
const [key] = find('AKIA2E0A8F3B244C9986');
const KEY = { type: 'AWS_ACCESS_KEY', fingerprint: key?.fingerprint };
const ENCODED = Buffer.from('my key AKIA2E0A8F3B244C9986 ok').toString('base64');
/** `ENCODED` cut into pieces of `width`. */
const pieces = (width: number, text = ENCODED) => text.match(new RegExp(`.{1,${width}}`, 'g')) as string[];
const runs = (text: string) => decodedRuns(normalizeText(text), createDecodeBudget()).map((r) => r.text);
const PROSE =
  'This is what we have: that they were here when this room also made them feel like home. Some days were ' +
  'good, most were long; they came back each year with more food than ever. Nice work from your team this week.';
const WORDS = PROSE.split(' ');

describe('new separators between groups', () => {
  it.each([
    ['a word the same on each line (REM)', () => 'REM '],
    ['line numbers (10, 20, …)', (i: number) => `${(i + 1) * 10} `],
    ['a numbered list (1., 2., …)', (i: number) => `${i + 1}. `],
    ['indented line numbers and a bar', (i: number) => `  ${i + 1} | `],
    ['a Fortran comment (C)', () => 'C     '],
    ["BASIC's 10 REM, 20 REM (two tokens)", (i: number) => `${(i + 1) * 10} REM `],
    ['part 1:, part 2: (a word and a number)', (i: number) => `part ${i + 1}: `],
    ['print(" (a call a line)', () => 'print("'],
  ])('lines of 12 behind %s', (_name, label) => {
    const lines = pieces(12);
    const text = `notes:\n${lines.map((line, i) => `${label(i)}${line}`).join('\n')}\nend`;
    const found = find(text);
    expect(found.map((f) => [f.type, f.fingerprint])).toEqual([[KEY.type, KEY.fingerprint]]);
    expect(found[0]?.value.startsWith(lines[0] as string)).toBe(true);
    expect(found[0]?.value.endsWith(lines[lines.length - 1] as string)).toBe(true);
  });

  it("lines behind the alphabet's marks with no space (`//`, `--`, `+`), read both ways", () => {
    for (const prefix of ['//', '--', '+', '#//']) {
      for (const width of [8, 12]) {
        const lines = pieces(width);
        const block = lines.map((line) => `${prefix}${line}`).join('\n');
        const found = find(`x:\n${block}\ny`);
        expect(found.map((f) => [f.type, f.fingerprint])).toEqual([[KEY.type, KEY.fingerprint]]);
        expect(found[0]?.value).toBe(block.slice(prefix.length));
      }
    }
  });

  it('literals with a prefix letter (b"…", u8"…", @"…") and escaped quotes (a JSON array inside a JSON string)', () => {
    const lines = pieces(12);
    for (const text of [
      `k = ${lines.map((l) => `b"${l}"`).join(' ')}`,
      `k = ${lines.map((l) => `u8"${l}"`).join(' ')}`,
      `k = ${lines.map((l) => `@"${l}"`).join(' + ')}`,
      `k = ${lines.map((l) => `N'${l}'`).join(' + ')}`,
      JSON.stringify(`["${lines.join('","')}"]`),
      JSON.stringify(JSON.stringify(`["${lines.join('","')}"]`)),
    ]) {
      expect(find(text).map((f) => [f.type, f.fingerprint])).toEqual([[KEY.type, KEY.fingerprint]]);
    }
  });

  it.each(['-', '_', '.', ':'])('groups of 4, 5 and 8 split by %s', (separator) => {
    for (const width of [4, 5, 8]) {
      const block = pieces(width).join(separator);
      expect(find(`serial ${block} ok`)).toEqual([{ ...KEY, value: block }]);
    }
  });
});

describe('controls', () => {
  it('prose behind labels (REM, line numbers, a numbered list) and behind `//` with no space decodes to nothing', () => {
    const lines = Array.from({ length: WORDS.length / 4 }, (_, k) => WORDS.slice(4 * k, 4 * k + 4).join(' '));
    for (const label of [() => 'REM ', (i: number) => `${(i + 1) * 10} `, (i: number) => `${i + 1}. `, () => '//']) {
      expect(runs(lines.map((line, i) => `${label(i)}${line}`).join('\n'))).toEqual([]);
      expect(runs(WORDS.map((word, i) => `${label(i)}${word}`).join('\n'))).toEqual([]);
    }
    const basic = ['10 PRINT "HELLO"', '20 GOTO 10', '30 REM this line loops', '40 LET A = 1', '50 END'];
    expect(find(basic.join('\n'))).toEqual([]);
  });

  it('hyphenated and dotted words, IPv6 addresses, UUIDs, versions and times decode to nothing found', () => {
    for (const text of [
      'a well-made mind-bent long-term plan: self-made team-work over long-lost home-made food',
      'see java.util.List.Iter and org.apache.commons.lang3 or mail.corp.acme.test for more',
      '79a455bc-8bb9-4492-b14b-cadcbc5b4853 17bd3a85-059a-45a4-8ab1-9f3c2e7d1a60',
      'version 1.2.3.4, at 10:20:30, items 1234-5678-9012, code ABCD-EFGH-IJKL-MNOP',
      `k = ${WORDS.slice(0, 12)
        .map((w) => `b"${w}"`)
        .join(' ')}`,
      JSON.stringify(JSON.stringify(WORDS)),
    ]) {
      expect(find(text)).toEqual([]);
    }
    // An IPv6 address is one (the main view's), and its groups of 4 hex digits read as hex are no more.
    const ipv6 = 'hosts 2001:0db8:85a3:0000:0000:8a2e:0370:7334 and fe80:0000:0000:0000:0202:b3ff:fe1e:8329';
    expect(find(ipv6).every((f) => f.type === 'IP_ADDRESS')).toBe(true);
  });
});

describe('a stream holds the new forms cut anywhere', () => {
  it('labels, escaped quotes, prefix letters and one mark, the AWS recognizer alone', () => {
    const recognizers = DEFAULT_RECOGNIZERS.filter((r) => r.type === 'AWS_ACCESS_KEY');
    const alone = createClassifier({ fingerprintKey: streamKey, recognizers });
    const lines = pieces(12);
    for (const text of [
      `Notes:\n${lines.map((l) => `REM ${l}`).join('\n')}\nok`,
      `Notes:\n${lines.map((l, i) => `${(i + 1) * 10} ${l}`).join('\r\n')}\r\nok`,
      `log: ${JSON.stringify(`["${lines.join('","')}"]`)} done`,
      `k = ${lines.map((l) => `b"${l}"`).join(' ')} done`,
      `serial ${pieces(4).join('.')} ok, ${pieces(5).join('-')} ok`,
      `x:\n${lines.map((l) => `//${l}`).join('\n')}\ny`,
    ]) {
      for (let at = 0; at <= text.length; at += 1) check(text, [text.slice(0, at), text.slice(at)], alone);
    }
  });
});

describe('cost', () => {
  it('a megabyte of each new form decodes as one run or none', () => {
    const MB = 1 << 20;
    const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length));
    expect(runs(fill('REM that they were here\n'))).toEqual([]);
    expect(runs(fill('10 that\n'))).toEqual([]);
    expect(runs(fill('//that\n'))).toEqual([]);
    expect(runs(fill('b"that" '))).toEqual([]);
    expect(runs(fill('self-made-team-work '))).toEqual([]);
    // One alphabet run of groups split by `-`: read as written and without its marks, each once.
    const split = runs(fill('QUJD-'));
    expect(split.length).toBeLessThanOrEqual(2);
    expect(split.reduce((sum, text) => sum + text.length, 0)).toBeLessThanOrEqual(MB);
    expect(runs(fill('QUJD.')).length).toBeLessThanOrEqual(1);
  });
});

describe('a log prefix, a comment after each group, empty lines between (review-s15 base64 labels)', () => {
  const FORMS: Array<[string, (line: string, i: number) => string, string]> = [
    ['a log prefix (timestamp and level)', (l, i) => `2026-12-07T19:00:0${i}Z INFO ${l}`, '\n'],
    ['a # comment after each group', (l) => `${l}  # chunk`, '\n'],
    ['a // comment after each group, CRLF', (l) => `${l} // part`, '\r\n'],
    ['REM lines an empty line apart', (l) => `REM ${l}`, '\n\n'],
    ['lines two empty lines apart', (l) => l, '\n\n\n'],
  ];
  it.each(FORMS)('lines of 12 with %s are found', (_name, line, join) => {
    const text = `notes:\n${pieces(12).map(line).join(join)}\nend`;
    expect(find(text).map((f) => [f.type, f.fingerprint])).toEqual([[KEY.type, KEY.fingerprint]]);
  });

  it.each([
    ['three empty lines between', (l: string) => l, '\n\n\n\n'],
    ['a comment glued to its group', (l: string) => `${l}# chunk`, '\n'],
    ['a comment of 40 characters', (l: string) => `${l}  # ${'c'.repeat(40)}`, '\n'],
    ['a different comment on each line', (l: string, i: number) => `${l}  # chunk ${'abcd'[i]}`, '\n'],
  ])('control: lines with %s are not read as one run', (_name, line, join) => {
    expect(find(`notes:\n${pieces(12).map(line).join(join)}\nend`)).toEqual([]);
  });

  it('control: prose in the same forms decodes to nothing', () => {
    const lines = Array.from({ length: WORDS.length / 3 }, (_, k) => WORDS.slice(3 * k, 3 * k + 3).join(' '));
    for (const [, line, join] of FORMS) {
      expect(runs(lines.map(line).join(join))).toEqual([]);
      expect(runs(WORDS.map(line).join(join))).toEqual([]);
    }
  });

  // Not the log prefix: a stream's hold (decode-groups.ts trailingGroupsStart) reads a label back as one word or
  // number, so a timestamp still arriving is released (the finding is still reported, from the text held after it).
  it('a stream holds them cut anywhere, the AWS recognizer alone', () => {
    const recognizers = DEFAULT_RECOGNIZERS.filter((r) => r.type === 'AWS_ACCESS_KEY');
    const alone = createClassifier({ fingerprintKey: streamKey, recognizers });
    for (const [, line, join] of FORMS.slice(1)) {
      const text = `Notes:\n${pieces(12).map(line).join(join)}\nok`;
      for (let at = 0; at <= text.length; at += 1) check(text, [text.slice(0, at), text.slice(at)], alone);
    }
  });

  it('a megabyte of each form of prose decodes as none', () => {
    const fill = (unit: string) => unit.repeat(Math.ceil((1 << 20) / unit.length));
    expect(runs(fill('that they were here  # chunk\n'))).toEqual([]);
    expect(runs(fill('REM that they were\n\n'))).toEqual([]);
    expect(runs(fill('2026-12-07T19:00:00Z INFO that they were\n'))).toEqual([]);
  });
});

describe('a level that varies, numbered comments, redirections, blank lines of blanks (review-s16 base64 labels)', () => {
  const FORMS: Array<[string, (line: string, i: number) => string, string]> = [
    ['a log level that varies', (l, i) => `2026-12-07T19:00:0${i}Z ${['INFO', 'WARN', 'DEBUG'][i % 3]} ${l}`, '\n'],
    ['numbered comments (# part 1)', (l, i) => `${l}  # part ${i + 1}`, '\n'],
    ['C comments', (l) => `${l} /* c */`, '\n'],
    ['% comments, CRLF', (l) => `${l} % chunk`, '\r\n'],
    ['echo "…" >> key.pem', (l) => `echo "${l}" >> key.pem`, '\n'],
    ['echo … > part1 … part5', (l, i) => `echo ${l} > part${i + 1}`, '\n'],
    ['REM lines, lines of blanks and a tab between', (l) => `REM ${l}`, '\n  \n\t\n'],
  ];
  it.each(FORMS)('lines of 12 with %s are found', (_name, line, join) => {
    const text = `notes:\n${pieces(12).map(line).join(join)}\nend`;
    expect(find(text).map((f) => [f.type, f.fingerprint])).toEqual([[KEY.type, KEY.fingerprint]]);
  });

  it.each([
    [
      'a word that varies where a level stood',
      (l: string, i: number) => `19:00:0${i}Z ${['ok', 'yes', 'no'][i % 3]} ${l}`,
    ],
    ['a redirection glued to its group', (l: string) => `echo ${l}>> key.pem`],
    ['three lines of blanks between', (l: string) => `${l}\n \n \n `],
  ])('control: lines with %s are not read as one run', (_name, line) => {
    expect(find(`notes:\n${pieces(12).map(line).join('\n')}\nend`)).toEqual([]);
  });

  it('control: prose in the same forms decodes to nothing', () => {
    const lines = Array.from({ length: WORDS.length / 3 }, (_, k) => WORDS.slice(3 * k, 3 * k + 3).join(' '));
    for (const [, line, join] of FORMS) {
      expect(runs(lines.map(line).join(join))).toEqual([]);
      expect(runs(WORDS.map(line).join(join))).toEqual([]);
    }
  });

  // Not the log prefix nor echo's (as above): a cut right after a label (`echo `) releases it, and the finding is
  // reported from the text held after it, its span not the whole text's (the adversarial file checks none leaks).
  const HELD = FORMS.filter(([name]) => !name.startsWith('echo') && !name.startsWith('a log'));
  it.each(HELD)('a stream holds lines with %s cut anywhere, the AWS recognizer alone', (_name, line, join) => {
    const recognizers = DEFAULT_RECOGNIZERS.filter((r) => r.type === 'AWS_ACCESS_KEY');
    const alone = createClassifier({ fingerprintKey: streamKey, recognizers });
    const text = `Notes:\n${pieces(12).map(line).join(join)}\nok`;
    for (let at = 0; at <= text.length; at += 1) check(text, [text.slice(0, at), text.slice(at)], alone);
  });

  it('a megabyte of each form of prose decodes as none', () => {
    const fill = (unit: string) => unit.repeat(Math.ceil((1 << 20) / unit.length));
    expect(runs(fill('that they were here  # part 12\n'))).toEqual([]);
    expect(runs(fill('echo "that they were" >> key.pem\n'))).toEqual([]);
    expect(runs(fill('REM that they were\n  \n'))).toEqual([]);
    expect(runs(fill('2026-12-07T19:00:00Z WARN that they were\n'))).toEqual([]);
  });
});
