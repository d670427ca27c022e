// matchesOf's per-call memo (matching.ts ValidationMemo): a refined run said again in one call is refined and
// validated once, per recognizer, and the matches are those without the memo.
import { describe, expect, it } from 'vitest';
import { type CompiledRecognizer, compileRecognizer } from '../../../src/classification/compile.ts';
import { matchesOf, type ValidationMemo } from '../../../src/classification/matching.ts';
import { PERSON_NAME_LISTED } from '../../../src/classification/person-names.ts';
import { CREDIT_CARD } from '../../../src/classification/recognizers-pii.ts';

/** `r` with its refiner and validator counting their calls. */
function counted(r: CompiledRecognizer) {
  const calls = { refine: 0, validate: 0 };
  const { refine, validate } = r;
  if (refine === undefined || validate === undefined) throw new Error('a refining recognizer with a validator');
  const recognizer: CompiledRecognizer = {
    ...r,
    refine: (value) => {
      calls.refine += 1;
      return refine(value);
    },
    validate: (value) => {
      calls.validate += 1;
      return validate(value);
    },
  };
  return { recognizer, calls };
}

const spans = (found: ReturnType<typeof matchesOf>) => found.map((m) => [m.startByte, m.endByte, m.value]);

describe('matchesOf memo of refined runs', () => {
  const text = `${'Officials at the Central Bank said so. '.repeat(6)}He met Maria Garcia and Maria Garcia. `;
  const bytes = Buffer.from(text, 'utf8');

  it('refines and validates each distinct run once a call, with the matches found without a memo', () => {
    const { recognizer, calls } = counted(compileRecognizer(PERSON_NAME_LISTED, 0));
    const memo: ValidationMemo = new Map();
    const found = matchesOf(recognizer, bytes, memo);
    expect(spans(found)).toEqual(spans(matchesOf(compileRecognizer(PERSON_NAME_LISTED, 0), bytes)));
    expect(found.map((m) => m.value)).toEqual(['Maria Garcia', 'Maria Garcia']);
    // Two distinct runs (`Central Bank`, `Maria Garcia`), each refined once; without a memo, once a run (8).
    expect(calls.refine).toBe(2);
    const once = calls.validate;
    matchesOf(recognizer, bytes, memo);
    expect(calls).toEqual({ refine: 2, validate: once });
    const fresh = counted(compileRecognizer(PERSON_NAME_LISTED, 0));
    matchesOf(fresh.recognizer, bytes);
    expect(fresh.calls.refine).toBe(8);
  });

  it('keeps each recognizer its own windows: another validator over the same refiner decides again', () => {
    const listed = counted(compileRecognizer(PERSON_NAME_LISTED, 0));
    const rejecting: CompiledRecognizer = { ...listed.recognizer, validate: () => false };
    const memo: ValidationMemo = new Map();
    expect(matchesOf(listed.recognizer, bytes, memo)).toHaveLength(2);
    expect(matchesOf(rejecting, bytes, memo)).toEqual([]);
  });

  it('finds a card in a repeated run at each of its offsets', () => {
    const card = compileRecognizer(CREDIT_CARD, 0);
    const cardText = 'card 4111 1111 1111 1111, again 4111 1111 1111 1111.';
    const found = matchesOf(card, Buffer.from(cardText), new Map());
    expect(found.map((m) => m.startByte)).toEqual([5, 32]);
    expect(spans(found)).toEqual(spans(matchesOf(card, Buffer.from(cardText))));
  });
});
