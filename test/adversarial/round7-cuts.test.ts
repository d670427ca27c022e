// A card or an SSN cut at a group separator between two messages (round 7, #14): the join windows glued two segments
// with nothing between, so the separator that stood at the cut was missing (`5500 0055` | `5555 5559` read
// `5500 00555555 5559`, groups 4-8-4) and no grouping accepted the value. Read through the real pipeline: chat
// messages, content parts, Anthropic text blocks, Responses input items, tool arguments, and the answer screen.
// Controls: numbers across messages that are no value stay forwarded.
import { describe, expect, it } from 'vitest';
import { recordingPipeline } from './recording-pipeline.ts';
import { CHAT, screened } from './round7-helpers.ts';

/** Each value cut in two at (or next to) a group separator. */
const CUTS: readonly (readonly [string, string])[] = [
  ['5500 0055', '5555 5559'],
  ['5500 0055 5555', '5559'],
  ['my card is 5500 0055', '5555 5559'],
  ['5500-0055', '5555-5559'],
  ['ssn 219-09', '9999'],
  ['ssn 219', '09-9999'],
];

type Api = typeof CHAT | 'anthropic.messages' | 'openai.responses';

async function sentFor(api: Api, body: unknown): Promise<string> {
  const { handler, sent } = await recordingPipeline();
  await handler.handle({ requestId: 'cut', api, headers: {}, body: new TextEncoder().encode(JSON.stringify(body)) });
  return sent.join('\n');
}

/** One user turn's two text parts (chat content parts and Anthropic text blocks are written alike). */
const textParts = (a: string, b: string) => [
  { type: 'text', text: a },
  { type: 'text', text: b },
];

/** The request shapes that put the two pieces in two segments. */
const SHAPES: readonly [string, Api, (a: string, b: string) => unknown][] = [
  [
    'two chat user messages',
    CHAT,
    (a, b) => ({
      model: 'echo-1',
      messages: [
        { role: 'user', content: a },
        { role: 'user', content: b },
      ],
    }),
  ],
  [
    'two chat content parts',
    CHAT,
    (a, b) => ({
      model: 'echo-1',
      messages: [{ role: 'user', content: textParts(a, b) }],
    }),
  ],
  [
    'two Anthropic text blocks',
    'anthropic.messages',
    (a, b) => ({
      model: 'echo-1',
      max_tokens: 5,
      messages: [{ role: 'user', content: textParts(a, b) }],
    }),
  ],
  [
    'two Responses input items',
    'openai.responses',
    (a, b) => ({
      model: 'echo-1',
      input: [
        { role: 'user', content: a },
        { role: 'user', content: b },
      ],
    }),
  ],
  [
    'two tool-call arguments',
    CHAT,
    (a, b) => ({
      model: 'echo-1',
      messages: [
        { role: 'user', content: 'hi' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: JSON.stringify({ a, b }) } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'ok' },
      ],
    }),
  ],
];

/** The digits of a piece (what must not reach the upstream in both halves). */
const digitsOf = (piece: string) => piece.replace(/^[a-z ]+/, '');
const holdsBoth = (out: string, [a, b]: readonly [string, string]) =>
  out.includes(digitsOf(a)) && out.includes(digitsOf(b));

// HOLE (closed, classification/join-window.ts digitCutReadings): a join window glued two segments with nothing
// between, so a value cut at a group separator read 4-8-4 or 3-6 and was forwarded and relayed (found by the lead,
// the same at 3f00155). Now every merged window and pair window with a junction where a digit meets a digit is read
// again around it with the value's own separator (else a space, never a dot) there, the finding reported in both.
describe('a card or SSN cut at a group separator between two segments', () => {
  for (const [shape, api, body] of SHAPES) {
    for (const cut of CUTS) {
      it(`${shape}: ${JSON.stringify(cut)} is not forwarded whole`, async () => {
        const out = await sentFor(api, body(cut[0], cut[1]));
        expect(holdsBoth(out, cut)).toBe(false);
      });
    }
  }
  const rules = { redact: ['CREDIT_CARD', 'US_SSN'], block: [] };
  for (const cut of CUTS) {
    it(`an Anthropic answer's two text blocks ${JSON.stringify(cut)} are not relayed whole`, async () => {
      const answer = {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'x',
        content: cut.map((text) => ({ type: 'text', text })),
        stop_reason: 'end_turn',
        stop_sequence: null,
      };
      expect(holdsBoth(await screened('anthropic.messages', answer, rules), cut)).toBe(false);
    });
  }
});

describe('controls: numbers across messages that are no value stay forwarded', () => {
  const CONTROLS: readonly (readonly [string, string])[] = [
    ['in 2019 we had 12', '34 users'],
    ['we moved to version 1.2', '3 last week'],
    ['we upgraded from 1.2', '3.4 last week'],
    ['at 40.7128, -74.006', '51.5072, -0.1276'],
    ['release 2.10', '1 and 4.20 are out'],
    ['version 10 20', '30 40 is out'],
    ['order 1234', '5678 shipped'],
  ];
  for (const [shape, api, body] of SHAPES) {
    for (const cut of CONTROLS) {
      it(`${shape}: ${JSON.stringify(cut)} is forwarded`, async () => {
        const out = await sentFor(api, body(cut[0], cut[1]));
        expect(out.includes(cut[0]) && out.includes(cut[1])).toBe(true);
      });
    }
  }
});
