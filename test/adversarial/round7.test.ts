// Round 7 of the attacker's review (issue #14), on session 8's code: property names read as a value's piece
// (readable-spans.ts valueLike), the document-order places (document-pairs.ts, answer-document-order.ts), decoded runs
// (decode.ts, decode-bytes.ts, decode-escapes.ts). Streams are in round7-streams.test.ts, MCP in round7-mcp.test.ts.
// Holes found and not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix, so CI stays green
// until they close; attacks that held are kept as controls.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { screenResponse } from '../../src/pipeline/response-screen.ts';
import { upstreamErrorReply } from '../../src/pipeline/upstream-error.ts';
import { MAX_DECODED_RUNS } from '../../src/classification/decode.ts';
import { adapterFor } from '../../src/providers/index.ts';
import { leaksIn, type Planted } from './leaks.ts';
import { classifier, recordingPipeline } from './recording-pipeline.ts';
import { relayScripted, type ScriptedEvent } from './relay-harness.ts';

/** The answer rules of the default policy that matter here: vendor keys block, e-mail is redacted. */
const RULES = { redact: ['EMAIL'], block: ['AWS_ACCESS_KEY', 'GITHUB_TOKEN', 'STRIPE_SECRET_KEY', 'NPM_TOKEN'] };
const AWS: Planted = { label: 'AWS_ACCESS_KEY', value: 'AKIAZ3MQWXR5TLPB6Y7N' };
const HALVES = ['AKIAZ3MQWX', 'R5TLPB6Y7N'] as const;
/** A GitHub token (`ghp_` + 36) whose last four characters are lower-case letters. */
const GH: Planted = { label: 'GITHUB_TOKEN', value: 'ghp_16C7e42F292c6912E7710c838347Ae17xbab' };
const GH_HEAD = GH.value.slice(0, -4);
const CHAT = 'openai.chat_completions';
type ScreenApi = typeof CHAT | 'anthropic.messages' | 'openai.responses';

const holdsBoth = (out: string) => HALVES.every((half) => out.includes(half));
const screened = async (api: ScreenApi, body: unknown) =>
  JSON.stringify((await screenResponse(adapterFor(api), classifier, body, RULES)).body ?? null);

/** What the recording pipeline sent upstream for one request (empty when refused). */
async function forwarded(api: typeof CHAT | 'anthropic.messages', body: unknown): Promise<string> {
  const { handler, sent } = await recordingPipeline();
  await handler.handle({ requestId: 'r7', api, headers: {}, body: new TextEncoder().encode(JSON.stringify(body)) });
  return sent.join('\n');
}

