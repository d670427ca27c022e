// More evasions, as an attacker writes them to get a value past the classifier: in the text a model reads (escapes it
// decodes, letters it normalises, characters it does not show) and in answer fields a client decodes (logprob bytes,
// integer arrays). Holes found and not closed are `it.fails` with a comment, so CI stays green until they are.
import { describe, expect, it } from 'vitest';
import { classifier, recordingPipeline } from './recording-pipeline.ts';
import { receivedPayloads, relayScripted } from './relay-harness.ts';
import { screenResponse } from '../../src/pipeline/response-screen.ts';
import { adapterFor } from '../../src/providers/index.ts';
import { anthropicAnswer, chatChunk, chatToolRequest, toolUse } from './fixtures.ts';

const KEY = 'AKIAQ3EGTHV5RJ7YWU2P';
const found = (text: string) => classifier.classify([{ path: 'p', text }]).findings.map((f) => f.type);
const shifted = (base: number, digitBase: number) =>
  [...KEY]
    .map((c) => String.fromCodePoint(/[A-Z]/.test(c) ? base + c.charCodeAt(0) - 65 : digitBase + c.charCodeAt(0) - 48))
    .join('');

describe('a key the model reads through normalisation or escapes', () => {
  it.each([
    ['JSON \\u escapes for every character', [...KEY].map((c) => `\\u00${c.charCodeAt(0).toString(16)}`).join('')],
    ['two \\u escapes inside', 'AKIA\\u0051\\u0033EGTHV5RJ7YWU2P'],
    ['one HTML reference inside', 'AKIAQ3EG&#84;HV5RJ7YWU2P'],
    ['one percent escape inside', 'AKIAQ3EG%54HV5RJ7YWU2P'],
    ['full-width letters and digits', shifted(0xff21, 0xff10)],
    ['mathematical bold', shifted(0x1d400, 0x1d7ce)],
    ['mathematical double-struck digits, sans-serif letters', shifted(0x1d5a0, 0x1d7d8)],
    ['a zero-width joiner inside', 'AKIAQ3EG\u200dTHV5RJ7YWU2P'],
    ['a zero-width space after every character', [...KEY].join('\u200b')],
    ['a right-to-left override inside', 'AKIAQ3EG\u202eTHV5RJ7YWU2P'],
    ['a soft hyphen inside', 'AKIAQ3EG\u00adTHV5RJ7YWU2P'],
    ['a variation selector inside', 'AKIAQ3EG\ufe0fTHV5RJ7YWU2P'],
    ['tag characters', [...KEY].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('')],
  ])('%s', (_how, text) => {
    expect(found(text)).toContain('AWS_ACCESS_KEY');
  });
  it.each([
    ['JSON \\u escapes', 'ssn \\u0032\\u0031\\u0039-09-9999'],
    ['HTML references', 'ssn &#50;&#49;&#57;-09-9999'],
    ['\\x escapes', 'ssn \\x32\\x31\\x39-09-9999'],
    ['circled digits', '②①⑨-⓪⑨-⑨⑨⑨⑨'],
    ['superscript digits', '²¹⁹-⁰⁹-⁹⁹⁹⁹'],
  ])('an SSN in %s', (_how, text) => {
    expect(found(text)).toContain('US_SSN');
  });
  it('a request: a key in JSON \\u escapes inside tool-call arguments (chat)', async () => {
    const { handler, sent } = await recordingPipeline();
    // The arguments are JSON text the tool decodes: `\u0051` in it is a `Q` to the tool and, read whole, to the model.
    const args = '{"k":"AKIA\\u0051\\u0033EGTHV5RJ7YWU2P"}';
    const body = chatToolRequest(args);
    const reply = await handler.handle({
      requestId: 'r',
      api: 'openai.chat_completions',
      headers: {},
      body: new TextEncoder().encode(JSON.stringify(body)),
    });
    expect(sent).toEqual([]);
    expect(reply.status).toBe(403);
  });

  // Closed: text stored reversed behind a right-to-left override (U+202E) displays as the key; the decoded runs
  // read each override's text in display order (up to its U+202C or a line break).
  it.each([
    ['closed by U+202C', `see \u202e${[...KEY].reverse().join('')}\u202c here`],
    ['open to the end', `see \u202e${[...KEY].reverse().join('')}`],
    ['to a line break', `\u202e${[...KEY].reverse().join('')}\nmore`],
  ])('a key stored reversed behind a right-to-left override, %s', (_how, text) => {
    const findings = classifier.classify([{ path: 'p', text }]).findings;
    const key = findings.find((f) => f.type === 'AWS_ACCESS_KEY');
    expect(key).toBeDefined();
    // The finding covers the reversed characters (redaction removes exactly them).
    expect([...text.slice(key?.start, key?.end)].reverse().join('').replace('\u202e', '')).toContain(KEY);
  });
  it('a streamed key behind an override, cut anywhere, is held until it can be read', async () => {
    const text = `ok \u202e${[...KEY].reverse().join('')}\u202c done`;
    for (let cut = 4; cut < text.length - 5; cut += 3) {
      const { result, out } = await relayScripted(
        'openai.chat_completions',
        { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] },
        [
          chatChunk({ role: 'assistant', content: text.slice(0, cut) }),
          chatChunk({ content: text.slice(cut) }),
          chatChunk({}, 'stop'),
          { data: '[DONE]' },
        ],
        { redact: [], block: ['AWS_ACCESS_KEY'] },
      );
      expect(result.error).toBe('ERR_RESPONSE_BLOCKED');
      expect(out).not.toContain('WU2P'.split('').reverse().join(''));
    }
  });
  // HOLE (closed, recognizers-secrets.ts awsKeyBody): only groups of four were joined for AWS keys; one space or dash
  // at any other place (`AKIAQ3EGTH V5RJ7YWU2P`) hid the key. A newline or dot there is still not read through.
  it('a key with one space at an arbitrary place', () => {
    expect(found('AKIAQ3EGTH V5RJ7YWU2P')).toContain('AWS_ACCESS_KEY');
  });
  // Look-alike letters of other scripts are read as Latin inside a word that mixes scripts (normalize.ts, UTS #39
  // confusables); a word of one script stays as written. Not read through, by design (docs/classification.md,
  // limits): letters spaced out, numbers as words, reversed text, base32.
  it('a Cyrillic look-alike inside a Latin key is read as Latin; a word all Cyrillic is not (asserted so a change is noticed)', () => {
    expect(found('АKIAQ3EGTHV5RJ7YWU2P')).toContain('AWS_ACCESS_KEY'); // Cyrillic А
    expect(found('АКІА')).not.toContain('AWS_ACCESS_KEY');
  });
});

