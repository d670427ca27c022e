// Round 6 of the attacker's review, on the day's new code: answer labels as closed tokens (answer-labels.ts and the
// reading orders' isClosedToken), labels a stream sends after its text, the answer key joins' bound on the key lists a
// value is read before (answer-key-joins.ts KEY_JOIN_USES, segment-join.ts memberPairs), MCP progress numbers, decoded
// runs split across segments, the stream padding drop, and the access log's censor. Holes found and not closed are
// `it.fails` with a `HOLE (open, <file>)` comment naming the fix, so CI stays green until they close; attacks that held
// are kept as controls.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.ts';
import { openBundle, type PolicyEngine, type PolicyInput, SMOKE_INPUT } from '../../src/policy/index.ts';
import { fastEvaluator } from '../../src/policy/wasm-eval.ts';
import { screenResponse } from '../../src/pipeline/response-screen.ts';
import { adapterFor } from '../../src/providers/index.ts';
import { defaultEngine } from '../helpers/mcp-harness.ts';
import { allFragmentsIn } from './leaks.ts';
import {
  ANTHROPIC_STREAM,
  anthropicAnswer,
  anthropicToolRequest,
  anthropicToolTurn,
  CHAT_STREAM,
  chatAnswer as chatToolAnswer,
  chatChunk,
  forwarded,
  hostileServer,
  messageEnd,
  messageStart,
  prompt,
  responsesEvents,
  streamedBlock,
  textResult,
  toolUse,
} from './fixtures.ts';
import { classifier } from './recording-pipeline.ts';
import { relayScripted, type ScriptedEvent } from './relay-harness.ts';

/** The answer rules of the default policy that matter here: vendor keys block, e-mail is redacted. */
const RULES = { redact: ['EMAIL'], block: ['AWS_ACCESS_KEY', 'GITHUB_TOKEN', 'STRIPE_SECRET_KEY', 'NPM_TOKEN'] };
/** A GitHub token cut after its 32nd body character: `ghp_` + 36 alphanumerics is one, this head alone is not. */
const GH_HEAD = 'ghp_16C7e42F292c6912E7710c838347Ae17';
/** The token's last four characters: lower-case letters, so a closed token (answer-labels.ts TOKEN). */
const GH_TAIL = 'xbab';
/** A GitHub token's prefix (a closed token) and the 36 characters after it. */
const GH = ['ghp_', '16C7e42F292c6912E7710c838347Ae178B4a'] as const;
/** A Stripe secret key's prefix (a closed token) and its body. */
const STRIPE = ['sk_live_', '4eC39HqLyjWDarjtT1zdp7dc'] as const;
const KEY_HALVES = ['AKIAZ3MQWX', 'R5TLPB6Y7N'] as const;
const CHAT = 'openai.chat_completions';

const holdsAll = (out: string, parts: readonly string[]) => parts.every((p) => out.includes(p));
const screened = async (api: 'openai.chat_completions' | 'anthropic.messages' | 'openai.responses', body: unknown) =>
  JSON.stringify((await screenResponse(adapterFor(api), classifier, body, RULES)).body ?? null);

const chatAnswer = (labels: Record<string, unknown>, content: string, finish = 'stop') => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  ...labels,
  created: 0,
  model: 'gpt-4o-mini',
  choices: [
    { index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: finish },
  ],
});
const responsesItem = (status: string, text: string) => ({
  type: 'message',
  id: 'msg_1',
  status,
  role: 'assistant',
  content: [{ type: 'output_text', text, annotations: [] }],
});
const responsesAnswer = (status: string, text: string, itemStatus = 'completed') => ({
  id: 'resp_1',
  object: 'response',
  created_at: 0,
  status,
  model: 'gpt-4o-mini',
  output: [responsesItem(itemStatus, text)],
});

