// Round 9 of the attacker's review (session 11), streamed answers: a value that needs a context word (an SSN written
// without separators, US_SSN's unformatted form) is redacted in a plain answer that starts with the word (`ssn
// 219099999`), and in a stream whose text holds anything before the word (`x ssn 219099999`), but a stream whose text
// block STARTS with its context word relays it whole, in every API's stream shape (chat, legacy completions,
// Responses, Anthropic; a second Anthropic text block too), in one delta or many. An answer starting "SSN 219099999"
// is what a model writes when asked for the number alone. Controls: one character before the word, and the dashed
// form (no context needed), are redacted in the same streams.
// Second family: a DER private key as dump rows with offsets (`od -A x -t x1`, `hexdump -C` without its text column)
// is withheld from a plain answer and refused in a request, but relayed whole by every stream shape, in one delta
// or many (widths 1 to the whole text; an RSA key's rows leak from some stream shapes for some keys, not tested).
// Control: the same bytes as `xxd -p` lines are withheld from the streams.
import { describe, expect, it } from 'vitest';
import {
  ANTHROPIC_STREAM,
  anthropicAnswer,
  CHAT_STREAM,
  chatChunk,
  messageEnd,
  messageStart,
  responsesEvents,
  streamedBlock,
} from './fixtures.ts';
import { relayScripted } from './relay-harness.ts';
import { screened } from './round7-helpers.ts';
import { CLOSED, ED25519, fates, pieces, RULES } from './round9-helpers.ts';

const completionChunk = (text: string, finish: string | null = null) => ({
  data: {
    id: 'c',
    object: 'text_completion',
    created: 0,
    model: 'm',
    choices: [{ index: 0, text, finish_reason: finish }],
  },
});

/** What the client received of a stream carrying `text`, for each API's stream shape (chat: in two deltas). */
async function received(text: string): Promise<Record<string, string>> {
  const chat = [
    chatChunk({ role: 'assistant', content: '' }),
    ...[text.slice(0, 7), text.slice(7)].map((content) => chatChunk({ content })),
    chatChunk({}, 'stop'),
    { data: '[DONE]' },
  ];
  const completions = [completionChunk(text), completionChunk('', 'stop'), { data: '[DONE]' }];
  const anthropic = [messageStart(), ...streamedBlock(0, { text }), ...messageEnd()];
  const second = [
    messageStart(),
    ...streamedBlock(0, { text: 'Here:' }),
    ...streamedBlock(1, { text }),
    ...messageEnd(),
  ];
  const run = async (api: Parameters<typeof relayScripted>[0], request: Record<string, unknown>, events: unknown[]) =>
    (await relayScripted(api, request, events as Parameters<typeof relayScripted>[2], RULES)).out;
  return {
    chat: await run('openai.chat_completions', CHAT_STREAM, chat),
    completions: await run('openai.completions', { model: 'm', prompt: 'hi', stream: true }, completions),
    responses: await run('openai.responses', { model: 'm', input: 'hi', stream: true }, responsesEvents(text)),
    anthropic: await run('anthropic.messages', ANTHROPIC_STREAM, anthropic),
    'anthropic second block': await run('anthropic.messages', ANTHROPIC_STREAM, second),
  };
}
/** Which stream shapes let the value's last digits through. */
const leaking = async (text: string, probe: string) =>
  Object.entries(await received(text))
    .filter(([, out]) => out.includes(probe))
    .map(([api]) => api);

describe('a streamed answer that starts with a context word', () => {
  // Closed (stream-context.ts): the scanner's kept context keeps the runs it came in (the answer's id and model, a
  // block before), so a context word that starts the text is read as a word, as in the plain answer.
  it.each([
    ['ssn 219099999', '099999'],
    ['SSN 219099999 is on file', '099999'],
    ['social security number 219099999', '099999'],
  ])('"%s" is redacted in every stream shape', async (text, probe) => {
    expect(await leaking(text, probe)).toEqual([]);
  });
  it('closed: no stream shape relays it, and the plain answer redacts it', async () => {
    expect(await leaking('ssn 219099999', '099999')).toEqual([]);
    const plain = await screened(
      'anthropic.messages',
      anthropicAnswer([{ type: 'text', text: 'ssn 219099999' }]),
      RULES,
    );
    expect(plain).not.toContain('099999');
  });
  it('control: one character before the word, or the dashed form, is redacted in every stream shape', async () => {
    expect(await leaking('x ssn 219099999', '099999')).toEqual([]);
    expect(await leaking('SSN 219-09-9999', '9999')).toEqual([]);
  });
});

/** `der` as `od -A x -t x1` writes it: a hex offset, then 16 bytes a row. */
const dumpRows = (der: Buffer) =>
  pieces(der.toString('hex'), 32)
    .map((row, i) => `${(i * 16).toString(16).padStart(6, '0')} ${pieces(row, 2).join(' ')}`)
    .join('\n');

describe('a DER private key as dump rows with offsets in a streamed answer', () => {
  // Closed (stream-context.ts): the first row's offset was read glued to the answer's id and model (`…gpt-4o000000`),
  // so the rows were no dump; the kept context keeps each run apart, as the plain answer's screen reads them.
  it('an Ed25519 key is relayed by no stream shape', async () => {
    const text = dumpRows(ED25519);
    expect(await leaking(text, text.slice(-30))).toEqual([]);
  });
  it('closed: refused in a request, withheld from a plain answer and from a stream', async () => {
    const text = dumpRows(ED25519);
    expect(await fates(text, text.slice(-30))).toEqual(CLOSED);
  });
  it('control: the same key as xxd -p lines is relayed by no stream shape', async () => {
    const text = pieces(ED25519.toString('hex'), 60).join('\n');
    expect(await leaking(text, text.slice(-30))).toEqual([]);
  });
});