describe('answers: integers a client decodes', () => {
  const RULES = { redact: [], block: ['AWS_ACCESS_KEY', 'CREDIT_CARD'] };
  const chat = (extra: Record<string, unknown>) => ({
    id: 'c',
    object: 'chat.completion',
    created: 1,
    model: 'g',
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop', ...extra }],
  });
  const tokens = (KEY.match(/../g) as string[]).map((t) => ({
    token: 'x',
    logprob: -0.1,
    bytes: [...Buffer.from(t)],
    top_logprobs: [],
  }));
  it('a key in chat logprobs bytes (the tokens say something else) is blocked', async () => {
    const screened = await screenResponse(
      adapterFor('openai.chat_completions'),
      classifier,
      chat({ logprobs: { content: tokens } }),
      RULES,
    );
    expect(screened.blocked?.error).toBe('ERR_RESPONSE_BLOCKED');
  });
  it('a key split over the tokens of a completions logprobs list is blocked', async () => {
    const tokens = KEY.match(/../g) as string[];
    const body = {
      id: 'cmpl',
      object: 'text_completion',
      created: 1,
      model: 'g',
      choices: [
        {
          index: 0,
          text: 'ok',
          finish_reason: 'stop',
          logprobs: {
            tokens,
            token_logprobs: tokens.map(() => -0.1),
            top_logprobs: tokens.map((t) => ({ [t]: -0.1 })),
            text_offset: tokens.map((_, i) => i * 2),
          },
        },
      ],
    };
    const screened = await screenResponse(adapterFor('openai.completions'), classifier, body, RULES);
    expect(screened.blocked?.error).toBe('ERR_RESPONSE_BLOCKED');
  });
  // Closed: a second reading order keeps names (`…AKIAQ3EGTH` | id | type | `V5RJ7YWU2P`).
  it("a key split between an answer's text and a tool call's name", async () => {
    const message = {
      role: 'assistant',
      content: 'AKIAQ3EGTH',
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'V5RJ7YWU2P', arguments: '{}' } }],
    };
    const body = { id: 'c', object: 'chat.completion', created: 1, model: 'g', choices: [{ index: 0, message }] };
    const screened = await screenResponse(adapterFor('openai.chat_completions'), classifier, body, RULES);
    expect(screened.blocked?.error).toBe('ERR_RESPONSE_BLOCKED');
  });
  it('a key in one array of bytes anywhere is blocked', async () => {
    const screened = await screenResponse(
      adapterFor('openai.chat_completions'),
      classifier,
      chat({ x_extra: [...Buffer.from(KEY)] }),
      RULES,
    );
    expect(screened.blocked?.error).toBe('ERR_RESPONSE_BLOCKED');
  });
  it('a card as four numbers of an array in a tool_use input is blocked', async () => {
    const body = anthropicAnswer([toolUse({ pan: [4111, 1111, 1111, 1111] }, 'toolu_1', 'charge')]);
    const screened = await screenResponse(adapterFor('anthropic.messages'), classifier, body, RULES);
    expect(screened.blocked?.error).toBe('ERR_RESPONSE_BLOCKED');
  });
  it('control: vectors of floats and small counts are not findings', async () => {
    const body = { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.41, 0.11, -0.2, 0.11] }] };
    const screened = await screenResponse(adapterFor('openai.embeddings'), classifier, body, RULES);
    expect(screened.blocked).toBeNull();
    const counts = await screenResponse(
      adapterFor('openai.chat_completions'),
      classifier,
      chat({ n: [1, 2, 3] }),
      RULES,
    );
    expect(counts.blocked).toBeNull();
  });
  // Closed: a JSON text's values are joined as readable spans (keys and syntax left out), and a joined finding that
  // only glues a neighbour onto a value found alone (`"alice@acme.io"` + `"bob"`) is dropped.
  it("a key split between two values of one tool call's JSON arguments", async () => {
    const message = {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":"AKIAQ3EGTH","b":"V5RJ7YWU2P"}' } },
      ],
    };
    const body = { id: 'c', object: 'chat.completion', created: 1, model: 'g', choices: [{ index: 0, message }] };
    const screened = await screenResponse(adapterFor('openai.chat_completions'), classifier, body, RULES);
    expect(screened.blocked?.error).toBe('ERR_RESPONSE_BLOCKED');
  });
  it('control: an address next to another value of one JSON text keeps its own span and fingerprint', () => {
    const text = '{"to":"alice@acme.io","cc":"bob","n":4}';
    const alone = classifier.classify([{ path: 'p', text: 'alice@acme.io' }]).findings;
    const inJson = classifier.classify([{ path: 'p', text }]).findings.filter((f) => f.type === 'EMAIL');
    expect(inJson.map((f) => text.slice(f.start, f.end))).toEqual(['alice@acme.io']);
    expect(inJson[0]?.fingerprint).toBe(alone[0]?.fingerprint);
  });
});