describe('answer labels: a closed token can be a key’s vendor prefix', () => {
  // HOLE (closed for answers, F1 answer-labels.ts ENUMERATED: object, status, finish/stop reasons, service_tier and
  // role take only the values the SDKs' types name, system_fingerprint only fp_<hex>; `type` is still any closed token,
  // and the request side's reading-orders.ts isClosedToken still leaves such labels out): a label was "closed" when it
  // was lower-case letters, `_` and `.`, but `ghp_`, `sk_live_`, `npm_`, `github_pat_` are keys' own prefixes.
  for (const label of ['object', 'service_tier', 'system_fingerprint'] as const) {
    it(`chat answer: ${label} "ghp_" and the text after it are not relayed both`, async () => {
      expect(holdsAll(await screened(CHAT, chatAnswer({ [label]: GH[0] }, GH[1])), GH)).toBe(false);
    });
  }
  it('chat answer: object "sk_live_" and the text after it are not relayed both', async () => {
    expect(holdsAll(await screened(CHAT, chatAnswer({ object: STRIPE[0] }, STRIPE[1])), STRIPE)).toBe(false);
  });
  it('responses answer: an output item’s status "ghp_" and its text are not relayed both', async () => {
    const out = await screened('openai.responses', responsesAnswer('completed', GH[1], GH[0]));
    expect(holdsAll(out, GH)).toBe(false);
  });
  it('control: the token whole in the text is blocked', async () => {
    expect(await screened(CHAT, chatAnswer({}, GH.join('')))).toBe('null');
  });
  it('anthropic answer: stop_reason "ghp_" before the text is not relayed with it', async () => {
    const body = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'x',
      stop_reason: GH[0],
      content: [{ type: 'text', text: GH[1] }],
    };
    expect(holdsAll(await screened('anthropic.messages', body), GH)).toBe(false);
  });
  it('control: a label that completes the text after it (finish_reason, stop_reason) blocks a plain answer', async () => {
    expect(await screened(CHAT, chatAnswer({}, GH_HEAD, GH_TAIL))).toBe('null');
    const anthropic = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'x',
      content: [{ type: 'text', text: GH_HEAD }],
      stop_reason: GH_TAIL,
      stop_sequence: null,
    };
    expect(await screened('anthropic.messages', anthropic)).toBe('null');
  });
  it('control: ordinary labels and text are relayed as they are', async () => {
    const out = await screened(
      CHAT,
      chatAnswer({ service_tier: 'default', system_fingerprint: 'fp_44709d6fcb' }, 'hi'),
    );
    expect(out).toContain('"service_tier":"default"');
  });
});

describe('stream labels sent after the text', () => {
  const anthropicStream = (stopReason: string) => [
    messageStart(),
    ...streamedBlock(0, { text: GH_HEAD }),
    ...messageEnd({ stop_reason: stopReason }),
  ];
  const RESPONSES_REQUEST = { model: 'echo-1', stream: true, input: 'hi' };
  /**
   * A Responses stream of one message whose text is GH_HEAD; `itemStatus` in output_item.done, `final` in completed.
   */
  const responsesStream = (itemStatus: string, final: string) => responsesEvents(GH_HEAD, itemStatus, final);

  // HOLE (closed, F1/F2 providers/answer-labels.ts ENUMERATED, checked on every stream event): a stream's
  // text is released when its block closes, and a label sent later (Anthropic's message_delta stop_reason; a Responses
  // output_item.done's status, response.completed's status) was a closed token screened on its own, so a token whose
  // last characters are lower-case letters was relayed as the text `ghp_…Ae17` and then `"stop_reason":"xbab"`. Closed:
  // each such label must be one of the values the SDK's types name for it (StopReason; ResponseStatus; an output
  // item's status), else the stream ends as ERR_UPSTREAM_BAD_RESPONSE before the label is relayed.
  it('anthropic stream: message_delta’s stop_reason does not complete the text before it', async () => {
    const { out } = await relayScripted('anthropic.messages', ANTHROPIC_STREAM, anthropicStream(GH_TAIL), RULES);
    expect(holdsAll(out, [GH_HEAD, GH_TAIL])).toBe(false);
  });
  it('responses stream: output_item.done’s status does not complete the text before it', async () => {
    const { out } = await relayScripted(
      'openai.responses',
      RESPONSES_REQUEST,
      responsesStream(GH_TAIL, 'completed'),
      RULES,
    );
    expect(holdsAll(out, [GH_HEAD, GH_TAIL])).toBe(false);
  });
  it('responses stream: response.completed’s status does not complete the text before it', async () => {
    const { out } = await relayScripted(
      'openai.responses',
      RESPONSES_REQUEST,
      responsesStream('completed', GH_TAIL),
      RULES,
    );
    expect(holdsAll(out, [GH_HEAD, GH_TAIL])).toBe(false);
  });
  it('control: the chat stream’s finish_reason completing the text is blocked', async () => {
    const events = [chatChunk({ role: 'assistant', content: GH_HEAD }), chatChunk({}, GH_TAIL), { data: '[DONE]' }];
    const { out } = await relayScripted(CHAT, CHAT_STREAM, events, RULES);
    expect(holdsAll(out, [GH_HEAD, GH_TAIL])).toBe(false);
  });
  it('control: the same streams with real labels are relayed whole', async () => {
    const anthropic = await relayScripted('anthropic.messages', ANTHROPIC_STREAM, anthropicStream('end_turn'), RULES);
    const responses = await relayScripted(
      'openai.responses',
      RESPONSES_REQUEST,
      responsesStream('completed', 'completed'),
      RULES,
    );
    expect({ anthropic: anthropic.result.error, responses: responses.result.error }).toEqual({
      anthropic: null,
      responses: null,
    });
    expect(anthropic.out).toContain(GH_HEAD);
  });
});

