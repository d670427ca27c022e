// progressNote: each notification read after the tails of what was relayed before (the messages', the numbers'), the
// pieces of one notification beside each other, ordinary progress relayed as it is.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { emptyTail, progressNote, type Progress, SHOWN_TAIL } from '../../../src/mcp/progress.ts';

const deps = { classifier: createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) }), log: () => {} };
/** The notifications' params as relayed (null: withheld), and the tail kept after them. */
function relay(notes: readonly Progress[]) {
  const shown = emptyTail();
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
    // The numbers are read as one run, apart from the messages, so consecutive values can pass a card's checksum
    // (56 57 120 58 59 120): a notification is withheld only where its numbers alone are, never for its message.
    const alone = relay(notes.map(({ message: _, ...numbers }) => numbers)).params;
    expect(params.map((p) => p === null)).toEqual(alone.map((p) => p === null));
    expect(params.filter((p) => p === null).length).toBeLessThanOrEqual(2);
    const relayed = notes.filter((n, i) => n.message !== undefined && params[i] !== null);
    expect(params.filter((p) => p !== null && 'message' in p)).toHaveLength(relayed.length);
    expect([shown.messages.length, shown.numbers.length]).toEqual([4, 4]);
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
  it('keeps at most four messages and four numbers, each its last SHOWN_TAIL characters', () => {
    const { shown } = relay([
      { progress: 1, message: 'a'.repeat(SHOWN_TAIL * 2) },
      { progress: 2, message: 'b' },
      ...Array.from({ length: 6 }, (_, i) => ({ progress: i + 3 })),
    ]);
    expect(shown).toEqual({ messages: ['a'.repeat(SHOWN_TAIL), 'b'], numbers: ['5', '6', '7', '8'] });
  });
  it('keeps a message in its tail past notifications that report a number only, and past a long message', () => {
    const numbersBetween = [
      { progress: 1, message: 'ghp_ABCDEFGHIJKLMNOPQR' },
      ...[2, 3, 4, 5, 6].map((n) => ({ progress: n })),
    ];
    expect(relay([...numbersBetween, { progress: 7, message: 'STUVWXYZ0123456789' }]).params.at(-1)).toEqual({
      progressToken: 't',
      progress: 7,
    });
    const { params } = relay([
      { progress: 1, message: 'ghp_ABCDEFGHIJKLMNOPQR' },
      { progress: 2, message: 'x'.repeat(SHOWN_TAIL + 44) },
      { progress: 3, message: 'STUVWXYZ0123456789' },
    ]);
    expect(params[2]).toEqual({ progressToken: 't', progress: 3 });
    const blanks = [' ', '\n', '\u200b', '', ' \u2060\t'].map((message, i) => ({ progress: i + 2, message }));
    const { shown } = relay([{ progress: 1, message: 'ghp_ABCDEFGHIJKLMNOPQR' }, ...blanks]);
    expect(shown.messages).toEqual(['ghp_ABCDEFGHIJKLMNOPQR']);
  });
  it('keeps a message of punctuation only in its tail: `@` and `_` are parts of values', () => {
    const notes = (messages: readonly string[]) => messages.map((message, i) => ({ progress: i + 1, message }));
    expect(relay(notes(['jane.doe', '@', 'acmecorp.com'])).params.at(-1)).toEqual({ progressToken: 't', progress: 3 });
    const { params, shown } = relay(notes(['sk', '_', 'live', '_', '4eC39HqLyjWDarjtT1zdp7dc']));
    expect(params.at(-1)).toEqual({ progressToken: 't', progress: 5 });
    expect(shown.messages).toEqual(['sk', '_', 'live', '_']);
  });
});
