// Values split across adjacent segments (two messages, two content parts) are found, reported as one finding per
// segment touched with in-segment spans redaction can apply, and joining stays linear and adds no false values.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countFindings, createClassifier } from '../../../src/classification/index.ts';
import { piecesAcross } from '../../../src/classification/join-pieces.ts';
import { readableSpans } from '../../../src/classification/readable-spans.ts';
import { isClosedToken, joinOrders, pathShape } from '../../../src/classification/reading-orders.ts';
import {
  JOIN_WINDOW,
  joinWindows,
  LABEL_BREAK,
  labelWindows,
  PAIR_GAP,
} from '../../../src/classification/segment-join.ts';
import { planRedaction } from '../../../src/redaction/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(4) });
const segs = (...texts: string[]) => texts.map((text, i) => ({ path: `messages[${i}].content`, text }));
const pieces = (texts: string[]) => {
  const segments = segs(...texts);
  return classifier.classify(segments).findings.map((f) => ({
    type: f.type,
    segment: f.segment,
    value: texts[f.segment]?.slice(f.start, f.end),
    fingerprint: f.fingerprint,
  }));
};
const fingerprintOf = (text: string) => classifier.classify(segs(text)).findings[0]?.fingerprint;

describe('a value split across segments', () => {
  it("an SSN split over two messages: one finding per segment, same type and the whole value's fingerprint", () => {
    const fp = fingerprintOf('219-09-9999');
    expect(pieces(['my number is 219-09', '-9999 thanks'])).toEqual([
      { type: 'US_SSN', segment: 0, value: '219-09', fingerprint: fp },
      { type: 'US_SSN', segment: 1, value: '-9999', fingerprint: fp },
    ]);
  });

  it('over three segments, the middle one wholly inside the value, empty segments between', () => {
    expect(pieces(['219', '', '-09-', '9999']).map((p) => [p.segment, p.value])).toEqual([
      [0, '219'],
      [2, '-09-'],
      [3, '9999'],
    ]);
  });

  it('keys, cards and e-mail addresses too, and evasions across the boundary', () => {
    expect(pieces(['key AKIA2E0A8F3B', '244C9986 ok']).map((p) => p.type)).toEqual([
      'AWS_ACCESS_KEY',
      'AWS_ACCESS_KEY',
    ]);
    expect(pieces(['pay 4111 1111', ' 1111 1111 now']).map((p) => p.type)).toEqual(['CREDIT_CARD', 'CREDIT_CARD']);
    expect(pieces(['mail jane.doe@conto', 'so-mail.com now']).map((p) => p.value)).toEqual([
      'jane.doe@conto',
      'so-mail.com',
    ]);
    expect(pieces(['ref 219.09', '.9999 end']).map((p) => p.value)).toEqual(['219.09', '.9999']);
  });

  it('is redacted whole by planRedaction, and counted once', () => {
    const segments = segs('my number is 219-09', '-9999 thanks');
    const classification = classifier.classify(segments);
    const plan = planRedaction(segments, classification.findings, ['US_SSN']);
    const out = plan.edits.map((e) => e.text).join('');
    expect(out).not.toMatch(/219|9999/);
    expect(plan.edits.map((e) => e.segment)).toEqual([0, 1]);
    expect(classification.counts?.total).toBe(1);
    expect(classification.counts?.types).toEqual({ US_SSN: 1 });
  });

  it("across two turns of one role with another role's turn between (segments carry their location)", () => {
    const turns = [
      { path: 'messages[0].content', text: 'my ssn is 219-09-', location: 'user' },
      { path: 'messages[1].content', text: 'go on', location: 'assistant' },
      { path: 'messages[2].content', text: '9999 ok', location: 'user' },
    ];
    const { findings, counts } = classifier.classify(turns);
    expect(findings.map((f) => [f.segment, turns[f.segment]?.text.slice(f.start, f.end)])).toEqual([
      [0, '219-09-'],
      [2, '9999'],
    ]);
    expect(counts?.total).toBe(1);
    // without locations only adjacent segments are joined
    expect(classifier.classify(turns.map(({ path, text }) => ({ path, text }))).findings).toEqual([]);
  });

  it('across two text blocks of an answer with their type between (segments of one path shape)', () => {
    const blocks = [
      { path: 'content[0].type', text: 'text' },
      { path: 'content[0].text', text: 'your key is AKIA2E0A8F' },
      { path: 'content[1].type', text: 'text' },
      { path: 'content[1].text', text: '3B244C9986 enjoy' },
    ];
    expect(classifier.classify(blocks).findings.map((f) => [f.segment, f.type])).toEqual([
      [1, 'AWS_ACCESS_KEY'],
      [3, 'AWS_ACCESS_KEY'],
    ]);
    expect(pathShape('a[12].b[0]["k[1]"]')).toBe('a[*].b[*]["k[*]"]');
  });

  it('a 10,000-level nesting costs no more than its text (long paths have no shape)', () => {
    const segments = Array.from({ length: 10_000 }, (_, i) => ({ path: `x${'.a'.repeat(i)}`, text: 'a' }));
    const started = process.cpuUsage();
    expect(classifier.classify(segments).findings).toEqual([]);
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(1500);
    expect(pathShape(`x${'.a'.repeat(200)}`)).toBeUndefined();
  });

  it('a 10,000-level nesting of free-form keys named like labels costs no more (paths read up to 256 characters)', () => {
    const segments = Array.from({ length: 10_000 }, (_, i) => ({ path: `x${'.input'.repeat(i)}.id`, text: `a${i}` }));
    // Timed once warm: the first call pays one-time compilation (~0.9 s here, against ~0.23 s a call after it, at 0b98ed7 as
    // at HEAD), which a loaded CI box stretched past the bound.
    classifier.classify(segments);
    const started = process.cpuUsage();
    expect(classifier.classify(segments).findings).toEqual([]);
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(1500);
  });

  it('does not glue a value found in one segment to its neighbour (alice@acme-corp.io + "ssn …")', () => {
    expect(pieces(['alice@acme-corp.io', 'ssn 123-45-6789']).map((p) => [p.segment, p.value])).toEqual([
      [0, 'alice@acme-corp.io'],
      [1, '123-45-6789'],
    ]);
  });

  it('whatever its neighbours end and start with (the model name before it, a digit or capital after it)', () => {
    const found = (...texts: string[]) => pieces(texts).map((p) => [p.type, p.value]);
    expect(found('gpt-4', '219-09-', '9999', '5 more')).toEqual([
      ['US_SSN', '219-09-'],
      ['US_SSN', '9999'],
    ]);
    expect(found('gpt-4', '21', '9-09-99', '99', '5')).toEqual([
      ['US_SSN', '21'],
      ['US_SSN', '9-09-99'],
      ['US_SSN', '99'],
    ]);
    expect(found('echo-1', 'AKIAZ3MQWX', 'R5TLPB6Y7N', 'X').map(([type]) => type)).toEqual([
      'AWS_ACCESS_KEY',
      'AWS_ACCESS_KEY',
    ]);
    expect(found('x9', 'DE89 3704 0044 05', '32 0130 00', 'Thanks').map(([type]) => type)).toEqual(['IBAN', 'IBAN']);
    // in a second order too: two user turns with an assistant turn between, glued to the turns around them
    const turns = ['hello 5', 'ok', '219-09-', 'go on', '9999', 'fine', '5'].map((text, i) => ({
      path: `messages[${i}].content`,
      text,
      location: i % 2 === 0 ? 'user' : 'assistant',
    }));
    expect(classifier.classify(turns).findings.map((f) => f.segment)).toEqual([2, 4]);
  });

  it('a JSON text cut open, a short note, then its closing half: read across the note (bridgePairs)', () => {
    const d = 'Xq7pL2mN9vR4tY8wK3sB6hJ1cF5gD0aZeUoIiPyTrWx';
    const [head, tail] = [`{"kty":"OKP","crv":"Ed25519","d":"`, `${d}"}`];
    const keyIn = (...texts: string[]) =>
      classifier
        .classify(texts.map((text, i) => ({ path: `messages[${i}].content`, text })))
        .findings.filter((f) => f.type === 'PRIVATE_KEY')
        .map((f) => [f.segment, texts[f.segment]?.slice(f.start, f.end)]);
    expect(keyIn(head, 'continued:', tail)).toEqual([[2, d]]);
    expect(keyIn(head, '(cont.)', tail)).toEqual([[2, d]]);
    expect(keyIn(head, 'part 2:', 'here is the second half of it', tail)).toEqual([[3, d]]);
    expect(keyIn(head, 'continued:', 'part 2:', 'here:', tail)).toEqual([[4, d]]);
    expect(keyIn(`${head}${d.slice(0, 9)}`, 'part 2:', d.slice(9, 30), 'part 3:', `${d.slice(30)}"}`)).toEqual([
      [0, d.slice(0, 9)],
      [2, d.slice(9, 30)],
      [4, d.slice(30)],
    ]);
    // Controls: seven notes, a note longer than 256 characters or with a bracket, a first half that closes, a second
    // that opens.
    expect(keyIn(head, ...Array.from({ length: 7 }, () => 'continued:'), tail)).toEqual([]);
    expect(keyIn(head, 'n'.repeat(257), tail)).toEqual([]);
    expect(keyIn(head, 'part [2/2]:', tail)).toEqual([]);
    expect(keyIn(`${head}"}`, 'continued:', tail)).toEqual([]);
    expect(keyIn(head, 'continued:', `[${d}"}`)).toEqual([]);
  });

  it('in four pieces glued to its neighbours, not (a documented limit: runs of up to three are read apart)', () => {
    expect(pieces(['gpt-4', '21', '9-0', '9-99', '99', '5'])).toEqual([]);
    expect(pieces(['gpt-4 ', '21', '9-0', '9-99', '99', ' 5']).map((p) => p.segment)).toEqual([1, 2, 3, 4]);
  });

  it('finds it in long segments (only the text around the boundary is joined)', () => {
    const pad = ' x'.repeat(JOIN_WINDOW);
    expect(pieces([`${pad} 219-09`, `-9999${pad}`])).toHaveLength(2);
    expect(pieces([`${pad} 219-0`, `9-9999${pad}`])).toHaveLength(2);
  });
});