describe('key lists nested past the join’s bound', () => {
  const [A, B] = KEY_HALVES;
  /** `{"a": A, n: {n: … {B: 1}}}`: the key's second half `depth` objects down, each named `n`. */
  const nested = (depth: number, n: string) => {
    let inner: Record<string, unknown> = { [B]: 1 };
    for (let i = 0; i < depth; i += 1) inner = { [n]: inner };
    return { a: A, ...inner };
  };
  const answer = (input: Record<string, unknown>) => anthropicAnswer([toolUse(input)], 'x');
  const request = anthropicToolRequest;
  const upstream = async (body: unknown) => (await forwarded('anthropic.messages', body)).upstream;

  // HOLE (closed, F2 pipeline/answer-document-order.ts): a value was read before at most two key lists, and each
  // nested object's one-name key list is one of them, so `{"a":"AKIAZ3MQWX","-":{"-":{"-":{"R5TLPB6Y7N":1}}}}` (only
  // punctuation between the halves in the JSON) is relayed: the list holding the second half is the value's fourth.
  // Closed: names that cannot be a value's piece are skipped in a document-order reading of names and strings.
  it('anthropic answer: a key split by three nested one-name objects is not relayed whole', async () => {
    expect(holdsAll(await screened('anthropic.messages', answer(nested(3, '-'))), KEY_HALVES)).toBe(false);
  });
  // HOLE (closed, F2 classification/document-pairs.ts): the request side read a member's value with its own name and
  // the next one only, so the same split two or three objects down was forwarded. Closed as above (documentPairs).
  it('anthropic request: a key split by two nested one-letter objects is not forwarded whole', async () => {
    expect(holdsAll(await upstream(request(nested(2, 'x'))), KEY_HALVES)).toBe(false);
  });
  it('anthropic request: a key split by three nested one-name objects is not forwarded whole', async () => {
    expect(holdsAll(await upstream(request(nested(3, '-'))), KEY_HALVES)).toBe(false);
  });
  it('control: one or two levels down (answer), one level down (request) are blocked', async () => {
    for (const depth of [0, 1, 2]) {
      expect(holdsAll(await screened('anthropic.messages', answer(nested(depth, '-'))), KEY_HALVES)).toBe(false);
    }
    expect(holdsAll(await upstream(request(nested(1, 'x'))), KEY_HALVES)).toBe(false);
  });
});

