// Round 15b (A24), guarantee 0 at the byte level: a streamed chat answer written by the upstream in the forms the SSE
// grammar allows but the echo upstream never writes (CR LF or CR line ends, a data field over several lines, comment
// lines, a byte order mark, an `event:` line with text in it), a key cut across two events in those forms, an answer
// the upstream compressed (Content-Encoding gzip), and a key in a header of the upstream's answer. The rule: the client
// never receives the answer key (default policy, zero-data-retention upstream: blocked); clean answers are relayed.
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ANSWER_KEY, leaksIn } from './leaks.ts';
import { promptBody } from './request-bodies.ts';
import { answerFrames } from '../../src/dev/echo-answers.ts';
import type { Answer } from './recording-upstream.ts';
import { startAdversarialStack, type AdversarialStack } from './stack.ts';

vi.setConfig({ maxConcurrency: 8 });

let stack: AdversarialStack;
beforeAll(async () => {
  stack = await startAdversarialStack('r15b-raw-sse');
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

const KEY = ANSWER_KEY.value;
const chunk = (content: string, finish: string | null = null) =>
  JSON.stringify({
    id: 'chatcmpl-r15b',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'echo-1',
    choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: finish }],
  });

/** A chat stream whose text is `pieces` (one event each), every line ended by `eol`. */
function chatStream(pieces: readonly string[], eol: string, head = ''): string {
  const events = [...pieces.map((p) => chunk(p)), chunk('', 'stop'), '[DONE]'];
  return head + events.map((data) => `data: ${data}${eol}${eol}`).join('');
}

const sse = (raw: string, headers?: Record<string, string>): Answer => ({
  status: 200,
  raw,
  contentType: 'text/event-stream',
  ...(headers ? { headers } : {}),
});

let serial = 0;
/** Sends a streamed chat request the upstream answers with `answer`. */
async function streamed(answer: Answer) {
  serial += 1;
  const id = `r15bsse${serial}`;
  stack.upstream.script(id, () => answer);
  const x = await stack.send('chat', { ...promptBody('chat', `case-${id} hello`), stream: true });
  return { status: x.status, crashed: x.status >= 500 && x.status !== 502, x };
}

/** The key withheld by policy (not merely lost): the stream ends on ERR_RESPONSE_BLOCKED, the key nowhere. */
function expectBlocked(x: { status: number; body: string; received: string }): void {
  expect({ blocked: x.body.includes('ERR_RESPONSE_BLOCKED'), leaked: leaksIn(x.received, [ANSWER_KEY]) }).toEqual({
    blocked: true,
    leaked: [],
  });
}

const FORMS: readonly [string, (pieces: readonly string[]) => string][] = [
  ['CR LF line ends', (p) => chatStream(p, '\r\n')],
  ['CR line ends', (p) => chatStream(p, '\r')],
  ['a byte order mark first', (p) => chatStream(p, '\n', '\uFEFF')],
  [
    'comment lines between events',
    (p) => chatStream(p, '\n', ': keep-alive\n\n').replaceAll('\n\ndata', '\n\n: ping\n\ndata'),
  ],
  ['no space after data:', (p) => chatStream(p, '\n').replaceAll('data: ', 'data:')],
  ['each data field over two lines', (p) => chatStream(p, '\n').replaceAll('data: {"id"', 'data: {\ndata: "id"')],
];

describe.concurrent('a key in a stream written in the SSE forms the echo upstream never writes', () => {
  for (const [form, write] of FORMS) {
    it(`control: ${form}, clean text: relayed to the client`, async () => {
      const r = await streamed(sse(write(['the answer ', 'is forty-two'])));
      expect({ status: r.status, text: r.x.body.includes('forty-two') }).toEqual({ status: 200, text: true });
    });
    it(`${form}, the key in one event: never reaches the client`, async () => {
      const r = await streamed(sse(write([`the key is ${KEY} ok`])));
      expectBlocked(r.x);
    });
    it(`${form}, the key cut across two events: never reaches the client`, async () => {
      const r = await streamed(sse(write(['the key is ', KEY.slice(0, 9), KEY.slice(9), ' ok'])));
      expectBlocked(r.x);
    });
  }
});