describe('streams: a key spread over chunks with fields the relay does not know', () => {
  it('two values of streamed tool-call arguments', async () => {
    const { result, out } = await relayScripted(
      'openai.chat_completions',
      { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] },
      [
        chatChunk({
          role: 'assistant',
          tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }],
        }),
        ...['{"a":"AKIA', 'Q3EGTH","b":', '"V5RJ7Y', 'WU2P"}'].map((a) =>
          chatChunk({ tool_calls: [{ index: 0, function: { arguments: a } }] }),
        ),
        chatChunk({}, 'tool_calls'),
        { data: '[DONE]' },
      ],
      { redact: [], block: ['AWS_ACCESS_KEY'] },
    );
    expect(result.error).toBe('ERR_RESPONSE_BLOCKED');
    expect(out.includes('Q3EGTH') && out.includes('WU2P')).toBe(false);
  });
  it('the tail in an unknown chunk field and an unknown choice field is dropped, never relayed', async () => {
    const [head, tail] = [KEY.slice(0, 10), KEY.slice(10)];
    const base = { id: 'c', object: 'chat.completion.chunk', created: 0, model: 'g' };
    const { out } = await relayScripted(
      'openai.chat_completions',
      { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] },
      [
        {
          data: { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: head }, finish_reason: null }] },
        },
        { data: { ...base, x_tail: tail, choices: [{ index: 0, delta: {}, x_more: tail, finish_reason: null }] } },
        { data: { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] } },
        { data: '[DONE]' },
      ],
      { redact: [], block: ['AWS_ACCESS_KEY'] },
    );
    expect(out).not.toContain(tail);
    expect(receivedPayloads(out).length).toBeGreaterThan(0);
  });
});