describe('an answer’s text then the first property name of a tool call’s arguments', () => {
  const [A, B] = KEY_HALVES;
  const anthropic = (input: Record<string, unknown>) =>
    anthropicAnswer([{ type: 'text', text: `see ${A}` }, toolUse(input)], 'x');
  const chat = (args: Record<string, unknown>) =>
    chatToolAnswer(
      { id: 'chatcmpl-1' },
      {
        content: `see ${A}`,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: JSON.stringify(args) } }],
      },
      'tool_calls',
    );
  const responses = (args: Record<string, unknown>) => ({
    ...responsesAnswer('completed', `see ${A}`),
    output: [
      responsesItem('completed', `see ${A}`),
      {
        type: 'function_call',
        id: 'fc_1',
        call_id: 'call_1',
        name: 'f',
        arguments: JSON.stringify(args),
        status: 'completed',
      },
    ],
  });
  const anthropicStream = (input: Record<string, unknown>) => [
    messageStart(),
    ...streamedBlock(0, { text: `see ${A}` }),
    ...streamedBlock(1, { id: 'toolu_1', name: 'f', json: JSON.stringify(input) }),
    ...messageEnd({ stop_reason: 'tool_use' }),
  ];

  // HOLE (closed, F2 pipeline/answer-document-order.ts; streams and requests: classification/readable-spans.ts
  // joinedSpan): a key list is read after the KEY_JOIN_VALUES (3) nearest values, and a tool call's own labels are
  // values (Anthropic's tool_use: type, id, name), so the text before a tool call is never paired with its input's
  // first property name:
  // `"text":"see AKIAZ3MQWX"},{"type":"tool_use","id":"toolu_1", "name":"f","input":{"R5TLPB6Y7N":1}}` is relayed,
  // while the same with the half as a value, and the same request, are refused. Chat and Responses arguments (a JSON
  // string) and Anthropic's streamed input_json_delta relay it too. Closed: the answers' document-order reading skips
  // closed labels, reads past ids, and reads a JSON text from its first property name; a JSON text joined to its
  // neighbours starts at its first name when that can be a value's piece.
  it('anthropic answer: the text then the tool input’s first property name is not relayed whole', async () => {
    expect(holdsAll(await screened('anthropic.messages', anthropic({ [B]: 1 })), KEY_HALVES)).toBe(false);
  });
  it('chat answer: the content then the arguments’ first property name is not relayed whole', async () => {
    expect(holdsAll(await screened(CHAT, chat({ [B]: 1 })), KEY_HALVES)).toBe(false);
  });
  it('responses answer: the output text then the arguments’ first property name is not relayed whole', async () => {
    expect(holdsAll(await screened('openai.responses', responses({ [B]: 1 })), KEY_HALVES)).toBe(false);
  });
  it('anthropic stream: the text then input_json_delta’s first property name is not relayed whole', async () => {
    const { out } = await relayScripted('anthropic.messages', ANTHROPIC_STREAM, anthropicStream({ [B]: 1 }), RULES);
    expect(holdsAll(out, KEY_HALVES)).toBe(false);
  });
  it('control: the half as the input’s first value is blocked (answer, stream); the same request is refused', async () => {
    const answer = await screened('anthropic.messages', anthropic({ q: B }));
    const stream = await relayScripted('anthropic.messages', ANTHROPIC_STREAM, anthropicStream({ q: B }), RULES);
    const reply = await forwarded('anthropic.messages', anthropicToolTurn(anthropic({ [B]: 1 }).content));
    expect({
      answer: holdsAll(answer, KEY_HALVES),
      stream: holdsAll(stream.out, KEY_HALVES),
      status: reply.status,
    }).toEqual({ answer: false, stream: false, status: 403 });
  });
  it('control: an ordinary text and tool call are relayed', async () => {
    const body = anthropic({ city: 'Paris', days: 3 });
    expect(await screened('anthropic.messages', body)).toContain('"city":"Paris"');
  });
});

