// The answer walk: every string and every key list, with paths people can read and step chains that redaction follows.
import { describe, expect, it } from 'vitest';
import {
  ANSWER_MAX_NODES,
  answerSegments,
  AnswerShapeError,
  stepsOf,
  writeAnswerTexts,
} from '../../../src/providers/index.ts';
import { embeddingAnswerSegments } from '../../../src/providers/answer-json.ts';

describe('answerSegments', () => {
  it('yields every string and every key list in document order, with paths', () => {
    const segments = answerSegments({
      id: 'x',
      choices: [{ message: { content: 'hi', n: 1, ok: true, none: null } }],
      'a.b': 'q',
    });
    expect(segments.map((s) => [s.path, s.text, s.keys])).toEqual([
      ['{keys}', 'id\nchoices\na.b', true],
      ['id', 'x', false],
      ['choices[0]{keys}', 'message', true],
      ['choices[0].message{keys}', 'content\nn\nok\nnone', true],
      ['choices[0].message.content', 'hi', false],
      ['["a.b"]', 'q', false],
    ]);
    expect(stepsOf(segments[4]?.at ?? null)).toEqual(['choices', 0, 'message', 'content']);
  });

  it("leaves out the paths it is told to skip (a stream session's channel texts)", () => {
    const segments = answerSegments(
      { delta: { text: 'secret', type: 'text_delta' } },
      new Set([JSON.stringify(['delta', 'text'])]),
    );
    expect(segments.map((s) => s.text)).not.toContain('secret');
    expect(segments.map((s) => s.text)).toContain('text_delta');
  });

  it('reads an own __proto__ key as data', () => {
    const body = JSON.parse('{"__proto__": {"k": "v"}}') as unknown;
    expect(answerSegments(body).map((s) => s.text)).toEqual(['__proto__', 'k', 'v']);
  });

  it('refuses more values and keys than ANSWER_MAX_NODES, before walking them', () => {
    const items = (n: number) => ({ x: Array.from({ length: n }, () => ({ a: 'b' })) });
    // The root, x and its array: 2, then 3 per item ({a: 'b'}, its key, its value).
    const most = Math.floor((ANSWER_MAX_NODES - 2) / 3);
    expect(() => answerSegments(items(most))).not.toThrow();
    expect(() => answerSegments(items(most + 1))).toThrow(AnswerShapeError);
    expect(() => answerSegments({ x: new Array(10_000_000).fill(0) })).toThrow(AnswerShapeError);
  });

  it('reads a number written with nine digits or more as its text; shorter ones not', () => {
    const body = {
      a: 0.378282246310005,
      b: 219099999,
      c: 12345678,
      d: 0.5,
      e: -1.25e-7,
      f: 1733500000,
      g: [0.123456789],
    };
    expect(
      answerSegments(body)
        .filter((s) => !s.keys)
        .map((s) => [s.path, s.text]),
    ).toEqual([
      ['a', '0.378282246310005'],
      ['b', '219099999'],
      ['f', '1733500000'],
      ['g[0]', '0.123456789'],
    ]);
  });

  it("reads an embeddings answer's vectors as vectors: fractions are not segments, long integers still are", () => {
    const body = { data: [{ embedding: [0.378282246310005, 378282246310005, 0.5], index: 0 }], x: [0.378282246310005] };
    const texts = (segments: { path: string; text: string; keys: boolean }[]) =>
      segments.filter((s) => !s.keys).map((s) => [s.path, s.text]);
    expect(texts(embeddingAnswerSegments(body))).toEqual([
      ['data[0].embedding[1]', '378282246310005'],
      ['x[0]', '0.378282246310005'],
    ]);
    // The same shape in another answer (or deeper in this one) is no vector.
    expect(texts(answerSegments(body))).toContainEqual(['data[0].embedding[0]', '0.378282246310005']);
    expect(texts(embeddingAnswerSegments({ y: body }))).toContainEqual(['y.data[0].embedding[0]', '0.378282246310005']);
  });

  it('does not count the numbers of an embeddings answer against the limit', () => {
    const vector = () => Array.from({ length: 3072 }, (_, i) => i / 3072);
    const body = { object: 'list', data: Array.from({ length: 64 }, (_, i) => ({ index: i, embedding: vector() })) };
    expect(() => embeddingAnswerSegments(body)).not.toThrow();
    expect(() => answerSegments(body)).toThrow(AnswerShapeError);
  });

  it('refuses nesting deeper than 64 levels, without recursion', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i += 1) deep = { d: deep };
    expect(() => answerSegments(deep)).toThrow(AnswerShapeError);
  });
});

describe('writeAnswerTexts', () => {
  it('writes at the exact steps, copying only the containers on the way', () => {
    const body = { 'a.b': 'x', a: { b: 'y' }, other: { big: [1, 2, 3] } };
    const segments = answerSegments(body);
    const at = segments.findIndex((s) => s.path === '["a.b"]');
    const out = writeAnswerTexts(body, segments, [{ segment: at, text: '[EMAIL_1]' }]) as typeof body;
    expect(out).toEqual({ 'a.b': '[EMAIL_1]', a: { b: 'y' }, other: { big: [1, 2, 3] } });
    expect(body['a.b']).toBe('x');
    expect(out.other).toBe(body.other);
  });

  it('writes under an own __proto__ key, never to a prototype', () => {
    const body = JSON.parse('{"__proto__": {"k": "v"}}') as Record<string, unknown>;
    const segments = answerSegments(body);
    const out = writeAnswerTexts(body, segments, [{ segment: segments.findIndex((s) => s.text === 'v'), text: 'w' }]);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"k":"w"}}');
    expect(({} as Record<string, unknown>).k).toBeUndefined();
  });

  it('refuses to write over a key list', () => {
    const body = { k: 'v' };
    expect(() => writeAnswerTexts(body, answerSegments(body), [{ segment: 0, text: 'x' }])).toThrow(AnswerShapeError);
  });
});