describe('property names too short or too lower-case to be read as a value’s piece', () => {
  const anthropicRequest = (input: Record<string, unknown>) => ({
    model: 'echo-1',
    max_tokens: 5,
    messages: [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }] },
    ],
  });
  const chatRequest = (args: Record<string, unknown>) => ({
    model: 'echo-1',
    messages: [
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: JSON.stringify(args) } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
    ],
  });
  const anthropicAnswer = (input: Record<string, unknown>) => ({
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'x',
    content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input }],
    stop_reason: 'tool_use',
    stop_sequence: null,
  });
  const chatAnswer = (args: Record<string, unknown>) => ({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 0,
    model: 'gpt-4o-mini',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: JSON.stringify(args) } }],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ],
  });
  /** Each way the value and the next name reach a reader: request (tool input, arguments) and answer (both). */
  const leaks = async (input: Record<string, unknown>, planted: Planted) => [
    ...leaksIn(await forwarded('anthropic.messages', anthropicRequest(input)), [planted]),
    ...leaksIn(await forwarded(CHAT, chatRequest(input)), [planted]),
    ...leaksIn(await screened('anthropic.messages', anthropicAnswer(input)), [planted]),
    ...leaksIn(await screened(CHAT, chatAnswer(input)), [planted]),
  ];
  // HOLE (open, classification/readable-spans.ts valueLike; read by document-pairs.ts and
  // pipeline/answer-document-order.ts): a property name is a place of the document-order reading only when it is 3-64
  // characters with no lower-case letter, a digit beside both cases, or a trailing `_`/`-`. A key's last characters
  // as the next name are none of these when they are two characters (`"AKIAZ3MQWXR5TLPB6Y","7N":1`) or lower-case
  // letters (`"ghp_…Ae17","xbab":1`, a GitHub or Stripe body ends in lower-case letters about one time in six at
  // four characters), or when the name runs past 64 characters after them (`"R5TLPB6Y7N_xxx…":1`): all are
  // forwarded and relayed, and the JSON text writes the pieces three characters apart. Fix: read
  // a value with the next name (and a name with the value before it) whatever the name's form, for the recognizers
  // that need no context words (keys, tokens, numbers: no ordinary name reads into an address or words), or read
  // 1-2-character names and lower-case names after a value that ends without a word boundary.
  it.fails('a key’s last two characters as the next property name are not forwarded or relayed', async () => {
    expect(await leaks({ k: HALVES.join('').slice(0, 18), '7N': 1 }, AWS)).toEqual([]);
  });
  it.fails('a token’s lower-case last letters as the next property name are not forwarded or relayed', async () => {
    expect(await leaks({ note: GH_HEAD, xbab: 1 }, GH)).toEqual([]);
  });
  it.fails('a key’s second half at the start of a property name longer than 64 characters is not forwarded or relayed', async () => {
    // `"a":"AKIAZ3MQWX","R5TLPB6Y7N_xxx…":1`: the name is past MAX_VALUE_NAME, so it is never a place.
    expect(await leaks({ a: HALVES[0], [`${HALVES[1]}_${'x'.repeat(60)}`]: 1 }, AWS)).toEqual([]);
  });
  it('control: a key’s last three characters as the next property name are blocked everywhere', async () => {
    expect(await leaks({ k: HALVES.join('').slice(0, 17), Y7N: 1 }, AWS)).toEqual([]);
  });
});

