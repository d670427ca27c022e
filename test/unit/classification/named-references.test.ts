// HTML5 named character references (named-references.ts) are read as the character they name, as numeric ones are:
// an e-mail's `&commat;`, a key's letters as `&Aopf;`, a zero-width space by name; unknown names and names without
// their `;` stay as they are.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { namedReferenceAt } from '../../../src/classification/named-references.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(6) });
const find = (text: string) =>
  classifier.classify([{ path: 'p', text }]).findings.map((f) => ({ type: f.type, value: text.slice(f.start, f.end) }));

describe('named character references', () => {
  it.each([
    ['e-mail, &commat;', 'jane.doe&commat;example-corp.com', 'EMAIL'],
    ['e-mail, &commat; and &period;', 'jane&period;doe&commat;example-corp&period;com', 'EMAIL'],
    ['key, a zero-width space by name', 'AKIA2E0A8F3B&ZeroWidthSpace;244C9986', 'AWS_ACCESS_KEY'],
    [
      'key, letters double-struck (&Aopf;&Kopf;&Iopf;&Aopf;)',
      '&Aopf;&Kopf;&Iopf;&Aopf;2E0A8F3B244C9986',
      'AWS_ACCESS_KEY',
    ],
  ])('%s', (_name, value, type) => {
    expect(find(`note ${value} end`)).toEqual([{ type, value }]);
  });

  it('reads a name with its `;` only, case-sensitive, from the table only', () => {
    expect(namedReferenceAt('&commat;', 0)).toEqual({ code: 0x40, length: 8 });
    expect(namedReferenceAt('&lowbar;x', 0)).toEqual({ code: 0x5f, length: 8 });
    expect(namedReferenceAt('&Aopf;', 0)).toEqual({ code: 0x41, length: 6 });
    for (const text of ['&commat', '&COMMAT;', '&constructor;', '&toString;', '&;', '& commat;', '&copy;']) {
      expect(namedReferenceAt(text, 0)).toBeUndefined();
    }
  });

  it.each([
    ['&thinsp;'],
    ['&ThinSpace;'],
    ['&ensp;'],
    ['&emsp;'],
    ['&emsp13;'],
    ['&emsp14;'],
    ['&numsp;'],
    ['&puncsp;'],
    ['&hairsp;'],
    ['&VeryThinSpace;'],
    ['&MediumSpace;'],
    ['&ThickSpace;'],
    ['&middot;'],
    ['&bull;'],
    ['&horbar;'],
    ['&NoBreak;'],
    ['&zwj;'],
  ])('an SSN whose groups are split by %s is found over exactly its characters', (sep) => {
    const value = `219${sep}09${sep}9999`;
    expect(find(`my ssn is ${value} ok`)).toEqual([{ type: 'US_SSN', value }]);
  });

  it('names every WHATWG space as its character', () => {
    const spaces: [string, number][] = [
      ['Tab', 0x09],
      ['NewLine', 0x0a],
      ['nbsp', 0xa0],
      ['ensp', 0x2002],
      ['emsp', 0x2003],
      ['emsp13', 0x2004],
      ['emsp14', 0x2005],
      ['numsp', 0x2007],
      ['puncsp', 0x2008],
      ['thinsp', 0x2009],
      ['hairsp', 0x200a],
      ['MediumSpace', 0x205f],
      ['ZeroWidthSpace', 0x200b],
    ];
    for (const [name, code] of spaces) {
      expect(namedReferenceAt(`&${name};`, 0)).toEqual({ code, length: name.length + 2 });
    }
    expect(namedReferenceAt('&emsp1;', 0)).toBeUndefined();
  });

  it('control: spaces and dots by name in prose and prices read as nothing', () => {
    expect(find('Price:&nbsp;12&thinsp;000&ensp;EUR &middot; 3&emsp;items &bull; page 2&hairsp;/&hairsp;7')).toEqual(
      [],
    );
  });

  it('control: HTML-escaped prose and URLs read as nothing', () => {
    expect(find('a &lt; b &amp;&amp; c &gt; d; see https://x.test/?a=1&amp;b=2&amp;lang=en&nbsp;&copy; 2024')).toEqual(
      [],
    );
  });
});
