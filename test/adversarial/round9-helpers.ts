// Shared by the round 9 attack files (round9-*.test.ts, session 11): one text's three fates through the real
// pipeline, classifier and relay: whether a chat message holding it is forwarded, whether an Anthropic answer holding
// it reaches the client, and whether a chat stream carrying it in small deltas does.
import { generateKeyPairSync } from 'node:crypto';
import { anthropicAnswer, CHAT_STREAM, chatChunk, chatToolRequest, prompt } from './fixtures.ts';
import { receivedPayloads, relayScripted } from './relay-harness.ts';
import { CHAT, forwarded, screened } from './round7-helpers.ts';

/** The answer rules here: keys are withheld, cards and SSNs redacted. */
export const RULES = { redact: ['CREDIT_CARD', 'US_SSN'], block: ['AWS_ACCESS_KEY', 'PRIVATE_KEY'] };
/** An Ed25519 and an RSA private key's PKCS#8 DER. */
export const ED25519 = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer;
export const RSA = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
  type: 'pkcs8',
  format: 'der',
}) as Buffer;

/** `text` cut into pieces of `width` characters. */
export const pieces = (text: string, width: number) => text.match(new RegExp(`.{1,${width}}`, 'gs')) as string[];

/** Whether `text` is forwarded in a chat message (or, with `args`, as a chat tool call's arguments). */
export async function isForwarded(text: string, args = false): Promise<boolean> {
  return (await forwarded(CHAT, args ? chatToolRequest(text) : prompt(text))) !== '';
}

/** Whether `probe` (a piece of the value) reaches the client of an Anthropic answer whose text is `text`. */
export async function isRelayed(text: string, probe: string): Promise<boolean> {
  const out = await screened('anthropic.messages', anthropicAnswer([{ type: 'text', text }]), RULES);
  return out.includes(JSON.stringify(probe).slice(1, -1));
}

/** Whether `probe` reaches the client of a chat stream whose content is `text` in deltas of `width` characters. */
export async function isStreamed(text: string, probe: string, width = 7): Promise<boolean> {
  const events = [
    chatChunk({ role: 'assistant', content: '' }),
    ...pieces(text, width).map((content) => chatChunk({ content })),
    chatChunk({}, 'stop'),
    { data: '[DONE]' },
  ];
  const { out } = await relayScripted(CHAT, CHAT_STREAM, events, RULES);
  const received = receivedPayloads(out)
    .map((p) => (p.choices as { delta?: { content?: string } }[] | undefined)?.[0]?.delta?.content ?? '')
    .join('');
  return received.includes(probe);
}

/** The three fates of `text`; `probe` is a piece of the value only it holds. */
export async function fates(text: string, probe: string) {
  return {
    forwarded: await isForwarded(text),
    relayed: await isRelayed(text, probe),
    streamed: await isStreamed(text, probe),
  };
}
export const CLOSED = { forwarded: false, relayed: false, streamed: false };
export const OPEN = { forwarded: true, relayed: true, streamed: true };
