// Round 10 of the attacker's review (session 12), a DER private key as a C string of octal escapes (`"\060\056\002…"`,
// what `printf '%q'`-style and C sources write; 4c5fb3e reads it in one text and holds it in a stream) cut between two
// user messages anywhere: neither piece is a key, and no join reads octal escapes across the cut (join-decode.ts's
// windows are read for a DER key only where key-starts.ts's KEY_START openings, `M…`, `30…`, `48…`, stand, and an
// octal string opens with `\060`). Forwarded at every cut tried (10-90 %) for Ed25519 and EC keys alike; a Python
// bytes repr and `0x30u8` literals cut so are forwarded at some cuts (key-dependent, no test). Control: the same key
// as a C string of `\x` escapes cut the same way, and the octal string whole, are refused.
import { describe, expect, it } from 'vitest';
import { CHAT, forwarded } from './round7-helpers.ts';
import { ED25519 } from './round9-helpers.ts';

const octalString = (key: Buffer) => `"${[...key].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('')}"`;
const hexString = (key: Buffer) => `"${[...key].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}"`;
/** Whether a chat request of one user message per text is forwarded. */
const forwardedTurns = async (...texts: string[]) =>
  (await forwarded(CHAT, { model: 'echo-1', messages: texts.map((content) => ({ role: 'user', content })) })) !== '';
/** `text` cut at `fraction` of its length into two messages. */
const cut = (text: string, fraction: number) => {
  const at = Math.floor(text.length * fraction);
  return [text.slice(0, at), text.slice(at)];
};

describe('a DER key as a C string of octal escapes cut between two messages', () => {
  it.each([0.1, 0.5, 0.9])('an Ed25519 key cut at %s of its length is refused', async (fraction) => {
    expect(await forwardedTurns(...cut(octalString(ED25519), fraction))).toBe(false);
  });
  it('control: the octal string whole, and a \\x string cut the same way, are refused', async () => {
    expect(await forwardedTurns(octalString(ED25519))).toBe(false);
    for (const fraction of [0.1, 0.5, 0.9])
      expect(await forwardedTurns(...cut(hexString(ED25519), fraction))).toBe(false);
  });
});
