// Base64 in short lines and in groups split by spaces (decode-groups.ts): groups of one width, 4 or more, read as one
// run across line breaks (LF, CRLF) and the first line's prefix (blanks, `>`, a comment's or a list's marks), one to
// three spaces or a tab, the last group shorter or padded; a finding covers the groups. Controls: mixed widths are no
// run, prose of short words (spaced apart, quoted in a mail, in comments, a list), words in capitals, code, hex dumps,
// UUID lists and `ls` output decode to nothing, and a word after a run is no part of it.
import { execFileSync } from 'node:child_process';
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
/** A key in base64 (40 characters), and the same cut into groups of `width` joined by `separator`. */
const ENCODED = Buffer.from('my key AKIA2E0A8F3B244C9986 ok').toString('base64');
const groups = (width: number, separator: string, text = ENCODED) =>
  (text.match(new RegExp(`.{1,${width}}`, 'g')) as string[]).join(separator);
const runs = (text: string) => decodedRuns(normalizeText(text), createDecodeBudget()).map((r) => r.text);

describe('groups of one width are one run', () => {
  it.each(Array.from({ length: 12 }, (_, k) => k + 4))('lines of %i (LF and CRLF), the last one shorter', (width) => {
    for (const separator of ['\n', '\r\n']) {
      const block = groups(width, separator);
      expect(find(`attachment:\n${block}\n\nend`)).toEqual([{ ...KEY, value: block }]);
    }
  });

  it.each([4, 5, 6, 8, 12, 16, 20])('groups of %i split by single spaces', (width) => {
    const block = groups(width, ' ');
    expect(find(`the data: ${block}. Thanks`)).toEqual([{ ...KEY, value: block }]);
  });

  it("lines of 16 or more that are not whole quads, and `sed 's/..../& /g'` over wrapped lines (a space, then a break)", () => {
    for (const block of [
      groups(18, '\n'),
      groups(30, '\n'),
      groups(4, ' ', groups(20, '\n')).replaceAll('\n ', ' \n'),
    ]) {
      expect(find(`x (${block}) y`)).toEqual([{ ...KEY, value: block }]);
    }
  });

  it('lines under one prefix (a YAML block scalar, a mail reply quoted `> `), groups split by a tab or two spaces', () => {
    for (const prefix of ['  ', '\t', '> ', '> > ', '>']) {
      const block = `${prefix}${groups(12, `\n${prefix}`)}`;
      expect(find(`key: |\n${block}\nnext: 1`)).toEqual([{ ...KEY, value: block.slice(prefix.length) }]);
    }
    for (const separator of ['\t', '  ']) {
      const block = groups(4, separator);
      expect(find(`the data: ${block}. Thanks`)).toEqual([{ ...KEY, value: block }]);
    }
  });

  it("lines behind a comment's or a list's marks (the first line's, under any indentation), groups 3 spaces apart", () => {
    for (const prefix of [
      '# ',
      '// ',
      ' * ',
      '- ',
      '-- ',
      '; ',
      '    // ',
      '\t# ',
      '#',
      '> # ',
      '• ',
      '│   ├── ',
      '→ ',
    ]) {
      const block = `${prefix}${groups(12, `\n${prefix}`)}`;
      expect(find(`note:\n${block}\n\nend`)).toEqual([{ ...KEY, value: block.slice(prefix.length) }]);
    }
    // A mark on the first line only (a quote, a bracket) is no prefix: the lines after it have none.
    for (const [open, close] of [
      ['"', '"'],
      ['(', ')'],
      ['- ', ''],
    ]) {
      const block = groups(12, '\n');
      expect(find(`${open}${block}${close}`)).toEqual([{ ...KEY, value: block }]);
    }
    // A commented-out key of 64-character lines, the way a PEM body is wrapped (decode.ts joins them unprefixed).
    const wide = Buffer.from(`${'header '.repeat(8)}my key AKIA2E0A8F3B244C9986 ok`).toString('base64');
    expect(find(`# ${groups(64, '\n# ', wide)}`).map((f) => f.type)).toEqual(['AWS_ACCESS_KEY']);
    const block = groups(4, '   ');
    expect(find(`the data: ${block}. Thanks`)).toEqual([{ ...KEY, value: block }]);
  });

  it("lines wrapped in marks after and before each line's group: string literals joined, a table's cells, a shell's \\", () => {
    const lines = groups(12, '\n').split('\n');
    for (const text of [
      `const k =\n${lines.map((l) => `  "${l}"`).join(' +\n')};`,
      `$k = ${lines.map((l) => `'${l}'`).join(' .\n  ')};`,
      `k = (\n${lines.map((l) => `    "${l}"`).join('\r\n')}\n)`,
      `KEY="${lines.join('\\\n')}"`,
      lines.map((l) => `| ${l} |`).join('\n'),
      JSON.stringify(lines),
      `k = '${lines.join("' + '")}'`,
      `SELECT '${lines.join("' || '")}'`,
      `k = "${lines.join('" << "')}"`,
      `["${groups(8, '", "')}"]`,
    ]) {
      expect(find(text).map((f) => [f.type, f.fingerprint])).toEqual([[KEY.type, KEY.fingerprint]]);
    }
  });

  it('hex in groups (xxd -p | sed) is read as hex', () => {
    const block = groups(4, ' ', Buffer.from('my key AKIA2E0A8F3B244C9986').toString('hex'));
    expect(find(`bytes ${block} done`)).toEqual([{ ...KEY, value: block }]);
  });

  it('a word of the same width before the groups, or of another width, does not hide them', () => {
    for (const word of ['here', 'token', 'base64']) {
      const block = groups(4, ' ');
      expect(find(`${word} ${block}`).map((f) => f.type)).toEqual(['AWS_ACCESS_KEY']);
    }
  });

  it('a word after the last group does not hide the run; read with it only when the whole is text', () => {
    // A shorter last group may be the run's own (unpadded base64url): with it, when that is text, else without it.
    for (const text of ['my key AKIA2E0A8F3B244C9986 okay', 'my key AKIA2E0A8F3B244C9986 ok!!']) {
      const block = groups(4, ' ', Buffer.from(text).toString('base64'));
      for (const word of ['and', 'then', 'a']) {
        const found = find(`${block} ${word} more`);
        expect(found.map((f) => f.type)).toEqual(['AWS_ACCESS_KEY']);
        expect([block, `${block} ${word}`]).toContain(found[0]?.value);
      }
    }
  });
});

