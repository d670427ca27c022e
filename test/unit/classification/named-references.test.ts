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

  it('control: HTML-escaped prose and URLs read as nothing', () => {
    expect(find('a &lt; b &amp;&amp; c &gt; d; see https://x.test/?a=1&amp;b=2&amp;lang=en&nbsp;&copy; 2024')).toEqual(
      [],
    );
  });
});
