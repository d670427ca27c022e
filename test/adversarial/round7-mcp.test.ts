// Round 7 of the attacker's review (issue #14), MCP: what a hostile server's progress notifications and result carry
// past the tail of relayed pieces (mcp/progress.ts SHOWN_PIECES, SHOWN_TAIL) and the result's reading after it
// (mcp/answer.ts crossingTypes). Holes are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks
// that held are kept as controls.
import { beforeAll, describe, expect, it } from 'vitest';
import type { PolicyEngine } from '../../src/policy/index.ts';
import { defaultEngine } from '../helpers/mcp-harness.ts';
import { hostileServer, type Progress, textResult } from './fixtures.ts';
import { HALVES, holdsBoth } from './round7-helpers.ts';

const OK = textResult('ok');

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await defaultEngine();
});

/** Calls a tool whose server reports `progress`, then answers `result`; every payload the client received. */
const relayed = async (progress: readonly Progress[], result: Record<string, unknown>) =>
  (await hostileServer(engine, progress, result)()).out;

/** `count` notifications that report a number only, after the first one's message. */
const numbersOnly = (count: number): Progress[] => Array.from({ length: count }, (_, i) => ({ progress: i + 2 }));

describe('MCP progress: a message evicted from the tail by the pieces after it', () => {
  // HOLE (closed, mcp/progress.ts): a notification was read after the last SHOWN_PIECES pieces relayed (numbers and
  // messages in one list, SHOWN_TAIL characters in all), so four number-only notifications, or a message of 256
  // characters, pushed the message before them out. Now the messages' tail and the numbers' tail are kept apart (each
  // SHOWN_PIECES pieces, each piece its last SHOWN_TAIL characters) and a notification is read after each.
  it('a key over two messages with four number-only notifications between is not relayed whole', async () => {
    const progress = [
      { progress: 1, message: `key ${HALVES[0]}` },
      ...numbersOnly(4),
      { progress: 6, message: HALVES[1] },
    ];
    expect(holdsBoth(await relayed(progress, OK))).toBe(false);
  });
  it('a key over two messages with a 300-character message between is not relayed whole', async () => {
    const progress = [
      { progress: 1, message: `key ${HALVES[0]}` },
      { progress: 2, message: 'x'.repeat(300) },
      { progress: 3, message: HALVES[1] },
    ];
    expect(holdsBoth(await relayed(progress, OK))).toBe(false);
  });
  // HOLE (closed, mcp/answer.ts crossingTypes): the result was read after the same tail, so the message pushed out by
  // four number-only notifications was no longer read before the result's text; it is read after the messages' tail.
  it('a key over a message and the result with four number-only notifications between is not relayed', async () => {
    const progress = [{ progress: 1, message: `key ${HALVES[0]}` }, ...numbersOnly(4)];
    expect(holdsBoth(await relayed(progress, textResult(HALVES[1])))).toBe(false);
  });
  it('control: with three number-only notifications or two empty messages between, the second half is withheld', async () => {
    const three = [
      { progress: 1, message: `key ${HALVES[0]}` },
      ...numbersOnly(3),
      { progress: 5, message: HALVES[1] },
    ];
    const empty = [
      { progress: 1, message: `key ${HALVES[0]}` },
      { progress: 2, message: '' },
      { progress: 3, message: '' },
      { progress: 4, message: HALVES[1] },
    ];
    expect([holdsBoth(await relayed(three, OK)), holdsBoth(await relayed(empty, OK))]).toEqual([false, false]);
  });
});

describe('MCP progress: blank messages as pieces (778b6d2 keeps four messages)', () => {
  const blankBetween = (blank: string): Progress[] => [
    { progress: 1, message: `key ${HALVES[0]}` },
    ...[2, 3, 4, 5].map((progress) => ({ progress, message: blank })),
  ];
  // HOLE (closed, mcp/progress.ts lastPieces): the messages' tail kept the last four non-empty messages, and a
  // message of one space, a line break or a zero-width space was one of them: four such notifications pushed `key
  // AKIAZ3MQWX` out. A message with no letter or digit now takes no place in a tail.
  it.each([
    ['a space', ' '],
    ['a line break', '\n'],
    ['a zero-width space', '\u200b'],
  ])('a key over two messages with four messages of %s between is not relayed whole', async (_name, blank) => {
    expect(holdsBoth(await relayed([...blankBetween(blank), { progress: 6, message: HALVES[1] }], OK))).toBe(false);
  });
  it('a key over a message and the result with four blank messages between is not relayed whole', async () => {
    expect(holdsBoth(await relayed(blankBetween(' '), textResult(HALVES[1])))).toBe(false);
  });
});

describe('MCP result: its property names after the progress message', () => {
  // HOLE (closed, mcp/answer.ts crossingTypes): the result was read after the progress tail by its values only, so a
  // message `key AKIAZ3MQWX` then a result whose structuredContent's first property name is `R5TLPB6Y7N` was relayed.
  // The result's first places in document order (names that can be a value's piece included: documentPlaces) are now
  // read after each tail too, as screenResponse reads an answer's.
  it('a message then the result’s first structured property name are not relayed both', async () => {
    const progress = [{ progress: 1, message: `key ${HALVES[0]}` }];
    const result = { structuredContent: { [HALVES[1]]: 1 }, content: [{ type: 'text', text: 'ok' }] };
    expect(holdsBoth(await relayed(progress, result))).toBe(false);
  });
  it('control: the half as the result’s text, as a JSON text’s first name or as a _meta value is withheld', async () => {
    const progress = [{ progress: 1, message: `key ${HALVES[0]}` }];
    const results = [
      textResult(HALVES[1]),
      { content: [{ type: 'text', text: `{"${HALVES[1]}":1}` }] },
      { _meta: { a: HALVES[1] }, content: [{ type: 'text', text: 'ok' }] },
    ];
    for (const result of results) expect(holdsBoth(await relayed(progress, result))).toBe(false);
  });
});

describe('MCP result: the document-order holes of round7.test.ts in a tool’s result', () => {
  // HOLE (closed, H14N pipeline/answer-document-order.ts, document-pairs.ts forEachDocumentPair, as in
  // round7.test.ts): a tool's result is screened as an answer is, so a key's last two characters as the next
  // structured name were relayed to the MCP client whole; every name is now read beside its neighbours. (A number
  // between two names of a JSON text, e4e841e, and two empty strings between, hold since: controls.)
  it('structured content with the key’s last two characters as a name is not relayed whole', async () => {
    const out = await relayed([], { ...OK, structuredContent: { AKIAZ3MQWXR5TLPB6Y: 1, '7N': 2 } });
    expect(out.includes('AKIAZ3MQWXR5TLPB6Y') && out.includes('"7N"')).toBe(false);
  });
  it('control: a JSON text with a number between two names, structured content with two empty strings between', async () => {
    const results = [
      { content: [{ type: 'text', text: '{"AKIAZ3MQWX":1,"R5TLPB6Y7N":2}' }] },
      { ...OK, structuredContent: { a: HALVES[0], b: '', c: '', [HALVES[1]]: 1 } },
    ];
    for (const result of results) expect(holdsBoth(await relayed([], result))).toBe(false);
  });
});
