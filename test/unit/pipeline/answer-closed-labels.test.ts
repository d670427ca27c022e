// Closed labels in an answer's document-order reading (answer-document-order.ts, answer-key-joins.ts
// readClosedLabels): an enumerated label's value (`"type":"high"`) is read after the place before it and before the
// next two past weak names and other closed labels, so its letters and a string two fields on are read together
// (`gh` + `p_…`), and it pushes no other place apart.
import { describe, expect, it } from 'vitest';
import { type ClosedLabel, documentPlaces } from '../../../src/pipeline/answer-document-order.ts';
import { keyJoins, PAIR_GAP } from '../../../src/pipeline/answer-key-joins.ts';
import { answerSegments } from '../../../src/providers/index.ts';

const pairs = (body: unknown) => keyJoins(answerSegments(body)).text.split(PAIR_GAP);

describe('closed labels in the document-order reading', () => {
  it('a closed label is no place, but is given with how many places come before it; an id or a text is a place', () => {
    const closed: ClosedLabel[] = [];
    const places = documentPlaces(answerSegments({ text: 'hello', type: 'high', id: 'file_1' }), closed);
    const values = (list: typeof places) => list.filter((p) => !p.keys).map((p) => [p.text, p.label]);
    expect(closed.map((c) => c.text.slice(c.start, c.end))).toEqual(['high']);
    expect(values(places.slice(0, closed[0]?.next))).toEqual([['hello', false]]);
    expect(values(places)).toEqual([
      ['hello', false],
      ['file_1', true],
    ]);
  });

  it('is read after the place before it and before the next two, past another closed label, each pair once', () => {
    const read = pairs({ text: 'before', x: { type: 'high', role: 'user', u: 'one', t: 'two', s: 'three' } });
    expect(read).toEqual(expect.arrayContaining(['beforehigh', 'highone', 'hightwo', 'beforeuser', 'usertwo']));
    expect(read).not.toContain('highthree');
    expect(read.filter((p) => p === 'highone')).toHaveLength(1);
  });

  it('pushes no place apart: a key around it is still read whole', () => {
    const read = pairs({ a: 'AKIAZ3MQWX', x: { type: 'high' }, R5TLPB6Y7N: 1 });
    expect(read).toEqual(expect.arrayContaining(['AKIAZ3MQWXR5TLPB6Y7N', 'AKIAZ3MQWXhigh', 'highR5TLPB6Y7N']));
    expect(read.filter((p) => p === 'highR5TLPB6Y7N')).toHaveLength(1);
  });
});