describe('encoded runs the decoder does not read', () => {
  const encoded = (bytes: Buffer) => bytes.toString('base64');
  const KEY_TEXT = Buffer.from(`aws ${AWS.value}`);
  const ask = (content: string) => ({ model: 'echo-1', messages: [{ role: 'user', content }] });
  const answer = (content: string) => ({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 0,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content }, logprobs: null, finish_reason: 'stop' }],
  });
  const both = async (content: string) => [
    ...leaksIn(await forwarded(CHAT, ask(content)), [AWS]),
    ...leaksIn(await screened(CHAT, answer(content)), [AWS]),
  ];
  // HOLE (open, classification/decode.ts + decode-bytes.ts decodeBase64OrHex): a base64 run is decoded only whole, from
  // its first character, and classified only when every byte is valid UTF-8 (docs/classification.md: "only valid
  // UTF-8 is classified"). A word glued before the run (`token` + base64: the run starts off its quads), three bytes
  // that are no UTF-8 encoded first (`//79`), or one stray byte at the end are enough: the key inside is forwarded and
  // relayed, while any base64 decoder a reader uses (and `base64 -d | strings`) shows it. Fix: when a run does not
  // decode whole to text, try it from each of its first four characters, and classify the longest stretches of valid
  // UTF-8 of what it decodes to (lossy, as TextDecoder reads it; within the same budget: at most four decodes a run).
  it.fails.each([
    ['glued after a word', `token${encoded(KEY_TEXT)}`],
    ['after three bytes that are no UTF-8', encoded(Buffer.concat([Buffer.from([0xff, 0xfe, 0xfd]), KEY_TEXT]))],
    ['before a stray byte', encoded(Buffer.concat([KEY_TEXT, Buffer.from([0xff])]))],
  ])('a key in base64 %s is not forwarded or relayed', async (_name, content) => {
    expect(await both(content)).toEqual([]);
  });
  it.fails('an embeddings answer in base64 whose float bytes hold the key is not relayed', async () => {
    // encoding_format: base64 is accepted; its bytes are float32s, never UTF-8 as a whole, so never decoded.
    const floats = encoded(Buffer.concat([Buffer.from([0xff, 0xfe, 0xfd, 0xfc]), KEY_TEXT, Buffer.from('    ')]));
    const body = {
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: floats }],
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 1, total_tokens: 1 },
    };
    const out = await screenResponse(adapterFor('openai.embeddings'), classifier, body, RULES);
    expect(leaksIn(JSON.stringify(out.body ?? null), [AWS])).toEqual([]);
  });
  it.fails('an upstream error message holding the key in base64 glued after a word is not shown', () => {
    const upstream = { error: { message: `token${encoded(KEY_TEXT)}`, type: 'invalid_request_error' } };
    const reply = upstreamErrorReply(400, upstream, 'r7', classifier);
    expect(leaksIn(JSON.stringify(reply.body), [AWS])).toEqual([]);
  });
  // HOLE (open, classification/decode.ts startPatterns codeList): decimalCodeRuns reads a list split by one `,` or `;`
  // "with any whitespace" (separatesCodes), but it is only started where the native start pattern matches, and that
  // pattern allows spaces and tabs only before the mark (`[\t ]*[,;]`): a list written comma-first, one code a line
  // (`97\n, 119\n, 115\n, …`, or `\r,`, `\n;`), is never decoded, in short texts and long ones. Fix: the start pattern
  // takes `[\t-\r ]*` before the mark too (what separatesCodes accepts), within MAX_CODE_SEPARATOR.
  it.fails('a key as decimal character codes written comma-first is not forwarded or relayed', async () => {
    // The leak oracle decodes no code lists: what is asserted is that nothing was sent and the answer was withheld.
    const list = [...KEY_TEXT].map(String).join('\n, ');
    expect({ sent: await forwarded(CHAT, ask(list)), relayed: await screened(CHAT, answer(list)) }).toEqual({
      sent: '',
      relayed: 'null',
    });
  });
  // HOLE (open, classification/decode-escapes.ts; docs/classification.md lists the escapes read): character escapes
  // that C, Python, shell printf and HTML parsers all decode are outside the list read (`\uXXXX`, `\u{X}`,
  // `\xXX`, `&#DDD;`, `&#xHH;`): octal `\101\113…`, eight-digit `\U00000041…`, and numeric references without
  // their `;` (`&#65&#75…`, which HTML decodes) carry a key whole. Fix: decode `\` + 3 octal digits, `\U` + 8 hex
  // digits and `&#` + digits without `;` in decodeEscapes, under the same run and budget rules.
  it.fails.each([
    ['octal escapes', (c: number) => `\\${c.toString(8).padStart(3, '0')}`],
    ['eight-digit \\U escapes', (c: number) => `\\U${c.toString(16).padStart(8, '0')}`],
    ['numeric references without their semicolon', (c: number) => `&#${c}`],
  ])('a key as %s is not forwarded or relayed', async (_name, written) => {
    const text = [...KEY_TEXT].map(written).join('');
    expect({ sent: await forwarded(CHAT, ask(text)), relayed: await screened(CHAT, answer(text)) }).toEqual({
      sent: '',
      relayed: 'null',
    });
  });
  it('control: the run whole, glued after a word of four letters (on its quads), codes comma-last are blocked', async () => {
    expect(await both(encoded(KEY_TEXT))).toEqual([]);
    const list = [...KEY_TEXT].map(String).join(',\n ');
    expect({ sent: await forwarded(CHAT, ask(list)), relayed: await screened(CHAT, answer(list)) }).toEqual({
      sent: '',
      relayed: 'null',
    });
    expect(await both(`AAAA${encoded(KEY_TEXT)}`)).toEqual([]);
  });
});