describe('property names next to each other in the document (seed sweep of adjacent places, zz-a-split)', () => {
  const [A, B] = KEY_HALVES;
  const chatBody = (choice: Record<string, unknown>, top: Record<string, unknown> = {}) => ({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 0,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content: 'hello', refusal: null }, ...choice }],
    ...top,
  });
  const anthropicRequest = anthropicToolRequest;
  const upstream = async (body: unknown) => (await forwarded('anthropic.messages', body)).upstream;
  // HOLE (closed, F2 pipeline/answer-document-order.ts; requests: classification/document-pairs.ts): an
  // object's names are one key list read with line breaks between them, and only a string value is paired with the
  // names beside it, so two names with a number, null, [] or {} between (`"AKIAZ3MQWX":15,"R5TLPB6Y7N":16`), a name and
  // the first name of the object it opens (`"AKIAZ3MQWX":{"R5TLPB6Y7N":1}`), and a nested text then its ancestor's next
  // name (`"text":"AKIAZ3MQWX"}],"R5TLPB6Y7N":"end_turn"`) are never read together: answers relay them, and the request
  // side forwards the first in a tool input (the second it holds). Found by a property that puts a key's halves in two
  // adjacent places (names and strings in document order) of each API's recorded answer: 4-9 of 20-27 places per API.
  // Closed: one document-order reading of the names that can be a value's piece and the strings (closed labels,
  // numbers, null and brackets skipped), each place paired with the next two (test/adversarial/adjacent-places).
  it('chat answer: two names with a number between are not relayed whole', async () => {
    expect(holdsAll(await screened(CHAT, chatBody({}, { usage: { [A]: 15, [B]: 16 } })), KEY_HALVES)).toBe(false);
  });
  it('chat answer: two names with null between are not relayed whole', async () => {
    expect(holdsAll(await screened(CHAT, chatBody({ [A]: null, [B]: 'stop' })), KEY_HALVES)).toBe(false);
  });
  it('chat answer: a name and the first name of the object it opens are not relayed whole', async () => {
    expect(holdsAll(await screened(CHAT, chatBody({}, { [A]: { [B]: 15 } })), KEY_HALVES)).toBe(false);
  });
  it('anthropic answer: the text then the answer’s next name are not relayed whole', async () => {
    const body = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'x',
      content: [{ type: 'text', text: A }],
      [B]: 'end_turn',
      stop_sequence: null,
    };
    expect(holdsAll(await screened('anthropic.messages', body), KEY_HALVES)).toBe(false);
  });
  it('anthropic request: two tool input names with a number between are not forwarded whole', async () => {
    expect(holdsAll(await upstream(anthropicRequest({ [A]: 1, [B]: 2 })), KEY_HALVES)).toBe(false);
  });
  it('control: a request’s tool input name and the first name inside it are not forwarded whole', async () => {
    expect(holdsAll(await upstream(anthropicRequest({ [A]: { [B]: 1 } })), KEY_HALVES)).toBe(false);
  });
  it('control: a name then its string value, and a string value then the next name, are blocked', async () => {
    expect(holdsAll(await screened(CHAT, chatBody({}, { [A]: B })), KEY_HALVES)).toBe(false);
    expect(holdsAll(await screened(CHAT, chatBody({}, { extra: A, [B]: 1 })), KEY_HALVES)).toBe(false);
  });
});

describe('MCP: what a hostile server streams or throws', () => {
  let engine: PolicyEngine;
  beforeAll(async () => {
    engine = await defaultEngine();
  });
  /** Calls a tool whose server reports `progress`, then answers `text` (or throws `fails`): every payload the client
   * received, or what the proxy logged when the call fails. */
  async function relayed(progress: Parameters<typeof hostileServer>[1], text: string, fails?: Error) {
    const { out, logged } = await hostileServer(engine, progress, textResult(text), { fails })();
    return fails === undefined ? out : logged;
  }
  /** 378282246310005 (an American Express test number), cut in two. */
  const CARD = ['3782822', '46310005'] as const;

  // HOLE (closed, F1 progress.ts): each notification's numbers and message are read after the tail of what was
  // relayed before (numbers and messages), and the tail keeps the numbers too.
  it('a card over two notifications’ progress numbers is not relayed whole', async () => {
    const out = await relayed([{ progress: Number(CARD[0]) }, { progress: Number(CARD[1]) }], 'done');
    expect(allFragmentsIn(out, CARD)).toBe(false);
  });
  it('a card over a progress message and the next notification’s number is not relayed whole', async () => {
    // Digits glued on (`3782 8224` + `6310005` reads `3782 82246310005`, a grouping no card has, even in one text).
    const out = await relayed([{ progress: 1, message: 'card 37828224' }, { progress: 6310005 }], 'done');
    expect(allFragmentsIn(out, ['37828224', '6310005'])).toBe(false);
  });
  it('a card over a progress number and the next notification’s message is not relayed whole', async () => {
    const out = await relayed([{ progress: 37828224 }, { progress: 2, message: '6310005' }], 'done');
    expect(allFragmentsIn(out, ['37828224', '6310005'])).toBe(false);
  });
  // HOLE (closed, F1 errors.ts): describeError reads frames only after the stack's header (`<name>: <message>`).
  it('an upstream error message holding "\n    at <value>" puts no part of the value in the log', async () => {
    const secret = KEY_HALVES.join('');
    const logged = await relayed([], 'done', new Error(`MCP error -32603: lookup failed\n    at ${secret}`));
    expect(logged).toContain('upstream MCP call failed');
    expect(logged).not.toContain(secret);
  });
  it('control: a card over one notification’s progress and total, a key over a message and the result', async () => {
    const numbers = await relayed([{ progress: Number(CARD[0]), total: Number(CARD[1]) }], 'done');
    const result = await relayed([{ progress: 1, message: KEY_HALVES[0] }], KEY_HALVES[1]);
    expect({ numbers: allFragmentsIn(numbers, CARD), result: allFragmentsIn(result, KEY_HALVES) }).toEqual({
      numbers: false,
      result: false,
    });
  });
});