describe.concurrent('text outside the data fields', () => {
  it('a comment line carrying the key is not relayed', async () => {
    const r = await streamed(sse(chatStream(['hello'], '\n', `: ${KEY}\n\n`)));
    expect({ crashed: r.crashed, leaked: leaksIn(r.x.received, [ANSWER_KEY]) }).toEqual({ crashed: false, leaked: [] });
  });
  it('an event: line carrying the key is not relayed', async () => {
    const r = await streamed(sse(chatStream(['hello'], '\n').replace('data: ', `event: ${KEY}\ndata: `)));
    expect({ crashed: r.crashed, leaked: leaksIn(r.x.received, [ANSWER_KEY]) }).toEqual({ crashed: false, leaked: [] });
  });
  it('an id: and a retry: line carrying the key are not relayed', async () => {
    const r = await streamed(sse(chatStream(['hello'], '\n').replace('data: ', `id: ${KEY}\nretry: ${KEY}\ndata: `)));
    expect({ crashed: r.crashed, leaked: leaksIn(r.x.received, [ANSWER_KEY]) }).toEqual({ crashed: false, leaked: [] });
  });
  it('a custom header of a streamed answer carrying the key is not relayed', async () => {
    const r = await streamed(sse(chatStream(['hello'], '\n'), { 'x-debug-token': KEY }));
    expect({ status: r.status, leaked: leaksIn(r.x.received, [ANSWER_KEY]) }).toEqual({ status: 200, leaked: [] });
  });
  it('a content-type parameter of a streamed answer carrying the key is not relayed', async () => {
    const r = await streamed({
      status: 200,
      raw: chatStream(['hello'], '\n'),
      contentType: `text/event-stream; k=${KEY}`,
    });
    expect({ status: r.status, leaked: leaksIn(r.x.received, [ANSWER_KEY]) }).toEqual({ status: 200, leaked: [] });
  });
  it('a content-type parameter of a JSON answer carrying the key is not relayed', async () => {
    serial += 1;
    const id = `r15bct${serial}`;
    const message = { role: 'assistant', content: 'hello' };
    stack.upstream.script(id, () => ({
      status: 200,
      raw: JSON.stringify({ id: 'x', object: 'chat.completion', model: 'echo-1', choices: [{ index: 0, message }] }),
      contentType: `application/json; charset=utf-8; k=${KEY}`,
    }));
    const x = await stack.send('chat', promptBody('chat', `case-${id} hello`));
    expect({ status: x.status, leaked: leaksIn(x.received, [ANSWER_KEY]) }).toEqual({ status: 200, leaked: [] });
  });
  it('a custom header of a JSON answer carrying the key is not relayed', async () => {
    serial += 1;
    const id = `r15bhdr${serial}`;
    stack.upstream.script(id, (_api, body) => ({
      status: 200,
      raw: JSON.stringify({ id: 'x', object: 'chat.completion', model: body.model, choices: [] }),
      contentType: 'application/json',
      headers: { 'x-request-trace': `key=${KEY}` },
    }));
    const x = await stack.send('chat', promptBody('chat', `case-${id} hello`));
    expect(leaksIn(x.received, [ANSWER_KEY])).toEqual([]);
  });
});

/** The upstream's answer compressed with gzip (bytes, though the recording upstream's type names a string). */
const gzipped = (text: string, contentType: string): Answer => ({
  status: 200,
  raw: gzipSync(Buffer.from(text)) as unknown as string,
  contentType,
  headers: { 'content-encoding': 'gzip' },
});

