// Person names (src/classification/person-names.ts) beyond the basic cases of recognizers-field.test.ts: a lone name
// that an introduction, the name list or the people around it make one, and the prose that must stay free of names
// (product names, units, addresses). Each case says what must be found, exactly, or that nothing is.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(1) });

function names(text: string): string[] {
  return classifier
    .classify([{ path: 'p', text }])
    .findings.filter((f) => f.type === 'PERSON_NAME')
    .map((f) => text.slice(f.start, f.end));
}

describe('a name an introduction makes one', () => {
  it.each([
    ['a name no list knows after "call me"', 'Sometimes people call me Izaket', 'Izaket'],
    ['a family name no list knows after a title', 'For my take on Dr. Atzler, see the list', 'Atzler'],
    ['a lower-case title', "I'd like to join accounts with ms. Julcsa", 'Julcsa'],
    ['an unknown name after "my name is"', 'My name is Alterio', 'Alterio'],
  ])('finds %s', (_, text, value) => {
    expect(names(text)).toEqual([value]);
  });

  it.each([
    ['a unit, then a word that is also a name', 'commit wait p99 10.9 ms. So on an idle machine'],
    ['a title after "this is"', 'Hello, this is Mr.'],
    ['an everyday word after a greeting', 'Hello World, Dear Customer'],
  ])('leaves %s alone', (_, text) => {
    expect(names(text)).toEqual([]);
  });
});
