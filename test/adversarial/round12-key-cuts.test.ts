// Round 12 of the attacker's review (session 14), recognizers-key-text.ts's forms (23a47a3) cut in two: an Ed25519
// key as `openssl pkey -text` cut right after its `priv:` label, and an OpenSSH key file's body (no armour lines) cut
// inside its first line, which holds the `openssh-key-v1` magic the body is recognised by. The two parts arrive as
// two user messages (a paste in two), two tool results (a file read in two calls) or an answer's two text blocks,
// whole or streamed; a model reads them as one. (Known open, not repeated here: cuts inside a JWK "d", an INI d =,
// a U+ run, a dump.) Controls: each text whole, and cut inside the key's rows, is refused or withheld.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ANTHROPIC_STREAM, anthropicAnswer, messageEnd, messageStart, prompt, streamedBlock } from './fixtures.ts';
import { relayScripted } from './relay-harness.ts';
import { opensshBody, opensslField } from './round11-helpers.ts';
import { CHAT, forwarded, screened } from './round7-helpers.ts';
import { isForwarded, RULES } from './round9-helpers.ts';

const ED = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as Record<string, string>;
const bytes = (member: string | undefined) => Buffer.from(member as string, 'base64url');
/** `openssl pkey -text -noout` of the key. */
const TEXT = ['ED25519 Private-Key:', opensslField('priv', bytes(ED.d)), opensslField('pub', bytes(ED.x))].join('\n');
/** Right after `priv:`, before the line break and the seed's rows. */
const LABEL_END = TEXT.indexOf('priv:') + 'priv:'.length;
/** Bytes 3-11 of the seed as the rows write them: only the seed's rows hold them. */
const PROBE = (bytes(ED.d).toString('hex').match(/../g) as string[]).slice(3, 12).join(':');
const SSH = opensshBody(bytes(ED.d), bytes(ED.x));

/** Whether a chat request whose two parts are two user messages is forwarded. */
const twoMessages = async (a: string, b: string) => (await forwarded(CHAT, prompt(a, b))) !== '';
/** Whether a chat request whose two parts are the results of two tool calls (`cat` of two files) is forwarded. */
const twoToolResults = async (a: string, b: string) => {
  const call = (id: string) => ({ id, type: 'function', function: { name: 'cat', arguments: `{"part":"${id}"}` } });
  const body = {
    model: 'echo-1',
    messages: [
      { role: 'user', content: 'read both parts' },
      { role: 'assistant', content: null, tool_calls: [call('c1'), call('c2')] },
      { role: 'tool', tool_call_id: 'c1', content: a },
      { role: 'tool', tool_call_id: 'c2', content: b },
    ],
  };
  return (await forwarded(CHAT, body)) !== '';
};
/** Whether the seed reaches the client of an Anthropic answer whose two text blocks are the two parts. */
const twoBlocks = async (a: string, b: string) =>
  (
    await screened(
      'anthropic.messages',
      anthropicAnswer([
        { type: 'text', text: a },
        { type: 'text', text: b },
      ]),
      RULES,
    )
  ).includes(PROBE);

/** Whether the seed reaches the client of an Anthropic stream whose two text blocks are the two parts. */
const twoStreamedBlocks = async (a: string, b: string) => {
  const blocks = [a, b].flatMap((text, index) => streamedBlock(index, { text }));
  const { out } = await relayScripted(
    'anthropic.messages',
    ANTHROPIC_STREAM,
    [messageStart(), ...blocks, ...messageEnd()],
    RULES,
  );
  return out.includes(PROBE);
};

describe('an Ed25519 key as openssl pkey -text, cut right after priv:', () => {
  const cut = (at: number) => [TEXT.slice(0, at), TEXT.slice(at)] as const;

  it('control: the text whole is refused, and cut 20 characters into its rows, in all four places', async () => {
    expect(await isForwarded(TEXT)).toBe(false);
    expect(await twoMessages(...cut(LABEL_END + 20))).toBe(false);
    expect(await twoToolResults(...cut(LABEL_END + 20))).toBe(false);
    expect(await twoBlocks(...cut(LABEL_END + 20))).toBe(false);
    expect(await twoStreamedBlocks(...cut(LABEL_END + 20))).toBe(false);
  });

  // Closed (join-readings.ts, C14): a part ending on `priv:` and the next part's rows of colon-separated hex (no
  // label) were neither a key; their join window matched, but its finding (the rows, the pattern's group) lay inside
  // the second part and was kept only for recognizers that require context. A group's finding is now kept beside the
  // neighbour its match starts in.
  it.each([
    ['two user messages', twoMessages],
    ['two tool results', twoToolResults],
    ["an answer's two text blocks", twoBlocks],
    ["an Anthropic stream's two text blocks", twoStreamedBlocks],
  ])('the two parts as %s are refused or withheld', async (_name, fate) => {
    expect(await fate(...cut(LABEL_END))).toBe(false);
  });
});

describe("an OpenSSH key file's body (no armour lines) cut inside its first line", () => {
  it('control: the body whole, and cut at its second line, is refused', async () => {
    expect(await isForwarded(SSH)).toBe(false);
    expect(await twoMessages(SSH.slice(0, 71), SSH.slice(71))).toBe(false);
  });

  // Closed (recognizers-key-text.ts holdsOpensshPrivateSection): cut inside its opening 'b3BlbnNzaC1rZXktdjEA', the
  // join window (256 characters past the cut) reads the body only as far as the seed, and a body was a key only with
  // its private section whole; an unencrypted section that holds its first private field's first 32 bytes now is.
  it.each([10, 20, 25])('the body cut %i characters in, as two user messages, is refused', async (at) => {
    expect(await twoMessages(SSH.slice(0, at), SSH.slice(at))).toBe(false);
  });
});