describe('empty strings as places: a value’s pieces three places apart in document order', () => {
  const [A, B] = HALVES;
  const request = (input: Record<string, unknown>) => ({
    model: 'echo-1',
    max_tokens: 5,
    messages: [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }] },
    ],
  });
  const answer = (input: Record<string, unknown>) => ({
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'x',
    content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input }],
    stop_reason: 'tool_use',
    stop_sequence: null,
  });
  const both = async (input: Record<string, unknown>) => ({
    forwarded: holdsBoth(await forwarded('anthropic.messages', request(input))),
    relayed: holdsBoth(await screened('anthropic.messages', answer(input))),
  });
  // HOLE (open, classification/document-pairs.ts documentPlaces and pipeline/answer-document-order.ts documentPlaces):
  // the document-order reading skips numbers, null, brackets and closed labels, but an empty string is a place like
  // any value, and each place is read with the next two only: two empty strings between a value and the next name
  // (`"a":"AKIAZ3MQWX","b":"","c":"","R5TLPB6Y7N":1`), or between two names, put the pieces three places apart, and
  // the value reading orders never pair a value with a name. Round 6's `null` between is read; `""` carries no more.
  // Fix: skip a string with no letter or digit (empty, or only spaces and punctuation) as a place, as null is skipped
  // (or mark it a label, so the pairing past labels reads over it).
  it.fails.each([
    ['a value, two empty strings, then a name', { a: A, b: '', c: '', [B]: 1 }],
    ['a name, two empty strings, then a name', { [A]: '', b: '', [B]: 1 }],
    ['a name over an object of two empty strings, then a value', { [A]: { b: '', c: '' }, d: B }],
  ])('tool input: %s is neither forwarded nor relayed', async (_name, input) => {
    expect(await both(input)).toEqual({ forwarded: false, relayed: false });
  });
  it('control: one empty string between, and empty strings between two values, are blocked both ways', async () => {
    expect(await both({ a: A, b: '', [B]: 1 })).toEqual({ forwarded: false, relayed: false });
    expect(await both({ a: A, b: '', c: '', d: B })).toEqual({ forwarded: false, relayed: false });
  });
});

