// progressNote: each notification read after the tail of what was relayed before (numbers and messages), the pieces
// of one notification beside each other, ordinary progress relayed as it is.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { progressNote, type Progress } from '../../../src/mcp/progress.ts';
import { SHOWN_TAIL } from '../../../src/mcp/answer.ts';

const deps = { classifier: createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) }), log: () => {} };
/** The notifications' params as relayed (null: withheld), and the tail kept after them. */
function relay(notes: readonly Progress[]) {
  const shown: string[] = [];
  const params = notes.map((p) => (progressNote(deps, 't', p, shown)?.['params'] as Record<string, unknown>) ?? null);
  return { params, shown };
}

describe('progressNote', () => {
  it('relays ordinary progress, with and without a total and a message', () => {
    const notes = Array.from({ length: 120 }, (_, i) => ({
      progress: i + 1,
      ...(i % 2 === 0 ? { total: 120 } : {}),
      ...(i % 3 === 0 ? { message: `step ${i + 1} of 120: reading page ${i * 7}` } : {}),
    }));
    const { params, shown } = relay(notes);
    expect(params.filter((p) => p === null)).toEqual([]);
    expect(params.filter((p) => p !== null && 'message' in p)).toHaveLength(40);
    expect(shown.length).toBeLessThanOrEqual(4);
    expect(shown.join('').length).toBeLessThanOrEqual(SHOWN_TAIL);
  });
  it('withholds a notification whose number completes the number or message relayed before', () => {
    expect(relay([{ progress: 3782822 }, { progress: 46310005 }]).params[1]).toBeNull();
    expect(relay([{ progress: 1, message: 'card 37828224' }, { progress: 6310005 }]).params[1]).toBeNull();
    // the total relayed before, then this notification's progress
    expect(relay([{ progress: 1, total: 3782822 }, { progress: 46310005 }]).params[1]).toBeNull();
  });
  it('withholds a message that completes a number, skipping a number between', () => {
    const last = (notes: Progress[]) => relay(notes).params.at(-1);
    // the previous notification's progress, then this one's progress (skipped), then its message
    expect(last([{ progress: 37828224 }, { progress: 2, message: '6310005' }])).toEqual({
      progressToken: 't',
      progress: 2,
    });
    // this notification's own progress, its total (skipped), its message
    expect(last([{ progress: 37828224, total: 9, message: '6310005' }])).toEqual({
      progressToken: 't',
      progress: 37828224,
      total: 9,
    });
  });
  it('withholds a notification whose number completes a value over the tail with a number skipped', () => {
    // the tail ends with the previous message; this notification's progress is skipped, its total completes it
    expect(
      relay([
        { progress: 1, message: 'card 3782822' },
        { progress: 2, total: 46310005 },
      ]).params[1],
    ).toBeNull();
  });
});

describe('progressNote across notifications (R1)', () => {
  it('withholds a number that completes a card with an earlier number, a message and a notification between', () => {
    // 41111111 | ok | 11111111: the card 4111111111111111 with the message between
    expect(relay([{ progress: 41111111, message: 'ok' }, { progress: 11111111 }]).params[1]).toBeNull();
    expect(
      relay([{ progress: 41111111, message: 'ok' }, { progress: 1, message: 'done' }, { progress: 11111111 }])
        .params[2],
    ).toBeNull();
  });
  it('withholds a message that completes a token with an earlier message, a notification between', () => {
    const { params } = relay([
      { progress: 1, message: 'ghp_ABCDEFGHIJKLMNOPQR' },
      { progress: 2, message: 'x' },
      { progress: 3, message: 'STUVWXYZ0123456789' },
    ]);
    expect(params[2]).toEqual({ progressToken: 't', progress: 3 });
  });
  it('keeps at most four pieces, and SHOWN_TAIL characters in all', () => {
    const { shown } = relay([
      { progress: 1, message: 'a'.repeat(SHOWN_TAIL * 2) },
      { progress: 2, message: 'b' },
    ]);
    expect(shown.length).toBeLessThanOrEqual(4);
    expect(shown.join('').length).toBeLessThanOrEqual(SHOWN_TAIL);
    expect(shown.at(-1)).toBe('b');
  });
});
