// Property names of any form in the document-order reading: a name that is not valueLike (`7N`, `xbab`, 65+
// characters) is read beside the place right before and after it (readable-spans.ts namePairs for JSON texts,
// document-pairs.ts forEachDocumentPair for parsed JSON and answers), and pushes no other place away.
import { describe, expect, it } from 'vitest';
import { createClassifier, forEachDocumentPair } from '../../../src/classification/index.ts';
import { segmentSpans } from '../../../src/classification/readable-spans.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(6) });
const KEY = 'AKIAZ3MQWXR5TLPB6Y7N';

describe('forEachDocumentPair', () => {
  const place = (id: string, weak = false, label = false) => ({ id, weak, label });
  const pairs = (places: ReturnType<typeof place>[], glued = () => true) => {
    const out: string[] = [];
    forEachDocumentPair(
      places,
      (a, b) => {
        if (b !== undefined) out.push(`${a.id}${b.id}`);
      },
      glued,
    );
    return out.sort();
  };
  it('reads a weak place beside its neighbours that are not weak only, and the others as if it were not there', () => {
    // A, weak b, weak c, B: A and B are next to each other for the walk; b and c only beside A and B.
    expect(pairs([place('A'), place('b', true), place('c', true), place('B')])).toEqual(['AB', 'Ab', 'cB']);
  });
  it('reads a weak place beside a neighbour only where they are glued (a letter or digit meets one)', () => {
    expect(pairs([place('A'), place('b', true), place('B')], () => false)).toEqual(['AB']);
  });
  it('without weak places reads each place with the next two, and past labels with the one before', () => {
    expect(pairs([place('A'), place('L', false, true), place('M', false, true), place('B')])).toEqual(
      ['AB', 'AL', 'AM', 'LB', 'LM', 'MB'].sort(),
    );
  });
});

describe('namePairs of a JSON text', () => {
  const texts = (json: string) => {
    const { namePairs } = segmentSpans(json);
    const out: string[] = [];
    for (let k = 1; k < namePairs.length; k += 2) {
      const [a, b] = [namePairs[k - 1], namePairs[k]] as [readonly [number, number], readonly [number, number]];
      out.push(`${json.slice(...a)}|${json.slice(...b)}`);
    }
    return out;
  };
  it('pairs each name that is not valueLike with the strings beside it, numbers and blank strings read past', () => {
    // Two names side by side (`n`, `b`: a number and a blank string between) are no pair.
    expect(texts('{"k":"AKIA","n":1,"b":" ","7N":2,"v":"x"}')).toEqual(['k|AKIA', 'AKIA|n', 'v|x']);
  });
  it('holds no pair where no letter or digit meets one: `to` before `@lakeshore-bank.com` is no address', () => {
    expect(texts('{"to":"@lakeshore-bank.com","n":"x."}')).toEqual(['@lakeshore-bank.com|n', 'n|x.']);
  });
  it('holds no pair when every name is valueLike, nor for a text that is no JSON', () => {
    expect(texts('{"AKIAZ3MQWX":1,"R5TLPB6Y7N":2}')).toEqual([]);
    expect(texts('k AKIA, 7N')).toEqual([]);
  });
});

describe('a key split between a value and the next name of any form', () => {
  const types = (segments: { path: string; text: string }[]) =>
    classifier.classify(segments).findings.map((f) => [f.type, f.segment]);
  it('is found in a JSON text, one piece in the value and one in the name (two characters, 65+ characters)', () => {
    const pieces = (text: string) =>
      classifier.classify([{ path: 'arguments', text }]).findings.map((f) => `${f.type} ${text.slice(f.start, f.end)}`);
    expect(pieces(`{"k":"${KEY.slice(0, 18)}","7N":1}`)).toEqual([
      `AWS_ACCESS_KEY ${KEY.slice(0, 18)}`,
      'AWS_ACCESS_KEY 7N',
    ]);
    const long = `{"a":"${KEY.slice(0, 10)}","${KEY.slice(10)}_${'x'.repeat(60)}":1}`;
    expect(pieces(long)).toEqual([`AWS_ACCESS_KEY ${KEY.slice(0, 10)}`, `AWS_ACCESS_KEY ${KEY.slice(10)}`]);
  });
  it('is found in parsed JSON: the name list and the value before it', () => {
    const segments = [
      { path: 'input', text: 'k\n7N' },
      { path: 'input.k', text: KEY.slice(0, 18) },
    ];
    expect(types(segments)).toEqual([
      ['AWS_ACCESS_KEY', 0],
      ['AWS_ACCESS_KEY', 1],
    ]);
  });
  it('reads ordinary names beside ordinary values into no finding', () => {
    const json = JSON.stringify({ to: 'bob', userName: 'Bob Stone', address2: 'Flat 4', city: 'Leeds', zip: 'LS1' });
    expect(types([{ path: 'arguments', text: json }])).toEqual([]);
  });
});
