// A paging text's members (document-members.ts textMembers): string values under their names and each name's first
// number, from JSON, Python's repr, YAML lines, `name=value` pairs and a text inside a string member; each member a
// span of the text given; linear.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textMembers } from '../../../src/classification/document-members.ts';

/** name=value of each string member, as spans of the text, and the numbers. */
const read = (text: string) => {
  const { strings, numbers } = textMembers(text);
  return { strings: strings.map((m) => `${m.name}=${text.slice(m.from, m.to)}`), numbers: Object.fromEntries(numbers) };
};

describe('textMembers', () => {
  it.each([
    ['JSON', '{"offset":10,"data":"AKIA"}'],
    ["Python's repr", "{'offset': 10, 'data': 'AKIA', 'eof': False}"],
    ['YAML', 'offset: 10\ndata: AKIA  \n'],
    ['key=value', 'offset=10 data=AKIA'],
    ['logfmt, quoted', 'offset=10 data="AKIA"'],
  ])('reads %s', (_name, text) => {
    expect(read(text)).toEqual({ strings: ['data=AKIA'], numbers: { offset: 10 } });
  });

  it('reads a JSON text inside a string member through its escapes, mapped back to the outer text', () => {
    const text = JSON.stringify({ content: [{ type: 'text', text: JSON.stringify({ page: 2, data: 'AK\u00e9IA' }) }] });
    const { strings, numbers } = read(text);
    expect(strings.slice(2)).toEqual(['data=AK\u00e9IA']);
    expect(numbers).toEqual({ page: 2 });
  });

  it('maps an escaped inner value to the span of its escapes', () => {
    const text = JSON.stringify({ text: JSON.stringify({ data: 'a"b' }) });
    expect(read(text).strings[1]).toBe('data=a\\\\\\"b');
  });

  it("returns the objects with a string and a number of their own, an inner text's too", () => {
    const pages = JSON.stringify([{ offset: 10, data: 'R5' }, { offset: 0, data: 'AK', tags: ['x'] }, { data: 'no' }]);
    const { objects } = textMembers(pages);
    expect(
      objects.map((o) => [Object.fromEntries(o.numbers), o.strings.map((m) => pages.slice(m.from, m.to))]),
    ).toEqual([
      [{ offset: 10 }, ['R5']],
      [{ offset: 0 }, ['AK', 'x']],
    ]);
    const item = JSON.stringify({ content: [{ type: 'text', text: JSON.stringify({ page: 2, data: 'R5' }) }] });
    expect(textMembers(item).objects.map((o) => Object.fromEntries(o.numbers))).toEqual([{ page: 2 }]);
  });

  it.each([
    ['a sentence with one colon', 'Note: see the table'],
    ['one pair', 'x=3'],
    ['a comparison', 'a == b and c == d'],
    ['a URL', 'see https://example.com/a?b'],
  ])('reads no members in %s', (_name, text) => {
    expect(read(text).strings).toEqual([]);
  });

  it('reads one level inside a string, not two', () => {
    const inner = JSON.stringify({ data: JSON.stringify({ deep: 'AKIA' }) });
    expect(read(JSON.stringify({ text: inner })).strings.some((s) => s.startsWith('deep='))).toBe(false);
  });

  it('returns spans of the text and reads each level once (property: members at most twice the text)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string({ maxLength: 200 })), (text) => {
        const { strings } = textMembers(text);
        let total = 0;
        for (const m of strings) {
          expect(0 <= m.from && m.from <= m.to && m.to <= text.length).toBe(true);
          total += m.to - m.from;
        }
        expect(total).toBeLessThanOrEqual(2 * text.length);
      }),
      { numRuns: 300 },
    );
  });
});
