// Round 8 of the attacker's review (session 10), streamed answers: the four request and answer families of round 8
// (round8-der, round8-json-escapes, round8-digit-lists, round8-parsed-lists) read through the real relay and stream
// scanner, the value spread over deltas as an upstream streams it. Each is relayed whole to the client; the control,
// an SSN over the same deltas, is redacted.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ANTHROPIC_STREAM, CHAT_STREAM, chatChunk, messageEnd, messageStart, streamedBlock } from './fixtures.ts';
import { relayScripted } from './relay-harness.ts';
import { AWS, CHAT, RULES } from './round7-helpers.ts';

const STREAM_RULES = { redact: ['US_SSN', 'CREDIT_CARD'], block: [...RULES.block, 'PRIVATE_KEY'] };
const HEX = (
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer
).toString('hex');

/** What the client received of a chat stream whose content comes in `pieces`. */
async function chatText(pieces: readonly string[]): Promise<string> {
  const events = [
    chatChunk({ role: 'assistant', content: '' }),
    ...pieces.map((content) => chatChunk({ content })),
    chatChunk({}, 'stop'),
    { data: '[DONE]' },
  ];
  return (await relayScripted(CHAT, CHAT_STREAM, events, STREAM_RULES)).out;
}

/** What the client received of a chat stream whose one tool call's arguments come in `pieces`. */
async function chatArguments(pieces: readonly string[]): Promise<string> {
  const call = (fn: Record<string, string>, extra: Record<string, string> = {}) =>
    chatChunk({ tool_calls: [{ index: 0, ...extra, function: fn }] });
  const events = [
    chatChunk({ role: 'assistant', content: null }),
    call({ name: 'f', arguments: '' }, { id: 'call_1', type: 'function' }),
    ...pieces.map((p) => call({ arguments: p })),
    chatChunk({}, 'tool_calls'),
    { data: '[DONE]' },
  ];
  return (await relayScripted(CHAT, CHAT_STREAM, events, STREAM_RULES)).out;
}

describe('round 8 families in streamed answers', () => {
  // Closed (session 10, as round8-json-escapes): `\n` between an SSN's groups is read as a line break.
  it('an SSN split by \\n escapes in streamed tool-call arguments is not relayed', async () => {
    expect(await chatArguments(['{"a":"ssn 219', String.raw`\n09\n`, '9999"}'])).not.toContain('9999');
  });
  // Closed (session 10, as round8-digit-lists): comma-split single digits of a whole list are one number.
  it('a card as comma-split digits over two deltas is not relayed', async () => {
    expect(await chatText(['card 4,1,1,1,1,1,1,1,', '1,1,1,1,1,1,1,1 ok'])).not.toContain('1,1,1,1 ok');
  });
  // Closed (session 10, as round8-der): hex is read across its line breaks (decode-der-notations.ts).
  it('a DER private key as xxd -p output is not relayed', async () => {
    const xxd = (HEX.match(/.{1,60}/g) as string[]).join('\n');
    expect(await chatText([xxd])).not.toContain(HEX.slice(300, 340));
  });
  // Closed (session 10, as round8-parsed-lists): a JSON text's list of short strings is read whole (item-lists.ts).
  it('a key as a list of hex byte strings in a streamed tool_use input is not relayed', async () => {
    const json = JSON.stringify({ data: [...Buffer.from(`aws ${AWS.value}`)].map((b) => b.toString(16)) });
    const events = [messageStart(), ...streamedBlock(0, { id: 'toolu_1', name: 'f', json }), ...messageEnd()];
    const { out } = await relayScripted('anthropic.messages', ANTHROPIC_STREAM, events, STREAM_RULES);
    expect(out).not.toContain('\\"4b\\"');
  });
  it('control: an SSN over the same deltas, dashed, is redacted in content and arguments', async () => {
    expect(await chatText(['ssn 219-0', '9-9999 ok'])).not.toContain('9999');
    expect(await chatArguments(['{"a":"ssn 219-0', '9-9999"}'])).not.toContain('9999');
  });
});