describe('encoded runs split across two messages', () => {
  const KEY = KEY_HALVES.join('');
  const said = async (first: string, second: string) => (await forwarded(CHAT, prompt(first, second))).status;
  const hex = Buffer.from(KEY).toString('hex');
  const base64 = Buffer.from(`key ${KEY}`).toString('base64');
  const codes = [...KEY].map((c) => c.charCodeAt(0));
  // HOLE (closed, H14 classification/join-decode.ts): an encoded key cut between two messages is two runs that each
  // decode to half a key, and the joined window was read undecoded, so hex, base64, character codes and
  // quoted-printable halves were all forwarded. Now the runs that cross a join window's boundary are decoded from the
  // window's text (within the call's decode budget) and classified, their findings on both halves.
  it.each([
    ['hex', hex.slice(0, 20), hex.slice(20)],
    ['base64 (cut on a 4-character boundary)', base64.slice(0, 16), base64.slice(16)],
    ['decimal character codes', `${codes.slice(0, 10).join(',')},`, codes.slice(10).join(',')],
  ])('a key as %s cut between two messages is refused', async (_name, first, second) => {
    expect(await said(first, second)).toBe(403);
  });
  it('control: each encoding whole in one message is refused', async () => {
    for (const text of [hex, base64, codes.join(',')]) expect(await said('hi', text)).toBe(403);
  });
});

describe('observability: what a log line can carry', () => {
  const logged = (write: (logger: ReturnType<typeof createLogger>, secret: string) => void) => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    const secret = KEY_HALVES.join('');
    write(logger, secret);
    return { count: lines.length, leaked: lines.join('').includes(secret) };
  };
  // HOLE (closed, F1 logger.ts censorBindings): every generation's child() and
  // setBindings() bindings pass censorNested.
  it('a child logger’s bindings one level down are censored', () => {
    expect(logged((logger, s) => logger.child({ nested: { prompt: s } }).info('x'))).toEqual({
      count: 1,
      leaked: false,
    });
  });
  it('a grandchild logger’s bindings one level down are censored', () => {
    const line = logged((logger, s) =>
      logger
        .child({ a: 1 })
        .child({ nested: { content: s } })
        .info('x'),
    );
    expect(line).toEqual({ count: 1, leaked: false });
  });
  it('control: top-level bindings, literal paths in bindings and fields one level down in a line are censored', () => {
    const line = logged((logger, s) => {
      logger.child({ content: s, req: { body: s } }).info({ extra: { body: s }, messages: [s], token: s }, 'x');
      logger.child({ a: 1 }).info({ err: { input: s }, headers: { authorization: s } }, 'y');
    });
    expect(line).toEqual({ count: 2, leaked: false });
  });
});

describe('the Responses stream padding', () => {
  const SECRET = KEY_HALVES.join('');
  it('a key in an `obfuscation` field below the top of an event is screened, not relayed', async () => {
    const events: ScriptedEvent[] = [
      {
        event: 'response.created',
        data: {
          type: 'response.created',
          sequence_number: 0,
          response: {
            id: 'resp_1',
            object: 'response',
            created_at: 0,
            status: 'in_progress',
            model: 'm',
            output: [],
            obfuscation: SECRET,
          },
        },
      },
    ];
    const { out } = await relayScripted('openai.responses', { model: 'echo-1', stream: true, input: 'hi' }, events, {
      redact: [],
      block: ['AWS_ACCESS_KEY'],
    });
    expect(out).not.toContain(SECRET);
  });
});

