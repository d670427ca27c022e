// Round 5 of the attacker's review, on the day's new code: the decoders (quoted-printable, character codes), the digits
// view's bracketed card lists, grouped AWS key ids, number forms, and the ledger's faster canonical JSON and withSeal
// (property-tested against the writer as it was at 73b0ccc, test/adversarial/reference-canonical.ts). Holes found and
// not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix, so CI stays green until they close;
// attacks that held are kept as controls.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalMembers, canonicalString } from '../../src/ledger/canonical.ts';
import { type Member, withSeal } from '../../src/ledger/record-text.ts';
import { createHmac, randomBytes } from 'node:crypto';
import { bodyDigest } from '../../src/ledger/body-digest.ts';
import { screenResponse } from '../../src/pipeline/response-screen.ts';
import { adapterFor } from '../../src/providers/index.ts';
import { leaksIn } from './leaks.ts';
import {
  anthropicAnswer as anthropicToolAnswer,
  anthropicToolRequest,
  CHAT_STREAM,
  chatAnswer as chatToolAnswer,
  chatChunk,
  chatToolRequest,
  forwarded,
  prompt,
  toolUse,
} from './fixtures.ts';
import { classifier } from './recording-pipeline.ts';
import * as reference from './reference-canonical.ts';
import { receivedPayloads, relayScripted } from './relay-harness.ts';

const CHAT = 'openai.chat_completions';
const KEY = 'AKIAZ3MQWXR5TLPB6Y7N';
const SSN = { label: 'US_SSN', value: '219-09-9999' };
const CARD = { label: 'CREDIT_CARD', value: '4111111111111111' };

/** One chat prompt through the in-process pipeline: the status and the bytes that went upstream. */
const said = (content: string) => forwarded(CHAT, prompt(content));
/** Refused (the default policy blocks AWS keys; an encoded key never appears as itself upstream, so only the status
 * tells whether it was found). */
const keyHeld = (x: { status: number; upstream: string }) => x.status === 403;
const qp = (s: string) => [...s].map((c) => `=${c.charCodeAt(0).toString(16).toUpperCase()}`);

describe('decoders: quoted-printable and character codes', () => {
  // HOLE (closed, classification/decode.ts decodeQuotedPrintable and its caller's line scan): quoted-printable is read
  // one line at a time, but RFC 2045 §6.7 (rule 5) soft line breaks (`=` at a line's end, every mail client writes one
  // at most 76 characters in) join lines: `=41=4B=49=41=5A=33=4D=51=57=58=\n=52=35…` is the key to a model and to any
  // decoder, and each line alone decodes to a half (10 escapes each, both over the 8-escape floor). Fix: in the QP
  // run scan, read `=` + CR? LF as part of the run (a byte-less escape mapped to its three characters), so the run
  // continues across soft breaks; the budget and the line floor stay as they are.
  for (const brk of ['\n', '\r\n']) {
    const name = `a key split by a quoted-printable soft line break (${JSON.stringify(brk)}) is not forwarded`;
    it(name, async () => {
      const e = qp(KEY);
      expect(keyHeld(await said(`decode: ${e.slice(0, 10).join('')}=${brk}${e.slice(10).join('')}`))).toBe(true);
    });
  }
  it('control: the halves split by a hard line break (no `=`) are two texts, forwarded', async () => {
    const e = qp(KEY);
    expect((await said(`decode: ${e.slice(0, 10).join('')}\n${e.slice(10).join('')}`)).status).not.toBe(403);
  });
  it.each([
    ['quoted-printable in lower-case hex', qp(KEY).join('').toLowerCase()],
    ['codes split by ", "', [...KEY].map((c) => c.charCodeAt(0)).join(', ')],
    ['codes inside String.fromCharCode(…)', `String.fromCharCode(${[...KEY].map((c) => c.charCodeAt(0))})`],
    ['codes one a line', [...KEY].map((c) => c.charCodeAt(0)).join(',\n')],
    ['0x codes', [...KEY].map((c) => `0x${c.charCodeAt(0).toString(16)}`).join(', ')],
    ['HTML decimal entities', [...KEY].map((c) => `&#${c.charCodeAt(0)};`).join('')],
    ['\\u escapes', [...KEY].map((c) => `\\u00${c.charCodeAt(0).toString(16)}`).join('')],
  ])('control: the key as %s is refused', async (_name, text) => {
    expect((await said(`decode ${text} please`)).status).toBe(403);
  });
  it('control: an SSN as decimal character codes is refused', async () => {
    expect((await said([...SSN.value].map((c) => c.charCodeAt(0)).join(','))).status).toBe(403);
  });
});