describe('controls', () => {
  it('mixed widths are not one run: lines growing wider each start a run of their own', () => {
    // 8, then 12, then the rest: the key's first bytes are in the first two lines, no line alone holds it.
    const mixed = `${ENCODED.slice(0, 8)}\n${ENCODED.slice(8, 20)}\n${ENCODED.slice(20)}`;
    expect(find(mixed)).toEqual([]);
    expect(find(groups(8, '\n'))).toEqual([{ ...KEY, value: groups(8, '\n') }]);
  });

  it('a group shorter than 4 characters is no group', () => {
    expect(runs(groups(3, ' '))).toEqual([]);
  });

  it('prose of 4-letter words, and words in capitals, decode to nothing', () => {
    const prose =
      'This is what we have: that they were here when this room also made them feel like home. Some days were ' +
      'good, most were long; they came back each year with more food than ever. Nice work from your team this week.';
    expect(runs(prose)).toEqual([]);
    expect(runs(prose.toUpperCase())).toEqual([]);
    expect(runs('abcd efgh ijkl mnop qrst uvwx')).toEqual([]);
  });

  it('prose with two spaces between words or sentences, and prose quoted in a mail reply, decode to nothing', () => {
    const prose =
      'This is what we have: that they were here when this room also made them feel like home. Some days were ' +
      'good, most were long; they came back each year with more food than ever. Nice work from your team this week.';
    expect(runs(prose.replaceAll(' ', '  '))).toEqual([]);
    expect(runs(prose.replaceAll('. ', '.  '))).toEqual([]);
    expect(runs(prose.replaceAll(' ', '\t'))).toEqual([]);
    const words = prose.split(' ');
    const quoted = Array.from({ length: words.length / 4 }, (_, k) => `> ${words.slice(4 * k, 4 * k + 4).join(' ')}`);
    expect(runs(`On Monday you wrote:\n${quoted.join('\n')}\n\nThanks`)).toEqual([]);
    expect(runs(quoted.join('\n').toUpperCase())).toEqual([]);
  });

  it('lines under different prefixes are not one run', () => {
    const lines = groups(12, '\n').split('\n');
    for (const [even, odd] of [
      ['> ', '  '],
      ['# ', '// '],
      ['- ', '-- '],
      ['# ', '#  '],
    ]) {
      const text = lines.map((line, k) => `${k % 2 === 0 ? even : odd}${line}`).join('\n');
      expect(find(text)).toEqual([]);
    }
  });

  it('prose in comments and in lists, prose 3 spaces apart, and code decode to nothing', () => {
    const prose =
      'This is what we have: that they were here when this room also made them feel like home. Some days were ' +
      'good, most were long; they came back each year with more food than ever. Nice work from your team this week.';
    const words = prose.split(' ');
    for (const prefix of ['# ', '// ', ' * ', '- ', '-- ', '; ']) {
      const lines = Array.from(
        { length: words.length / 4 },
        (_, k) => prefix + words.slice(4 * k, 4 * k + 4).join(' '),
      );
      expect(runs(lines.join('\n'))).toEqual([]);
      expect(runs(lines.join('\n').toUpperCase())).toEqual([]);
      expect(runs(words.map((word) => prefix + word).join('\n'))).toEqual([]);
      expect(runs(['that', 'they', 'were', 'here', 'when', 'this'].map((word) => prefix + word).join('\n'))).toEqual(
        [],
      );
    }
    expect(runs(prose.replaceAll(' ', '   '))).toEqual([]);
    const code = [
      '/**',
      ' * Read each line of the file and keep the ones that hold a name.',
      ' * @param path the file to read',
      ' */',
      'export function readNames(path: string): string[] {',
      '  // skip blank rows and rows that only hold a dash',
      "  const rows = readFileSync(path, 'utf8').split('\\n');",
      '  -- this line is a comment in SQL',
      "  return rows.filter((row) => row.trim() !== '' && row !== '-');",
      '}',
    ].join('\n');
    expect(find(code)).toEqual([]);
    expect(runs(code)).toEqual([]);
    const literals = `const text =\n${words.map((word) => `  "${word} "`).join(' +\n')};`;
    expect(runs(literals)).toEqual([]);
    expect(runs(words.map((word) => `| ${word} |`).join('\n'))).toEqual([]);
    expect(runs(JSON.stringify(words))).toEqual([]);
    const tree = [
      'src',
      '├── main.ts',
      '├── classification',
      '│   ├── anchors.ts',
      '│   ├── cards.ts',
      '│   └── dates.ts',
    ];
    expect(runs(tree.join('\n'))).toEqual([]);
    expect(runs(words.map((word) => `• ${word}`).join('\n'))).toEqual([]);
  });

  it('UUID lists and `ls` output decode to nothing; a hex dump is read as its bytes only', () => {
    const uuids = [
      '79a455bc-8bb9-4492-b14b-cadcbc5b4853',
      '17bd3a85-059a-45a4-8ab1-9f3c2e7d1a60',
      'c3d2e1f0-1234-4abc-9def-0123456789ab',
    ];
    expect(runs(uuids.join(' '))).toEqual([]);
    expect(runs(uuids.join('\n'))).toEqual([]);
    expect(runs('anchors.ts\ncards.ts\nchecksums.ts\nclassifier.ts\n')).toEqual([]);
    expect(
      runs('bin  boot  dev  etc  home  lib  media  mnt  opt  proc  root  run  sbin  srv  sys  tmp  usr  var'),
    ).toEqual([]);
    const dump = execFileSync('xxd', { input: 'No secret here, only the quarterly figures.' }).toString();
    expect(find(dump)).toEqual([]);
    expect(runs(dump).join('')).toContain('quarterly');
  });

  it('a run of 16 or more and a word after it are read together only as whole quads of text', () => {
    const ssn = Buffer.from('my ssn is 219-09-9999 ok').toString('base64url');
    for (const word of ['end', 'a', 'then']) {
      expect(find(`data ${ssn} ${word}`).map((f) => f.value)).toEqual([ssn]);
    }
  });
});