describe.concurrent('an answer the upstream compressed (Content-Encoding: gzip)', () => {
  it('a gzip stream carrying the key: refused as unreadable (never inflated and relayed)', async () => {
    const r = await streamed(gzipped(chatStream([`the key is ${KEY}`], '\n'), 'text/event-stream'));
    const refused = r.x.body.includes('ERR_UPSTREAM_BAD_RESPONSE');
    expect({ refused, leaked: leaksIn(r.x.received, [ANSWER_KEY]) }).toEqual({ refused: true, leaked: [] });
  });
  it('a gzip JSON answer carrying the key: refused with 502, the key never reaches the client', async () => {
    serial += 1;
    const id = `r15bgz${serial}`;
    const json = { id: 'x', object: 'chat.completion', model: 'echo-1', choices: [] as unknown[] };
    json.choices.push({ index: 0, message: { role: 'assistant', content: `key ${KEY}` }, finish_reason: 'stop' });
    stack.upstream.script(id, () => gzipped(JSON.stringify(json), 'application/json'));
    const x = await stack.send('chat', promptBody('chat', `case-${id} hello`));
    expect({ status: x.status, leaked: leaksIn(x.received, [ANSWER_KEY]) }).toEqual({ status: 502, leaked: [] });
  });
});

/** A chat stream as bytes, `cut` put inside the key's bytes (an invalid or overlong UTF-8 sequence). */
const keyWithBytes = (cut: Buffer): Answer => {
  const [before, after] = chatStream([`the key is ${KEY.slice(0, 8)}\u0001${KEY.slice(8)} ok`], '\n').split('\\u0001');
  return sse(Buffer.concat([Buffer.from(before as string), cut, Buffer.from(after as string)]) as unknown as string);
};

describe.concurrent('bytes that are not UTF-8 inside a streamed key', () => {
  const CUTS: readonly [string, Buffer][] = [
    ['a lone 0xFF byte', Buffer.from([0xff])],
    ['a truncated three-byte sequence', Buffer.from([0xe2, 0x82])],
    ['an overlong encoding of "-"', Buffer.from([0xc0, 0xad])],
  ];
  for (const [name, cut] of CUTS) {
    it(`${name}: the key never reaches the client whole`, async () => {
      const r = await streamed(keyWithBytes(cut));
      const seen = r.x.received.replace(/\uFFFD/g, '');
      expect({ crashed: r.crashed, leaked: leaksIn(seen, [ANSWER_KEY]) }).toEqual({ crashed: false, leaked: [] });
    });
  }
});

describe.concurrent('Content-Encoding br: the header is not read, the bytes are (and screened)', () => {
  it('control: a br header on a plain stream: relayed as read, the header not passed on', async () => {
    const r = await streamed(sse(chatStream(['hello'], '\n'), { 'content-encoding': 'br' }));
    const passed = /content-encoding/i.test(r.x.received);
    expect({ ok: r.x.body.includes('"content":"hello"'), passed }).toEqual({ ok: true, passed: false });
  });
  it('a br header on a plain stream carrying the key: blocked', async () => {
    expectBlocked((await streamed(sse(chatStream([`key ${KEY}`], '\n'), { 'content-encoding': 'br' }))).x);
  });
  it('a brotli-compressed stream carrying the key: refused as unreadable, never inflated and relayed', async () => {
    const bytes = brotliCompressSync(Buffer.from(chatStream([`the key is ${KEY}`], '\n')));
    const r = await streamed(sse(bytes as unknown as string, { 'content-encoding': 'br' }));
    expect({ ok: r.x.body.includes('"content"'), leaked: leaksIn(r.x.received, [ANSWER_KEY]) }).toEqual({
      ok: false,
      leaked: [],
    });
  });
});

describe.concurrent('every streaming API, its own events written with CR LF or CR line ends', () => {
  for (const api of ['completions', 'responses', 'messages'] as const) {
    for (const [eol, name] of [
      ['\r\n', 'CR LF'],
      ['\r', 'CR'],
    ] as const) {
      it(`${api}, ${name}: the key in the text is blocked`, async () => {
        serial += 1;
        const id = `r15bapi${serial}`;
        stack.upstream.script(id, (kind, body) => {
          const frames = answerFrames(kind, body, id, `the key is ${KEY} ok`);
          const raw = frames.map((f) => `${f.event ? `event: ${f.event}${eol}` : ''}data: ${f.data}${eol}${eol}`);
          return sse(raw.join(''));
        });
        const x = await stack.send(api, { ...promptBody(api, `case-${id} hello`), stream: true });
        expectBlocked(x);
      });
    }
  }
});