describe('a number between two pieces inside a JSON text (tool-call arguments)', () => {
  const STRIPE = ['sk_live_', '4eC39HqLyjWDarjtT1zdp7dc'] as const;
  const call = { id: 'call_1', type: 'function' };
  const chatRequest = (args: string) => ({
    model: 'echo-1',
    messages: [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: null, tool_calls: [{ ...call, function: { name: 'f', arguments: args } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
    ],
  });
  const chatAnswer = (args: string) => ({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 0,
    model: 'gpt-4o-mini',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [{ ...call, function: { name: 'f', arguments: args } }],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ],
  });
  const responsesAnswer = (args: string) => ({
    id: 'resp_1',
    object: 'response',
    created_at: 0,
    status: 'completed',
    model: 'gpt-4o-mini',
    output: [{ type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f', arguments: args, status: 'completed' }],
  });
  const streamed = (args: string): ScriptedEvent[] => [
    chunkOf({
      role: 'assistant',
      content: null,
      tool_calls: [{ index: 0, ...call, function: { name: 'f', arguments: args } }],
    }),
    chunkOf({}, 'tool_calls'),
    { data: '[DONE]' },
  ];
  const chunkOf = (delta: Record<string, unknown>, finish: string | null = null): ScriptedEvent => ({
    data: {
      id: 'c',
      object: 'chat.completion.chunk',
      created: 0,
      model: 'g',
      choices: [{ index: 0, delta, finish_reason: finish }],
    },
  });
  /** Where both pieces reach a reader: forwarded, relayed by the chat or Responses screen, relayed by a chat stream. */
  async function whole(args: string, pieces: readonly string[]) {
    const all = (out: string) => pieces.every((p) => out.includes(p));
    const { out } = await relayScripted(
      CHAT,
      { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] },
      streamed(args),
      RULES,
    );
    return {
      forwarded: all(await forwarded(CHAT, chatRequest(args))),
      chat: all(await screened(CHAT, chatAnswer(args))),
      responses: all(await screened('openai.responses', responsesAnswer(args))),
      stream: all(out),
    };
  }
  const NONE = { forwarded: false, chat: false, responses: false, stream: false };
  // HOLE (open, classification/readable-spans.ts spansOf and segment-join.ts valuePairs; the stream scanner reads the
  // same spans): a JSON text's numbers are values its pairs are read with, so a number between two pieces keeps them
  // from being a pair: `{"AKIAZ3MQWX":1,"R5TLPB6Y7N":2}`, `{"a":"AKIAZ3MQWX","n":5,"R5TLPB6Y7N":1}` and Stripe's
  // `{"sk_live_":1,"4eC39H…":2}` as tool-call arguments are forwarded, relayed by both answer screens and streamed.
  // Round 6 closed the same split in parsed JSON (an Anthropic tool input, an answer's own members: numbers are
  // skipped by the document-order reading); `null` or `true` between is read over here too. Fix: read each string
  // (value or valueLike name) of a JSON text also with the next string past numbers, as the document order does.
  it.fails.each([
    ['two names with a number between', '{"AKIAZ3MQWX":1,"R5TLPB6Y7N":2}', HALVES],
    ['a value, a number member, then a name', '{"a":"AKIAZ3MQWX","n":5,"R5TLPB6Y7N":1}', HALVES],
    ['a Stripe prefix and body as names with a number between', '{"sk_live_":1,"4eC39HqLyjWDarjtT1zdp7dc":2}', STRIPE],
  ])('%s reaches no reader', async (_name, args, pieces) => {
    expect(await whole(args, pieces)).toEqual(NONE);
  });
  it('control: null or true between, and a name opening an object, are read over everywhere', async () => {
    for (const args of ['{"AKIAZ3MQWX":null,"R5TLPB6Y7N":2}', '{"a":"AKIAZ3MQWX","b":true,"c":"R5TLPB6Y7N"}']) {
      expect(await whole(args, HALVES)).toEqual(NONE);
    }
    expect(await whole('{"AKIAZ3MQWX":{"R5TLPB6Y7N":1}}', HALVES)).toEqual(NONE);
  });
});

describe('the decoding budget spent by decoys', () => {
  const decoys = () => '%41aaaaa '.repeat(MAX_DECODED_RUNS + 1);
  const key = Buffer.from(`aws ${AWS.value}`).toString('base64');
  // HOLE (open, classification/decode.ts MAX_DECODED_RUNS, spend): a classify() call decodes at most 2^18 runs, and
  // a run past the budget is left as it is, unread ("more than a body of the default 4 MiB limit can hold"). A percent
  // run is 8 characters (`%41aaaaa`), so 2^18 of them and a space each are 2.36 MB: a text of decoys, then the key
  // in base64 in the next text, classifies clean. An upstream's answer of two text blocks (decoys, then the key) is
  // relayed under the default configuration (answers may be 32 MiB); a request needs a policy that allows a 2.4 M-token
  // prompt (the default one answers 429 for its token estimate first). Fix: fail closed when the budget runs out with
  // runs left (refuse or withhold as unclassifiable), or size the budget from the body and answer limits.
  it.fails('an answer whose second text block holds a key in base64, after 2^18 decoy runs, is not relayed', async () => {
    const body = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'x',
      content: [
        { type: 'text', text: decoys() },
        { type: 'text', text: `see ${key}` },
      ],
      stop_reason: 'end_turn',
      stop_sequence: null,
    };
    expect((await screenResponse(adapterFor('anthropic.messages'), classifier, body, RULES)).body).toBeNull();
  }, 60_000);
  it.fails('a request’s second message holding a key in base64, after 2^18 decoy runs, classifies with the key', () => {
    const found = classifier.classify([
      { path: 'messages[0].content', text: decoys() },
      { path: 'messages[1].content', text: key },
    ]);
    expect(found.counts?.types.AWS_ACCESS_KEY ?? 0).toBeGreaterThan(0);
  }, 60_000);
});

describe('controls: session 8’s caches and batches', () => {
  it('a closed token first seen clean (`sk_live_`) is still read as a piece of a Stripe key after it', async () => {
    const ask = (...texts: string[]) => ({
      model: 'echo-1',
      messages: [{ role: 'user', content: texts.map((text) => ({ type: 'text', text })) }],
    });
    expect(await forwarded(CHAT, ask('sk_live_'))).toContain('sk_live_');
    expect(await forwarded(CHAT, ask('sk_live_', '4eC39HqLyjWDarjtT1zdp7dc'))).toBe('');
  });
  it('a key split over two turns is found wherever its window falls among the 2 KB batches of other windows', () => {
    const missed: string[] = [];
    for (let decoys = 0; decoys < 40; decoys += 3) {
      for (const pad of [0, 31, 250]) {
        const turn = (i: number, text: string) => ({ path: `messages[${i}].content`, text, location: 'user' });
        const before = Array.from({ length: decoys }, (_, i) => turn(i, `lorem ipsum dolor ${i} ${'x'.repeat(pad)}`));
        const after = Array.from({ length: decoys }, (_, i) =>
          turn(decoys + 2 + i, `sit amet ${i} ${'w'.repeat(pad)}`),
        );
        const split = [turn(decoys, `${'y'.repeat(pad)} key ${HALVES[0]}`), turn(decoys + 1, `${HALVES[1]} ok`)];
        const { findings } = classifier.classify([...before, ...split, ...after]);
        if (!findings.some((f) => f.type === 'AWS_ACCESS_KEY')) missed.push(`${decoys}/${pad}`);
      }
    }
    expect(missed).toEqual([]);
  });
});

describe('a private key without its PEM armor', () => {
  const pkcs8 = (type: 'rsa' | 'ed25519') =>
    (type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
      : generateKeyPairSync('ed25519').privateKey
    ).export({ type: 'pkcs8', format: 'pem' }) as string;
  const bodyOf = (pem: string) =>
    pem
      .split('\n')
      .filter((line) => !line.startsWith('-----'))
      .join('\n');
  const outcome = async (text: string) => {
    const ask = { model: 'echo-1', messages: [{ role: 'user', content: text }] };
    const answer = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'x',
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
    };
    const rules = { redact: [], block: ['PRIVATE_KEY'] };
    const relayed = (await screenResponse(adapterFor('anthropic.messages'), classifier, answer, rules)).body;
    return { forwarded: (await forwarded(CHAT, ask)).length > 0, relayed: relayed !== null };
  };
  // HOLE (open, classification/recognizers-secrets.ts PRIVATE_KEY; decode-bytes.ts): a private key is found by its
  // `-----BEGIN … PRIVATE KEY-----` line, and its base64 body decodes to DER (binary, never UTF-8, so never classified).
  // The body alone, the armor lines dropped (a reader adds them back: they are the same for every key), is forwarded
  // and relayed: an RSA PKCS#8 key's 1,600 characters, or an Ed25519 key's 64 (`MC4CAQAwBQYDK2VwBCIEI…`). Fix: find
  // base64 DER private keys by their fixed openings (PKCS#8 `MII…ADANBgkqhkiG9w0BAQEFAASC`, `MC4CAQAwBQYDK2Vw`;
  // PKCS#1 `MIIE…AgEAAoIBAQ`; SEC1 `MHcCAQEEI`), or decode a base64 run's bytes and read a DER private-key header.
  it.fails.each([
    ['an RSA PKCS#8 key', 'rsa'],
    ['an Ed25519 PKCS#8 key', 'ed25519'],
  ] as const)('%s’s base64 body alone is neither forwarded nor relayed', async (_name, type) => {
    expect(await outcome(bodyOf(pkcs8(type)))).toEqual({ forwarded: false, relayed: false });
  });
  it('control: the same keys with their armor (one with CRLF line ends) are refused and withheld', async () => {
    for (const pem of [pkcs8('rsa'), pkcs8('ed25519').replace(/\n/g, '\r\n')]) {
      expect(await outcome(pem)).toEqual({ forwarded: false, relayed: false });
    }
  });
});