describe('a label in one segment and its value in the next', () => {
  const found = (...texts: string[]) => pieces(texts).map((p) => [p.segment, p.type, p.value]);
  it('is found when the value needs context and its segment alone has none (two parts, three, DOB, routing)', () => {
    expect(found('my ssn is', '219099999')).toEqual([[1, 'US_SSN', '219099999']]);
    expect(found('my ssn is', ' ', '219099999 thanks')).toEqual([[2, 'US_SSN', '219099999']]);
    expect(found('date of birth:', '1984-07-02')).toEqual([[1, 'DATE_OF_BIRTH', '1984-07-02']]);
    expect(found('routing number', '021000021')).toEqual([[1, 'US_BANK_ROUTING', '021000021']]);
    // the value first, its label after it in the next segment
    expect(found('219099999', ' is my ssn')).toEqual([[0, 'US_SSN', '219099999']]);
    // its fingerprint is the value's, as when it is written in one text
    expect(pieces(['my ssn is', '219099999'])[0]?.fingerprint).toBe(fingerprintOf('my ssn is 219099999'));
  });
  it('is found when the label ends in a letter and the value must not start after one (read apart by a line break)', () => {
    expect(found('my passport is', 'A12345678')).toEqual([[1, 'US_PASSPORT', 'A12345678']]);
    expect(found('nhs number', '9434765919')).toEqual([[1, 'UK_NHS', '9434765919']]);
    expect(found('born', '1984-07-02')).toEqual([[1, 'DATE_OF_BIRTH', '1984-07-02']]);
    expect(found('nothing here', 'A12345678')).toEqual([]);
    expect(found('passport', 'A12345678X')).toEqual([]);
  });
  it('is not found when the label is out of reach, or names nothing the value needs', () => {
    expect(found('my ssn is', `${'x '.repeat(40)}219099999`)).toEqual([]);
    expect(found('my order is', '219099999')).toEqual([]);
    expect(found('my ssn is', 'order 2190999991234')).toEqual([]);
    // no second finding of a value its segment found alone (one per value)
    expect(found('ssn', 'my ssn is 219099999')).toEqual([[1, 'US_SSN', '219099999']]);
  });
  it('is not read from a number the window cut short (a longer run clipped at the window edge)', () => {
    // a recognizer that reads context far back: the value near the clipped end of a run of
    // three is cut from a longer run
    const wide = createClassifier({
      fingerprintKey: new Uint8Array(32).fill(4),
      recognizers: [
        {
          type: 'ACCOUNT',
          category: 'PII',
          pattern: String.raw`(?:^|[^0-9])([0-9]{9})(?:[^0-9]|$)`,
          group: 1,
          contextWords: ['account'],
          contextWindow: { before: 200, after: 0 },
          requireContext: true,
          baseScore: 90,
        },
      ],
    });
    const texts = ['x ', 'account', `${' y'.repeat(27)} 2190999991234`, 'w'];
    expect(wide.classify(segs(...texts)).findings).toEqual([]);
    expect(wide.classify(segs('x ', 'account', `${' y'.repeat(27)} 219099999`, 'w')).findings).toHaveLength(1);
  });
});

