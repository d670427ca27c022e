// What a segment found alone, asked of the pieces of a value joined or decoded across a boundary
// (join-pieces.ts overlapsFound, coveredByFound), and how a base64 run decoded across a boundary uses both
// (join-decode.ts): a value written across it keeps the pieces no value of its type found alone covers; a value
// glued onto a neighbour is dropped.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { coveredByFound, overlapsFound } from '../../../src/classification/join-pieces.ts';

const found = [
  { segment: 0, type: 'EMAIL', start: 10, end: 30 },
  { segment: 0, type: 'EMAIL', start: 5, end: 12 },
  { segment: 1, type: 'US_SSN', start: 0, end: 11 },
];
const piece = (segment: number, type: string, start: number, end: number) => ({ segment, type, start, end });

describe('overlapsFound and coveredByFound', () => {
  it('a piece overlapping a value of its type is not covered unless one value holds it whole', () => {
    const [overlaps, covers] = [overlapsFound(found), coveredByFound(found)];
    expect(overlaps(piece(0, 'EMAIL', 25, 40))).toBe(true);
    expect(covers(piece(0, 'EMAIL', 25, 40))).toBe(false);
    expect(covers(piece(0, 'EMAIL', 10, 30))).toBe(true);
    expect(covers(piece(0, 'EMAIL', 12, 29))).toBe(true);
    // Two values that together span it hold no piece whole.
    expect(overlaps(piece(0, 'EMAIL', 6, 20))).toBe(true);
    expect(covers(piece(0, 'EMAIL', 6, 20))).toBe(false);
    expect(covers(piece(0, 'EMAIL', 5, 12))).toBe(true);
  });

  it('another segment or type is neither', () => {
    const [overlaps, covers] = [overlapsFound(found), coveredByFound(found)];
    for (const p of [piece(1, 'EMAIL', 10, 20), piece(0, 'US_SSN', 10, 20), piece(2, 'EMAIL', 0, 5)]) {
      expect(overlaps(p)).toBe(false);
      expect(covers(p)).toBe(false);
    }
    expect(covers(piece(1, 'US_SSN', 0, 11))).toBe(true);
    expect(overlaps(piece(0, 'EMAIL', 30, 31))).toBe(false);
  });
});

describe('a base64 run decoded across a boundary beside a value of its type', () => {
  const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(4) });
  const emails = (texts: string[]) =>
    classifier
      .classify(texts.map((text, i) => ({ path: `messages[${i}].content`, text })))
      .findings.filter((f) => f.type === 'EMAIL')
      .map((f) => f.segment);
  const halves = (plain: string, at: number) => {
    const run = Buffer.from(plain).toString('base64');
    return [run.slice(0, at), run.slice(at)];
  };

  it('an address cut inside, a second address in the other half: both halves are reported', () => {
    expect(emails(halves('mail amy.lee@northwind.com then jane.doe@acmecorp.com ok', 32))).toEqual([0, 1]);
  });

  it('the same address said twice, the first cut inside: the first half is still reported', () => {
    expect(emails(halves('mail amy.lee@northwind.com then amy.lee@northwind.com ok', 32))).toEqual([0, 1]);
  });

  it('control: a word of the alphabet glued before a run holding a value is not reported', () => {
    const run = Buffer.from('{"contact":"amy.lee@northwind.com"}').toString('base64');
    expect(emails([`{"blob":"${run}"}`])).toEqual([0]);
    expect(emails(['blob', run])).toEqual([1]);
  });
});
