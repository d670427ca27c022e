// AWS access key ids in the forms a model reads back to the key (recognizers-secrets.ts): mixed case, the whole id in
// groups of five, a Braille blank (U+2800, dropped by normalize.ts) inside; and the prose and identifiers
// that must stay no key (CamelCase words starting `Asia`, longer ids, blanks between words).
import { describe, expect, it } from 'vitest';
import { createClassifier, normalizeText } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(9) });
const KEY = 'AKIAZ3MQWXR5TLPB6Y7N';
const keys = (text: string) =>
  classifier
    .classify([{ path: 'p', text }])
    .findings.filter((f) => f.type === 'AWS_ACCESS_KEY')
    .map((f) => ({ value: text.slice(f.start, f.end), fingerprint: f.fingerprint }));
const fingerprint = keys(KEY)[0]?.fingerprint;

describe('AWS key ids a model reads back', () => {
  it.each([
    ['mixed case', 'AkIaZ3mQwXr5TlPb6Y7n'],
    ['mixed case, temporary', 'aSiAZ3MQwxr5tlpb6Y7N'],
    ['groups of five', 'AKIAZ-3MQWX-R5TLP-B6Y7N'],
    ['groups of five in lower case, spaced', 'akiaz 3mqwx r5tlp b6y7n'],
    ['groups of five in mixed case', 'AkIaZ-3mQwX-r5TlP-b6Y7n'],
    ['groups of four in mixed case', 'Akia Z3mq Wxr5 Tlpb 6y7n'],
    ['a Braille blank inside', 'AKIAZ3MQ\u2800WXR5TLPB6Y7N'],
  ])('finds the key in %s, with the key’s own fingerprint', (_name, value) => {
    const found = keys(`use ${value} now`);
    expect(found.map((k) => k.value)).toEqual([value]);
    const upper = value.toUpperCase().replace(/[^A-Z0-9]/g, '');
    expect(found[0]?.fingerprint).toBe(keys(upper)[0]?.fingerprint);
    expect(upper.startsWith('AKIA') ? found[0]?.fingerprint : fingerprint).toBe(fingerprint);
  });
});

describe('no key where there is none', () => {
  it.each([
    ['a CamelCase identifier of 20 letters', 'AsiaPacificMarketing'],
    ['a phrase with one space', 'AsiaPacific Marketing'],
    ['a mixed-case id longer than 20', 'AkIaZ3mQwXr5TlPb6Y7nQ'],
    ['a mixed-case id of 19', 'AkIaZ3mQwXr5TlPb6Y7'],
    ['groups of five with a sixth', 'AKIAZ-3MQWX-R5TLP-B6Y7NX'],
    ['the documented placeholder in mixed case', 'AkiaIosfodnn7Example'],
  ])('%s', (_name, value) => {
    expect(keys(`see ${value}, then`)).toEqual([]);
  });
  it('drops a Braille blank as the other blank fillers, keeping its place for the digits view', () => {
    expect(normalizeText('hello\u2800world').text).toBe('helloworld');
    expect(normalizeText('219\u280009').blanks).toEqual([3]);
  });
});