describe('grouped AWS key ids', () => {
  // HOLE (closed, classification/recognizers-secrets.ts awsKeyBody): the groups of four and the whole id in groups of
  // five are joined only by a space or `-` (`[ -]`), while the digits view reads `. / _ |` between groups too: a key
  // written `AKIA.Z3MQ.WXR5.TLPB.6Y7N` or `AKIAZ.3MQWX.R5TLP.B6Y7N` (or with `_`, `/`) is the key to a model asked to
  // drop the dots. Fix: the group separator class `[ ._/-]` in `groups` and `fives` (the one-separator forms keep
  // `[ -]`, prose fills them); RE2 stays linear (same alternatives).
  for (const [name, key] of [
    ['fours by dots', 'AKIA.Z3MQ.WXR5.TLPB.6Y7N'],
    ['fives by dots', 'AKIAZ.3MQWX.R5TLP.B6Y7N'],
    ['fours by underscores', 'AKIA_Z3MQ_WXR5_TLPB_6Y7N'],
  ] as const) {
    it(`the key in ${name} is not forwarded`, async () => {
      expect(keyHeld(await said(`use ${key} now`))).toBe(true);
    });
  }
  it('control: a URL path of four-letter segments after /asia/ is forwarded as written', async () => {
    const text = 'see https://example.com/asia/news/2024/0315/home and https://example.com/Asia/News/2024/0315/Home';
    expect((await said(text)).upstream).toContain(text);
  });
  it.each([
    ['fives in lower case', 'akiaz-3mqwx-r5tlp-b6y7n'],
    ['fives in mixed case by spaces', 'AkIaZ 3mQwX r5TlP b6Y7n'],
    ['a soft hyphen inside', 'AKIAZ3MQ\u00adWXR5TLPB6Y7N'],
    ['a zero-width space inside', 'AKIAZ3MQ\u200bWXR5TLPB6Y7N'],
    ['a combining stroke on every letter', [...KEY].map((c) => `${c}\u0336`).join('')],
  ])('control: the key %s is refused', async (_name, key) => {
    expect((await said(`use ${key} now`)).status).toBe(403);
  });
});