describe('policy: the direct opa_eval path', () => {
  const BUNDLE = fileURLToPath(new URL('../../bundles/default.tar.gz', import.meta.url));
  async function loaded() {
    const bundle = await openBundle(readFileSync(BUNDLE));
    const sdk = await loadPolicy(bundle.wasm, { initial: 5, maximum: 512 });
    if (bundle.data !== undefined) sdk.setData(bundle.data);
    return { sdk, entrypoint: bundle.manifest.entrypoint };
  }
  const outcome = (evaluate: () => unknown) => {
    try {
      return { result: evaluate() };
    } catch {
      return { threw: true };
    }
  };
  it('gives the SDK’s result for inputs with lone surrogates, graphemes, large tool lists and non-object inputs', async () => {
    const reference = await loaded();
    const fast = await loaded();
    const evaluator = fastEvaluator(fast.sdk);
    if (evaluator === null) throw new Error('the fast path declined the default bundle');
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 8 }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(text, { maxLength: 5 }),
        fc.array(text, { maxLength: 3 }),
        text,
        fc.nat(100),
        async (names, groups, model, large) => {
          const input = structuredClone(SMOKE_INPUT) as PolicyInput;
          const tools = large === 0 ? Array.from({ length: 20_000 }, (_, i) => `t${i}${'y'.repeat(40)}`) : names;
          input.request.tools = { count: tools.length, names: tools };
          input.principal.groups = groups;
          input.request.model = model;
          const expected = outcome(() => reference.sdk.evaluate(input, reference.entrypoint));
          expect(outcome(() => evaluator.evaluate(input, fast.entrypoint))).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
    for (const input of [undefined, null, {}, 'x', 1, []]) {
      const expected = outcome(() => reference.sdk.evaluate(input, reference.entrypoint));
      expect(outcome(() => evaluator.evaluate(input, fast.entrypoint))).toEqual(expected);
    }
  });
});

describe('chat stream labels: a closed token can be a key’s vendor prefix', () => {
  // HOLE (closed, F3 providers/openai-stream.ts: checkClosedLabels on every chunk): the chat and completions stream
  // reader relayed a chunk's delta.role and finish_reason as any string (its service_tier by a twin list of its own),
  // and the reading orders leave a closed token out, so `"role":"ghp_"` then a tool call (id, type and name between)
  // whose arguments are the token's body was relayed whole. Closed: every label of a chunk is one the SDKs' types name
  // (answer-labels.ts ENUMERATED), else the stream ends as ERR_UPSTREAM_BAD_RESPONSE before the chunk is relayed.
  const REQUEST = CHAT_STREAM;
  const chunk = (choice: Record<string, unknown>, extra: Record<string, unknown> = {}): ScriptedEvent => ({
    data: { id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'm', ...extra, choices: [choice] },
  });
  const delta = (d: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) =>
    chunk({ index: 0, delta: d, finish_reason: finish }, extra);
  const call = (args: string) => ({
    index: 0,
    id: 'call_1',
    type: 'function',
    function: { name: 'f', arguments: args },
  });
  const relayed = (events: ScriptedEvent[], request: Record<string, unknown> = REQUEST) =>
    relayScripted(CHAT, request, [...events, { data: '[DONE]' }], RULES);

  it('delta.role "ghp_" then a tool call whose arguments are the token’s body are not relayed both', async () => {
    const { out } = await relayed([delta({ role: GH[0], tool_calls: [call(GH[1])] })]);
    expect(holdsAll(out, GH)).toBe(false);
  });
  it('an unknown role or finish_reason ends the stream as the upstream’s fault, unrelayed', async () => {
    for (const events of [[delta({ role: 'zzz', content: 'hi' })], [delta({ content: 'hi' }, 'zzz')]]) {
      const { result, out } = await relayed(events);
      expect({ code: result.error, relayed: out.includes('zzz') }).toEqual({
        code: 'ERR_UPSTREAM_BAD_RESPONSE',
        relayed: false,
      });
    }
  });
  it('completions stream: an unknown finish_reason ends the stream as the upstream’s fault', async () => {
    const data = { id: 'c1', object: 'text_completion', created: 0, model: 'm' };
    const events = [
      { data: { ...data, choices: [{ index: 0, text: 'hi', finish_reason: 'zzz' }] } },
      { data: '[DONE]' },
    ];
    const { result } = await relayScripted(
      'openai.completions',
      { model: 'echo-1', stream: true, prompt: 'hi' },
      events,
      RULES,
    );
    expect(result.error).toBe('ERR_UPSTREAM_BAD_RESPONSE');
  });
  it('control: real labels, every service tier the SDKs name, a tool call and usage are relayed whole', async () => {
    const { result, out } = await relayed(
      [
        delta({ role: 'assistant', content: 'hi' }, null, {
          service_tier: 'fast',
          system_fingerprint: 'fp_44709d6fcb',
        }),
        delta({ tool_calls: [call('{}')] }),
        delta({}, 'tool_calls'),
        {
          data: {
            id: 'c1',
            object: 'chat.completion.chunk',
            created: 0,
            model: 'm',
            choices: [],
            usage: { total_tokens: 2 },
          },
        },
      ],
      { ...REQUEST, stream_options: { include_usage: true } },
    );
    expect(result.error).toBeNull();
    for (const part of [
      '"service_tier":"fast"',
      '"finish_reason":"tool_calls"',
      '"type":"function"',
      '"total_tokens":2',
    ])
      expect(out).toContain(part);
  });
});