describe('a stream holds a run of groups still arriving', () => {
  it('cut at every position, the AWS recognizer alone (no other partial holds the groups for it)', () => {
    const recognizers = DEFAULT_RECOGNIZERS.filter((r) => r.type === 'AWS_ACCESS_KEY');
    const alone = createClassifier({ fingerprintKey: streamKey, recognizers });
    for (const block of [groups(8, ' '), groups(12, '\r\n'), groups(16, '\n'), groups(4, ' \n')]) {
      const text = `Summarise the report. ${block} was mentioned.`;
      for (let at = 0; at <= text.length; at += 1) check(text, [text.slice(0, at), text.slice(at)], alone);
    }
  });

  it('lines under a prefix (YAML, a mail reply) and groups split by two spaces or a tab, cut at every position', () => {
    const recognizers = DEFAULT_RECOGNIZERS.filter((r) => r.type === 'AWS_ACCESS_KEY');
    const alone = createClassifier({ fingerprintKey: streamKey, recognizers });
    for (const text of [
      `key: |\n  ${groups(12, '\n  ')}\nnext: 1`,
      `You wrote:\n> ${groups(8, '\r\n> ')}\r\n\r\nThanks`,
      `Summarise: ${groups(4, '  ')} and ${groups(5, '\t')} were mentioned.`,
      `/*\n * ${groups(12, '\n * ')}\n */\nint x;`,
      `Notes:\n- ${groups(8, '\r\n- ')}\r\n\r\nDone`,
      `x = 1\n    // ${groups(16, '\n    // ')}\n    # ${groups(6, '\n    # ')}\nend`,
      `Summarise: ${groups(4, '   ')} was mentioned.`,
      `const k =\n  "${groups(12, '" +\n  "')}";\nok`,
      `| ${groups(8, ' |\r\n| ')} |\r\n\r\nok`,
      `{"k": ["${groups(12, '","')}"]}`,
    ]) {
      for (let at = 0; at <= text.length; at += 1) check(text, [text.slice(0, at), text.slice(at)], alone);
    }
  });

  it("chunks of every width 1 to 9 over lines behind a comment's or a list's marks report what the whole text does", () => {
    const recognizers = DEFAULT_RECOGNIZERS.filter((r) => r.type === 'AWS_ACCESS_KEY');
    const alone = createClassifier({ fingerprintKey: streamKey, recognizers });
    for (const prefix of ['# ', '// ', ' * ', '- ', '  -- ', '/// ', '• ', '│ ']) {
      for (const width of [4, 7, 12, 20]) {
        const text = `See:\n${prefix}${groups(width, `\n${prefix}`)}\nok\n"${groups(width, `" +\n${prefix}"`)}";`;
        for (let chunk = 1; chunk <= 9; chunk += 1)
          check(text, text.match(new RegExp(`[^]{1,${chunk}}`, 'g')) ?? [], alone);
      }
    }
  });
});

describe('cost', () => {
  it('a long text of 4-letter words and of short lines decodes within the budget, in one run each', () => {
    const words = 'that they were here '.repeat(1 << 14);
    expect(runs(words)).toEqual([]);
    expect(runs('that  they  were  here  '.repeat(1 << 14))).toEqual([]);
    expect(runs('> that they were here\n'.repeat(1 << 14))).toEqual([]);
    expect(runs('# that they were here\n'.repeat(1 << 14))).toEqual([]);
    expect(runs('- that\n'.repeat(1 << 14))).toEqual([]);
    const lines = `${'QUJD\n'.repeat(1 << 14)}`;
    expect(runs(lines)).toHaveLength(1);
  });
});