describe('the digits view: bracketed card lists', () => {
  // HOLE (closed, classification/digit-view.ts listRewrites + openListStart): a list of numbers that is exactly a
  // card's groups was read as one number only between `[` and `]`; the same groups as a tuple `(4111, 1111, 1111,
  // 1111)` (every Python and SQL row), a set `{…}` or split by `;` were four numbers, and a card was forwarded that a
  // model reads whole. Now a list opens at `(` and `{` as at `[` and takes `;` beside `,`; the card-groups rule keeps
  // times, versions, coordinates and calls apart (controls below).
  for (const [name, text] of [
    ['a tuple', '(4111, 1111, 1111, 1111)'],
    ['a set', '{4111, 1111, 1111, 1111}'],
    ['a list split by ;', '[4111; 1111; 1111; 1111]'],
  ] as const) {
    it(`a card as ${name} is not forwarded`, async () => {
      const x = await said(`row ${text} ok`);
      expect({ refused: x.status === 403 || !x.upstream.includes(text) }).toEqual({ refused: true });
    });
  }
  it('control: calls, coordinate tuples, sets of numbers and JSON objects are forwarded as written', async () => {
    const text = 'f(1, 2, 3); at = (37.7749, -122.4194); s = {1, 2, 3; 4}; v = {"a":1}; m = max(2048, 4096); (555) 12';
    expect((await said(text)).upstream).toContain(JSON.stringify(text).slice(1, -1));
  });
  it.each([
    ['numbers', 'numbers [4111, 1111, 1111, 1111] ok'],
    ['strings', 'groups ["4111","1111","1111","1111"] ok'],
    ['nested', 'pairs [[4111,1111],[1111,1111]] ok'],
  ])('control: a card as a bracketed list of %s is not forwarded', async (_name, text) => {
    expect(leaksIn((await said(text)).upstream, [CARD])).toEqual([]);
    expect((await said(text)).upstream).not.toMatch(/4111, ?1111|"4111","1111"|\[4111,1111\]/);
  });
  it('control: lists of sizes, shapes, colours and coordinates are forwarded as written', async () => {
    const text = 'x = [1024, 2048, 4096, 8192]; shape = (3, 224, 224); rgb = [255, 128, 0]; at [37.7749, -122.4194]';
    expect((await said(text)).upstream).toContain(JSON.stringify(text).slice(1, -1));
  });
});

describe('number forms a model reads as digits', () => {
  it.each([
    ['keycaps', [...SSN.value].map((c) => (/\d/.test(c) ? `${c}\ufe0f\u20e3` : c)).join('')],
    ['a combining low line under each digit', [...SSN.value].map((c) => (/\d/.test(c) ? `${c}\u0332` : c)).join('')],
    ['superscripts', '²¹⁹-⁰⁹-⁹⁹⁹⁹'],
    ['mathematical bold', '𝟐𝟏𝟗-𝟎𝟗-𝟗𝟗𝟗𝟗'],
    ['parenthesized', '⑵⑴⑼-⓪⑼-⑼⑼⑼⑼'],
  ])('control: an SSN in %s is refused', async (_name, ssn) => {
    const x = await said(`my ssn is ${ssn} thanks`);
    expect({ status: x.status, leaked: leaksIn(x.upstream, [SSN]) }).toEqual({ status: 403, leaked: [] });
  });
});

/** JSON-like values the ledger may be given: any UTF-16 strings (lone surrogates too) as keys and values, integers
 * near and past the safe range, -0, floats, sparse arrays. */
const ledgerValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary' }),
    fc.string({ unit: fc.constantFrom('a', 'é', '\u2028', '\ud800', '\udc00', '"', '\\', '\u0000', '\u001f', 'Z') }),
    fc.integer(),
    fc.constantFrom(-0, 2 ** 53 - 1, 2 ** 53, -(2 ** 53) + 1, 0.5, Number.NaN, Number.POSITIVE_INFINITY),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), tie('value'), { maxKeys: 30 }),
  ),
})).value;

/** The canonical text, or the error's message: the two writers must agree on both. */
function outcome(write: (v: unknown) => string, value: unknown): string {
  try {
    return `ok ${write(value)}`;
  } catch (err) {
    return `error ${(err as Error).message}`;
  }
}