describe('ids and names are never closed labels (lead, after F6): their letters are whoever wrote them', () => {
  // HOLE (closed, reading-orders.ts isClosedLabel): any label key whose value was lower-case letters, `_` and `.` was
  // read past by every order, ids included, so `"id":"ghp_"` before a text holding the token's body was relayed whole;
  // only the enumerated fields (type, role, object, status, finish/stop reason, service tier) are closed now.
  const chatWithCall = (callId: string, argument: string) => ({
    ...chatAnswer({}, 'calling'),
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [
            { id: callId, type: 'function', function: { name: 'f', arguments: JSON.stringify({ q: argument }) } },
          ],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ],
  });
  it('chat answer: id "ghp_" and the text after it are not relayed both', async () => {
    expect(holdsAll(await screened(CHAT, chatAnswer({ id: GH[0] }, GH[1])), GH)).toBe(false);
  });
  it('chat answer: a tool call id "ghp_" before arguments holding the body is not relayed both', async () => {
    expect(holdsAll(await screened(CHAT, chatWithCall(GH[0], GH[1])), GH)).toBe(false);
  });
  it('control: a lower-case id beside ordinary text is relayed', async () => {
    const out = await screened(CHAT, chatAnswer({ id: 'chatcmpl_abc' }, 'The weather is mild today.'));
    expect(out).toContain('The weather is mild today.');
  });
});

describe('mixed-case and prefix-shaped property names are read with their neighbours (lead, after R1)', () => {
  // HOLE (closed, readable-spans.ts valueLike): only names with no lower-case letter were read beside their
  // neighbours, so a GitHub or Stripe key's prefix and body as two property names went upstream and came back whole.
  const GH_BODY = GH[1];
  const toolRequest = anthropicToolRequest;
  const toolAnswer = (content: unknown[]) => ({
    id: 'msg_01',
    type: 'message',
    role: 'assistant',
    model: 'claude-x',
    content,
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 1, output_tokens: 1 },
  });
  const sentUpstream = async (body: unknown) => (await forwarded('anthropic.messages', body)).upstream;
  it.each([
    ['a GitHub prefix and body as two names', { ghp_: 1, [GH_BODY]: 2 }, GH],
    ['a Stripe prefix and body as two names', { sk_live_: 1, [STRIPE[1]]: 2 }, STRIPE],
    ['a GitHub prefix as a value, its body the next name', { a: 'ghp_', [GH_BODY]: 2 }, GH],
  ])('request: %s is not forwarded whole', async (_, input, parts) => {
    expect(holdsAll(await sentUpstream(toolRequest(input)), parts)).toBe(false);
  });
  it('answer: a text "ghp_" then a tool input whose first name is the body is not relayed whole', async () => {
    const body = toolAnswer([
      { type: 'text', text: 'ghp_' },
      { type: 'tool_use', id: 'toolu_01', name: 'lookup', input: { [GH_BODY]: 1 } },
    ]);
    expect(holdsAll(await screened('anthropic.messages', body), GH)).toBe(false);
  });
  it('answer: a Stripe prefix and body as two tool input names are not relayed whole', async () => {
    const body = toolAnswer([
      { type: 'tool_use', id: 'toolu_01', name: 'lookup', input: { sk_live_: 1, [STRIPE[1]]: 2 } },
    ]);
    expect(holdsAll(await screened('anthropic.messages', body), STRIPE)).toBe(false);
  });
  it('control: ordinary camelCase and numbered names beside values are relayed', async () => {
    const body = toolAnswer([
      { type: 'tool_use', id: 'toolu_01', name: 'lookup', input: { userName: 'x', address2: 'y' } },
    ]);
    expect(await screened('anthropic.messages', body)).toContain('userName');
  });
});
