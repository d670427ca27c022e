// Join windows scanned in batches kept apart by one PAIR_GAP (classifier.ts draftsOfWindows) find exactly what batches
// kept apart by more than every reach find (each member read as it reads alone): context words, exclusion words and
// phrases, a company's legal form and values planted at every distance from a neighbouring window, near-misses
// included (fast-check), and the members a look reads past are scanned again alone.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { batchWindows, readsPastMember } from '../../../src/classification/window-batches.ts';

const key = new Uint8Array(32).fill(9);
const short = createClassifier({ fingerprintKey: key });
const apart = createClassifier({ fingerprintKey: key, windowBatches: 'reach' });

/** Values, near-misses, context and exclusion words, a place phrase, a legal form, names, separators. */
const PIECES = [
  '219-09-9999',
  '219 09 9999',
  '219-09-',
  '9999',
  '219099999',
  '078-05-1120',
  '4111 1111 1111 1111',
  '4111 1111',
  '1111 1112',
  'A12345678',
  '123456789',
  'GB82WEST12345698765432',
  'AKIAZ3MQWXR5TLPB6Y7N',
  'AKIAZ3MQWX',
  'R5TLPB6Y7N',
  'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
  'jo@ab.io',
  '+1 415 555 2671',
  '(415) 555-2671',
  '1984-07-02',
  '07/02/1984',
  'Maria Garcia',
  'Anna Smith',
  'Mr Ab',
  'Kraft Heinz Co',
  'Inc',
  'lives in New ',
  'based in ',
  'ssn',
  'social security number',
  'passport',
  'routing number',
  'card',
  'born on',
  'date of birth',
  'version',
  'order',
  'phone',
  'call me at',
  'DOB:',
  'password: ',
  'hunter2hunter2',
  'x'.repeat(40),
  'lorem ipsum dolor sit amet',
  ' ',
  '  ',
  ', ',
  '. ',
  '\n',
  ': ',
  '-',
  '.',
  'é',
];
const text = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 8 }).map((p) => p.join(''));
const LOCATIONS = ['user', 'assistant', undefined];

describe('join windows in short batches (property)', () => {
  it('find what batches kept apart past every reach find, on segments of values, labels and near-misses', () => {
    const list = fc.array(fc.tuple(text, fc.constantFrom(...LOCATIONS)), { minLength: 2, maxLength: 6 });
    fc.assert(
      fc.property(list, (parts) => {
        const segments = parts.map(([t, location], i) => ({
          path: i % 3 === 2 ? `tools[${i}].name` : `messages[${i}].content`,
          text: t,
          ...(location === undefined ? {} : { location }),
        }));
        expect(short.classify(segments)).toEqual(apart.classify(segments));
      }),
      { numRuns: 250 },
    );
  }, 120_000);

  it('find what batches kept apart find with a label at every distance before a value in the next segment', () => {
    const label = fc.constantFrom('ssn ', 'my ssn is', 'card ', 'passport', 'routing number', 'lives in New ', 'DOB:');
    const value = fc.constantFrom('219099999', '219-09-9999', 'A12345678', '123456789', 'Maria Garcia', '1984-07-02');
    const filler = fc.integer({ min: 0, max: 160 }).map((n) => 'ab '.repeat(n).slice(0, n));
    fc.assert(
      fc.property(label, filler, value, filler, (l, f1, v, f2) => {
        const segments = [
          { path: 'messages[0].content', text: `${l}${f1}`, location: 'user' },
          { path: 'messages[1].content', text: `${f2}${v}`, location: 'assistant' },
          { path: 'messages[2].content', text: `${v}${f1}`, location: 'user' },
        ];
        expect(short.classify(segments)).toEqual(apart.classify(segments));
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('find what batches kept apart find in a chat dense with values (batches past the first read apart)', () => {
    const turns = Array.from({ length: 60 }, (_, i) => ({
      path: `messages[${i}].content`,
      text: i % 3 === 0 ? `Anna Smith said 219-09-${1000 + i} to Bob` : i % 3 === 1 ? `ssn ${i}` : `219 09 ${9000 + i}`,
      location: i % 2 === 0 ? 'user' : 'assistant',
    }));
    const found = short.classify(turns);
    expect(found.findings.length).toBeGreaterThan(20);
    expect(found).toEqual(apart.classify(turns));
  });

  it('say a look reads past its member only when it reaches a neighbour’s text, not the gap alone', () => {
    const [batch] = batchWindows(['abc', 'defg', 'hi'], '\n!\n');
    if (batch === undefined) throw new Error('no batch');
    const [first, second, third] = batch.members as [
      (typeof batch.members)[0],
      (typeof batch.members)[0],
      (typeof batch.members)[0],
    ];
    expect(batch.text).toBe('abc\n!\ndefg\n!\nhi');
    expect(readsPastMember(batch, second, second.at - 3, second.at + second.length + 3)).toBe(false);
    expect(readsPastMember(batch, second, second.at - 4, second.at + second.length)).toBe(true);
    expect(readsPastMember(batch, second, second.at, third.at + 1)).toBe(true);
    expect(readsPastMember(batch, first, -100, first.length + 3)).toBe(false);
    expect(readsPastMember(batch, third, third.at - 3, batch.text.length + 100)).toBe(false);
  });
});