describe("the ledger's faster canonical JSON", () => {
  it('writes the same bytes (or the same refusal) as the writer at 73b0ccc, for any value', () => {
    fc.assert(
      fc.property(ledgerValue, (value) => {
        expect(outcome(canonicalString, value)).toBe(outcome(reference.canonicalString, value));
      }),
      { numRuns: 3000 },
    );
  });
  it('the same for objects with many keys (the sort past the insertion-sort bound) and shared sub-objects', () => {
    const many = fc.dictionary(fc.string({ unit: 'binary', maxLength: 4 }), fc.integer(), { minKeys: 20, maxKeys: 80 });
    fc.assert(
      fc.property(many, ledgerValue, (object, shared) => {
        const value = { a: shared, b: [shared, shared], ...object };
        expect(outcome(canonicalString, value)).toBe(outcome(reference.canonicalString, value));
      }),
      { numRuns: 1000 },
    );
  });
  it('withSeal merges a record and its seal into what canonicalising their union gives', () => {
    const record = fc.dictionary(fc.string({ unit: 'binary', maxLength: 5 }), ledgerValue, { maxKeys: 12 });
    fc.assert(
      fc.property(record, record, (a, b) => {
        const seal = Object.fromEntries(Object.entries(b).filter(([k]) => !Object.hasOwn(a, k)));
        let members: Member[];
        let sealed: Member[];
        try {
          members = canonicalMembers(a);
          sealed = canonicalMembers(seal);
        } catch {
          return; // outside the canonical set: the first property covers refusals
        }
        const text = members.map((m) => m[1]).join(',');
        expect(withSeal(members, text, sealed)).toBe(reference.canonicalString({ ...a, ...seal }));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('PERSON_NAME and PHONE on ordinary traffic', () => {
  // HOLE (closed, classification/person-names.ts): a place after `go to` with a speech verb near it is redacted as a
  // name: in "Will May and June Rose go to Paris? Grace said Faith and Hope will help Mark." the one word replaced is
  // `Paris` (the prompt goes upstream as "go to [PERSON_NAME_1]?") while the given names beside it are left, so the
  // model is asked about a place it cannot see. Fix: read `go to`, `went to`, `travel(l)ed to`, `move(d) to` as the
  // place cue `flew to` already is (not a name after them unless introduced), as de4aaee did for grew up in / born in.
  it('a city after "go to" is forwarded as written', async () => {
    const text = 'Will May and June Rose go to Paris? Grace said Faith and Hope will help Mark.';
    expect((await said(text)).upstream).toContain(text);
  });
  it('control: a full name in a "go to" sentence, not right after the cue, is still redacted', async () => {
    const x = await said('Alice Johnson and I go to Paris next week.');
    expect(x.upstream).toContain('[PERSON_NAME_1] and I go to Paris next week.');
  });
  it.each([
    ['versions, dates and times', 'Build 10.0.19045.3803; meeting 10:30-11:45 on 2024-03-15 in room 415'],
    ['identifiers', 'ISBN 978-3-16-148410-0, uuid 123e4567-e89b-12d3-a456-426614174000, INV-2024-000123'],
    ['numbers in code', 'Matrix [[212, 555], [1234, 5678]], dims (415, 555, 2671), line 212, column 555, pid 2671'],
    ['words that are also names', 'Please ask Grace or Will about May and June sales. Apple shipped to Georgia.'],
    ['arithmetic and timestamps', 'Formula: 1+2+3+4+5+6+7+8+9+10 = 55; epoch 1717171717; 1700000000123 ms'],
  ])('control: ordinary text with %s is forwarded as written', async (_name, text) => {
    expect((await said(text)).upstream).toContain(text);
  });
  it('control: a city in ordinary prose is forwarded; a full name is redacted', async () => {
    const x = await said('I met Alice Johnson in Paris on 2024-03-15. Can we go to London next week?');
    expect(x.upstream).toContain('I met [PERSON_NAME_1] in Paris on 2024-03-15. Can we go to London next week?');
  });
});

describe('streams: a bracketed card list cut between deltas', () => {
  const chunk = (content: string | null, finish: string | null = null) =>
    chatChunk(content === null ? {} : { content }, finish);
  /** The text the client received, joined from its deltas. */
  const received = (out: string) =>
    receivedPayloads(out)
      .map((p) => (p.choices as { delta?: { content?: string } }[] | undefined)?.[0]?.delta?.content ?? '')
      .join('');
  it.each([
    ['after the first group', ['ids [4111', ', 1111, 1111, 1111] ok']],
    ['one group a delta', ['ids [4111, ', '1111, ', '1111, ', '1111] ok']],
    ['inside a nested list', ['ids [[4111, 1111], [1111', ', 1111]] ok']],
  ])('control: cut %s, the card never reaches the client whole', async (_name, parts) => {
    const events = [...parts.map((p) => chunk(p)), chunk(null, 'stop'), { data: '[DONE]' }];
    const { out } = await relayScripted('openai.chat_completions', CHAT_STREAM, events, {
      redact: ['CREDIT_CARD'],
      block: [],
    });
    expect(leaksIn(received(out), [CARD])).toEqual([]);
    expect(received(out)).not.toContain('1111, 1111, 1111');
    expect(received(out)).toMatch(/^ids .* ok$/); // relayed, redacted: not an empty stream
  });
  // A tuple, a set or a `;` list still open at the end of the held text is held from its `(` or `{` as a `[` list is
  // (stream-view-hold.ts trailingRunStart, digit-view.ts openListStart): no group is released before the list closes.
  it.each([
    ['a tuple after the first group', ['ids (4111, ', '1111, 1111, 1111) ok']],
    ['a set one group a delta', ['ids {4111, ', '1111, ', '1111, ', '1111} ok']],
    ['a list split by ; inside a tuple', ['ids ((4111; 1111); ', '(1111; 1111)) ok']],
  ])('a card cut as %s is redacted before any group reaches the client', async (_name, parts) => {
    const events = [...parts.map((p) => chunk(p)), chunk(null, 'stop'), { data: '[DONE]' }];
    const { out } = await relayScripted('openai.chat_completions', CHAT_STREAM, events, {
      redact: ['CREDIT_CARD'],
      block: [],
    });
    expect(received(out)).toContain('[CREDIT_CARD_1]');
    expect(received(out)).not.toMatch(/4111|1111/);
  });
});

describe('body_hmac_sha256 on prepared pads', () => {
  it('control: equals createHmac for any key (1-200 bytes, views into larger buffers, changed in place)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.nat(16), (bytes, offset) => {
        const backing = new Uint8Array(bytes.length + offset + 8);
        backing.set(bytes, offset);
        const key = backing.subarray(offset, offset + bytes.length);
        const digest = randomBytes(32).toString('hex');
        const want = (k: Uint8Array) => createHmac('sha256', k).update(Buffer.from(digest, 'hex')).digest('hex');
        expect(bodyDigest(key, digest)).toBe(want(key));
        key[0] = (key[0] as number) ^ 1; // the same key object, changed in place
        expect(bodyDigest(key, digest)).toBe(want(key));
      }),
      { numRuns: 500 },
    );
  });
});

const [A, B] = ['AKIAZ3MQWX', 'R5TLPB6Y7N'] as const;
const bothHalves = (text: string) => text.includes(A) && text.includes(B);

describe('a key split between a tool input value and the property name after it (adjacent in the JSON)', () => {
  const BLOCK = { redact: ['EMAIL'], block: ['AWS_ACCESS_KEY'] };
  const anthropicAnswer = (input: Record<string, unknown>) =>
    anthropicToolAnswer([{ type: 'text', text: 'ok' }, toolUse(input, 'toolu_1', 'set')]);
  const chatAnswer = (args: string) =>
    chatToolAnswer(
      {},
      { content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: args } }] },
      'tool_calls',
    );
  const anthropicRequest = anthropicToolRequest;
  const chatRequest = (args: string) => chatToolRequest(args);
  const upstreamOf = forwarded;
  const screened = async (api: 'anthropic.messages' | 'openai.chat_completions', body: unknown) =>
    JSON.stringify((await screenResponse(adapterFor(api), classifier, body, BLOCK)).body);

  // HOLE (closed, pipeline/answer-key-joins.ts; requests: classification/segment-join.ts memberPairs): `{"a":
  // "AKIAZ3MQWX","R5TLPB6Y7N":1}` holds the key's halves side by side in the JSON a model reads, but a key list was
  // read as a list after its values only. Each member's value is now read after its own name and before the next name
  // (answers: keyJoins; requests: memberPairs), so a name then its value is joined whichever member it is too.
  it("anthropic answer: a tool input's value then the next property's name", async () => {
    expect(bothHalves(await screened('anthropic.messages', anthropicAnswer({ a: A, [B]: 1 })))).toBe(false);
  });
  it("anthropic request: an assistant tool_use input's value then the next property's name", async () => {
    const x = await upstreamOf('anthropic.messages', anthropicRequest({ a: A, [B]: 1 }));
    expect(bothHalves(x.upstream)).toBe(false);
  });
  it('a name then its value in the first of two members is blocked, answer and request', async () => {
    expect(bothHalves(await screened('anthropic.messages', anthropicAnswer({ [A]: B, c: 'x' })))).toBe(false);
    expect((await upstreamOf('anthropic.messages', anthropicRequest({ [A]: B, c: 'x' }))).status).toBe(403);
  });
  it('control: an ordinary tool input read member by member is relayed and forwarded', async () => {
    const input = { query: 'weather in Paris', units: 'metric', AKIA: 'Z3MQ', days: 3, note: 'R5 TLPB 6Y7N' };
    const answer = await screenResponse(adapterFor('anthropic.messages'), classifier, anthropicAnswer(input), BLOCK);
    const request = await upstreamOf('anthropic.messages', anthropicRequest(input));
    expect({ answer: answer.action, refused: request.status === 403 }).toEqual({ answer: 'none', refused: false });
    expect(request.upstream).toContain('"note":"R5 TLPB 6Y7N"');
  });
  // HOLE (closed, classification/segment-join.ts valuePairs): a chat tool call's `arguments` is a JSON string read
  // as one text, and only its values were paired, so `{"AKIAZ3MQWX":"R5TLPB6Y7N"}` had `":"` between the halves,
  // while Anthropic's parsed `input` with the same pair was blocked. A JSON text's property names are now members of
  // its pairs as its values are (a name with its value, a value with the next name), answers and requests alike.
  it("chat answer: a tool call arguments' property name then its value", async () => {
    expect(bothHalves(await screened('openai.chat_completions', chatAnswer(JSON.stringify({ [A]: B }))))).toBe(false);
  });
  it("chat request: an assistant tool call arguments' property name then its value", async () => {
    const x = await upstreamOf('openai.chat_completions', chatRequest(JSON.stringify({ [A]: B })));
    expect(bothHalves(x.upstream)).toBe(false);
  });
  it("chat answer and request: arguments' value then the next property's name", async () => {
    const args = JSON.stringify({ a: A, [B]: 1 });
    expect(bothHalves(await screened('openai.chat_completions', chatAnswer(args)))).toBe(false);
    expect((await upstreamOf('openai.chat_completions', chatRequest(args))).status).toBe(403);
  });
  it('control: ordinary chat arguments are relayed and forwarded as written', async () => {
    const args = JSON.stringify({ city: 'Paris', AKIA: 'Z3MQ', date: '2024-03-15', id: 'A1', n: 4111 });
    const answer = await screenResponse(adapterFor(CHAT), classifier, chatAnswer(args), BLOCK);
    const request = await upstreamOf(CHAT, chatRequest(args));
    expect({ answer: answer.action, refused: request.status === 403 }).toEqual({ answer: 'none', refused: false });
    expect(request.upstream).toContain(JSON.stringify(args).slice(1, -1));
  });
  it('control: the same pair in an Anthropic input (name then value) is blocked, answer and request', async () => {
    expect(bothHalves(await screened('anthropic.messages', anthropicAnswer({ [A]: B })))).toBe(false);
    expect((await upstreamOf('anthropic.messages', anthropicRequest({ [A]: B }))).status).toBe(403);
  });
  it('control: an ordinary tool input with label-like names and short ids is relayed', async () => {
    const body = anthropicAnswer({ status: 'Premium 2', id: 'A1', AKIAXX: 1, city: 'Paris' });
    expect((await screenResponse(adapterFor('anthropic.messages'), classifier, body, BLOCK)).action).toBe('none');
  });
});
