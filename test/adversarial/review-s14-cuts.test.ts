// Review s14 (R2, attacker's review of session 14's changes), a value cut between messages (ded51e7, join-window.ts
// closingReadings: a merged window whose first text left out a closing tail such as `"d":"` is read once more with it
// put back). A P-256 JWK's private "d" cut after its name, in the compact and the pretty JSON, at each place around
// `"d": "`, is refused (controls); a short message between the two halves is not read across.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { prompt } from './fixtures.ts';
import { CHAT, forwarded } from './round7-helpers.ts';

const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as Record<
  string,
  string
>;
const KEY = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, d: jwk.d };
const COMPACT = JSON.stringify(KEY);
const PRETTY = JSON.stringify(KEY, null, 2);
/** A piece only d holds. */
const PROBE = (jwk.d as string).slice(20, 40);
/** `text` cut `offset` characters after the start of its `"d":` member. */
const cut = (text: string, offset: number) => {
  const at = text.indexOf('"d":') + offset;
  return [text.slice(0, at), text.slice(at)];
};
/** What the upstream receives for one user message a text. */
const sent = (...texts: string[]) => forwarded(CHAT, prompt(...texts));

describe("a JWK's d cut between messages around its name", () => {
  it.each([
    ['compact, before "d"', cut(COMPACT, 0)],
    ['compact, after "d', cut(COMPACT, 2)],
    ['compact, after "d"', cut(COMPACT, 3)],
    ['compact, after "d":"', cut(COMPACT, 5)],
    ['pretty, after "d": "', cut(PRETTY, 6)],
    ['pretty, after "d": (a space left)', cut(PRETTY, 5)],
    ['compact, after "d":" with an empty message between', [...cut(COMPACT, 5)].flatMap((t, i) => (i ? ['', t] : [t]))],
  ])('control: %s is refused', async (_name, texts) => {
    expect(await sent(...texts)).toBe('');
  });

  // Closed (join-bridges.ts bridgePairs): the halves were joined only when adjacent (an empty message aside); a short
  // message between them ("continued:") left d's 43 characters alone in the last message. A JSON text cut open, a note
  // of up to 24 characters with no digit, then a text that closes it, are now read as the two halves glued.
  it('compact, after "d":" with "continued:" as a message between, is refused', async () => {
    const [head, tail] = cut(COMPACT, 5) as [string, string];
    expect(await sent(head, 'continued:', tail)).not.toContain(PROBE);
  });
});