describe('joinWindows', () => {
  it('merges overlapping windows, and scans no more text than it was given (linear)', () => {
    // JSON-looking texts too: their value pairs are windows of their own (each value in at most two of them).
    const text = fc.oneof(
      fc.string({ maxLength: 700 }),
      fc.json().map((j) => `{"a":${j}}`),
    );
    const texts = fc.array(text, { maxLength: 30 });
    fc.assert(
      fc.property(texts, fc.integer({ min: 1, max: 300 }), (texts, reach) => {
        const windows = joinWindows(segs(...texts), reach);
        const total = texts.reduce((n, t) => n + t.length, 0);
        // merged windows once, value pairs twice, runs of two and three segments five times; a gap between runs; the
        // digit-cut readings at most all of that once more, with a separator at most a part
        const read = windows.reduce((n, w) => n + w.parts.reduce((m, p) => m + p.length, 0), 0);
        const parts = windows.reduce((n, w) => n + w.parts.length, 0);
        expect(read).toBeLessThanOrEqual(2 * 8 * total);
        expect(windows.reduce((n, w) => n + w.text.length, 0) - read).toBeLessThanOrEqual(
          (PAIR_GAP.length * parts) / 2 + parts,
        );
        for (const w of windows) {
          // each part is the segment's own text at the place the window says (pairs of JSON values kept apart by a gap)
          for (const p of w.parts) {
            expect(texts[p.segment]?.slice(p.from, p.from + p.length)).toBe(w.text.slice(p.at, p.at + p.length));
          }
          expect(w.parts.length).toBeGreaterThanOrEqual(2);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('maps a crossing span to in-segment spans and a span inside one segment to none', () => {
    const [w] = joinWindows(segs('abc', 'def'));
    expect(w?.text).toBe('abcdef');
    expect(piecesAcross(w!, 1, 5)).toEqual([
      { segment: 0, start: 1, end: 3 },
      { segment: 1, start: 0, end: 2 },
    ]);
    expect(piecesAcross(w!, 0, 3)).toEqual([]);
  });

  it('many tiny segments cost no more than their text', () => {
    const texts = Array.from({ length: 50_000 }, (_, i) => String(i % 10));
    const windows = joinWindows(segs(...texts));
    expect(windows[0]?.text.length).toBe(50_000); // one merged window; then the runs: 2 of pairs, 3 of triples
    // every junction is digit to digit: the merged window read once more with a separator at each (digitCutReadings)
    expect(windows).toHaveLength(1 + 5 + 1);
    expect(windows.slice(1).every((w) => w.parts.reduce((n, p) => n + p.length, 0) <= 50_000)).toBe(true);
  });
});

describe('labelWindows', () => {
  it("pairs each segment's end with the next one's start, a line break between, pairs apart, no longer than twice the text", () => {
    const [w] = labelWindows(segs('my passport is', 'A12345678', '{"k":"x"}'));
    expect(w?.text).toBe(`my passport is${LABEL_BREAK}A12345678${PAIR_GAP}A12345678${LABEL_BREAK}x`);
    expect(labelWindows(segs('only one'))).toEqual([]);
    const texts = Array.from({ length: 1000 }, (_, i) => 'x'.repeat(i % 300));
    const read = labelWindows(segs(...texts)).reduce((n, w) => n + w.parts.reduce((m, p) => m + p.length, 0), 0);
    expect(read).toBeLessThanOrEqual(2 * texts.reduce((n, t) => n + t.length, 0));
  });
});

describe('counts over split values', () => {
  it('count every piece as a finding in the list but the value once in the counts', () => {
    const { findings, counts } = classifier.classify(segs('a 219-09', '-9999 and 4111 1111 1111 1111'));
    expect(findings).toHaveLength(3);
    expect(counts).toMatchObject({ total: 2, types: { US_SSN: 1, CREDIT_CARD: 1 } });
    expect(countFindings(findings, 2).total).toBe(3);
  });
});

describe('JSON texts', () => {
  it('reads a JSON text joined to its neighbours from its first value to before its closing syntax', () => {
    const [w] = joinWindows(segs('key AKIAQ3EG', '{"k": "THV5RJ7YWU2P", "n": 2}'));
    expect(w?.text).toBe('key AKIAQ3EGTHV5RJ7YWU2P", "n": 2');
  });
  it('joins two consecutive values of one JSON text, pair by pair', () => {
    const windows = joinWindows(segs('{"a":"AKIAQ3EG","b":"THV5RJ7YWU2P","c":2}'));
    // The names are not valueLike: each read beside the string before and after it only (namePairs), numbers past.
    const names = ['aAKIAQ3EG', 'AKIAQ3EGb', 'bTHV5RJ7YWU2P', 'THV5RJ7YWU2Pc'].join(PAIR_GAP);
    expect(windows.map((w) => w.text)).toEqual(['AKIAQ3EGTHV5RJ7YWU2P', 'THV5RJ7YWU2P2', names]);
    const many = joinWindows(segs(JSON.stringify({ a: 'x1', b: 'x2', c: 'x3', d: 'x4' })));
    expect(many.map((w) => w.text).slice(0, 2)).toEqual([`x1x2${PAIR_GAP}x3x4`, 'x2x3']);
    expect(piecesAcross(windows[0]!, 0, 20)).toEqual([
      { segment: 0, start: 6, end: 14 },
      { segment: 0, start: 21, end: 33 },
    ]);
  });
  it('reads values and numbers, not keys or syntax; a string still arriving is a value', () => {
    expect(readableSpans('{"a": [1, "x"], "b": {"c": "yz')).toEqual([
      [7, 8],
      [11, 12],
      [28, 30],
    ]);
    expect(readableSpans('plain "quoted"}')).toEqual([[0, 13]]);
  });
});

describe('reading orders: ids, names and free-form JSON', () => {
  const HALVES = ['AKIAZ3MQWX', 'R5TLPB6Y7N'];
  const found = (segments: { path: string; text: string }[]) =>
    classifier.classify(segments).findings.map((f) => `${f.type}@${f.segment}`);
  it('joins an id with the text after it, past closed labels and a model that is no closed token', () => {
    const answer = [
      { path: 'id', text: HALVES[0] as string },
      { path: 'object', text: 'chat.completion' },
      { path: 'model', text: 'gpt-4o-2024-08-06' },
      { path: 'choices[0].message.role', text: 'assistant' },
      { path: 'choices[0].message.content', text: HALVES[1] as string },
    ];
    expect(found(answer)).toEqual(['AWS_ACCESS_KEY@0', 'AWS_ACCESS_KEY@4']);
  });
  it("joins a tool call's id with its arguments past its type and a name that is no closed token", () => {
    const call = [
      { path: 'messages[1].tool_calls[0].id', text: HALVES[0] as string },
      { path: 'messages[1].tool_calls[0].type', text: 'function' },
      { path: 'messages[1].tool_calls[0].function.name', text: 'lookup2' },
      { path: 'messages[1].tool_calls[0].function.arguments', text: `{"q":"${HALVES[1]}"}` },
    ];
    expect(found(call)).toEqual(['AWS_ACCESS_KEY@0', 'AWS_ACCESS_KEY@3']);
  });
  it('reads a key named like a label inside free-form JSON as text, unless its value is a closed token', () => {
    const input = (key: string, value: string) => [
      { path: 'content[0].text', text: HALVES[0] as string },
      { path: 'content[1].type', text: 'tool_use' },
      { path: 'content[1].id', text: 'toolu_01A9' },
      { path: 'content[1].name', text: 'set' },
      { path: 'content[1].input', text: key },
      { path: `content[1].input.${key}`, text: value },
    ];
    expect(found(input('status', HALVES[1] as string))).toEqual(['AWS_ACCESS_KEY@0', 'AWS_ACCESS_KEY@5']);
    expect(found(input('id', HALVES[1] as string))).toEqual(['AWS_ACCESS_KEY@0', 'AWS_ACCESS_KEY@5']);
    // A closed token there stays a label (left out of the reading orders): the text and the next value still join.
    const closed = [
      { path: 'content[0].text', text: HALVES[0] as string },
      { path: 'content[1].input.type', text: 'object' },
      { path: 'content[1].input.q', text: HALVES[1] as string },
    ];
    expect(found(closed)).toEqual(['AWS_ACCESS_KEY@0', 'AWS_ACCESS_KEY@2']);
  });
  it('control: ordinary ids, names and text next to each other are no value', () => {
    const turn = [
      { path: 'id', text: 'chatcmpl-9xK2LmQ7vB' },
      { path: 'model', text: 'gpt-4o-2024-08-06' },
      { path: 'choices[0].message.content', text: '4521 ships Monday, order 2019-09' },
      { path: 'choices[0].message.tool_calls[0].id', text: 'call_219' },
      { path: 'choices[0].message.tool_calls[0].function.name', text: 'track_2' },
      { path: 'choices[0].message.tool_calls[0].function.arguments', text: '{"n":"09","m":9999}' },
    ];
    expect(found(turn)).toEqual([]);
  });
  it('closed tokens are lower-case letters, `_` and `.` only, at most 64', () => {
    for (const token of ['assistant', 'chat.completion.chunk', 'end_turn', 'object'])
      expect(isClosedToken(token)).toBe(true);
    for (const token of ['', 'gpt-4o', 'AKIA', 'msg_1', 'Object', 'a b', 'a'.repeat(65)]) {
      expect(isClosedToken(token)).toBe(false);
    }
  });
  it("a location's order leaves its labels out: two tool results side by side past the second's tool_call_id", () => {
    const segments = [
      { path: 'messages[2].tool_call_id', text: 'c1', location: 'tool' },
      { path: 'messages[2].content', text: 'part one', location: 'tool' },
      { path: 'messages[3].content', text: 'Reading the next part.', location: 'assistant' },
      { path: 'messages[4].tool_call_id', text: 'c2', location: 'tool' },
      { path: 'messages[4].content', text: 'part two', location: 'tool' },
    ];
    expect(joinOrders(segments)).toContainEqual([1, 4]);
  });
  it('each order holds a segment at most once: at most seven times the input in all (property)', () => {
    const keys = ['id', 'type', 'name', 'model', 'content', 'text', 'input', 'input.id', 'call_id'];
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.constantFrom(...keys), text: fc.constantFrom('x', 'AB1', 'user', 'q\nid') }), {
          maxLength: 40,
        }),
        (drawn) => {
          const segments = drawn.map(({ key, text }, i) => ({ path: `m[${i}].${key}`, text, location: key }));
          const orders = joinOrders(segments);
          for (const order of orders) expect(new Set(order).size).toBe(order.length);
          expect(orders.reduce((n, order) => n + order.length, 0)).toBeLessThanOrEqual(7 * segments.length);
        },
      ),
    );
  });
});

describe('join windows scanned in batches read as they read alone', () => {
  // A PEM key's body runs to its END line or the text's end: in a batch it ran on across the gap into later windows,
  // the draft crossed a gap and was dropped, so a key split over two messages with any window after it went unfound.
  const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7';
  it.each([
    ['nothing after it', []],
    ['three more messages after it', ['hello there', 'and more words', 'final']],
    ['a long message after it', ['x'.repeat(3000)]],
  ])('a private key split over two messages, %s, is found in both', (_, after) => {
    const texts = ['here -----BEGIN PRIV', `ATE KEY-----${body}`, ...after];
    const found = classifier.classify(segs(...texts)).findings.filter((f) => f.type === 'PRIVATE_KEY');
    expect([...new Set(found.map((f) => f.segment))].filter((s) => s < 2)).toEqual([0, 1]);
  });
  it('every segment a batch shares reads as alone: the same drafts with and without neighbours', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('-----BEGIN PRIV', 'ATE KEY-----', body, 'ssn 219-09-', '9999', 'ok'), {
          minLength: 2,
          maxLength: 8,
        }),
        (texts) => {
          const types = (list: string[]) => classifier.classify(segs(...list)).findings.filter((f) => f.segment < 2);
          const pair = types(texts.slice(0, 2)).map((f) => `${f.type}@${f.segment}:${f.start}-${f.end}`);
          const all = types(texts).map((f) => `${f.type}@${f.segment}:${f.start}-${f.end}`);
          for (const finding of pair) expect(all).toContain(finding);
        },
      ),
      { numRuns: 200 },
    );
  });
});
