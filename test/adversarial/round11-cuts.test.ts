// Round 11 of the attacker's review (session 13), session 12's readings cut between two user messages (a paste in
// two parts, "and the rest:"): a JWK's `"d": "…"` cut between its name and its value (recognizers-key-files.ts), an
// INI section's unquoted `d = …` line cut anywhere before its value, and an AWS key in the U+ notation
// (decode-escapes.ts wideEscapeRuns) cut between two code points. Texts of one role are joined in order (join
// windows), and a model reads the two messages as one. Controls: the same cut inside the value, \u escapes cut
// between two escapes, and each text whole, are refused.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { prompt } from './fixtures.ts';
import { AWS, CHAT, forwarded } from './round7-helpers.ts';
import { isForwarded } from './round9-helpers.ts';

/** For each cut in [from, to) of `text`, whether its two halves as two user messages are forwarded. */
async function cutsForwarded(text: string, from: number, to: number): Promise<boolean[]> {
  const out = [];
  for (let cut = from; cut < to; cut += 1)
    out.push((await forwarded(CHAT, prompt(text.slice(0, cut), text.slice(cut)))) !== '');
  return out;
}

const EC = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as Record<
  string,
  string
>;

describe("a JWK's d cut between its name and its value", () => {
  const jwk = JSON.stringify(EC, null, 2);
  const name = jwk.indexOf('"d"');
  const value = jwk.indexOf('"', name + 3) + 1;

  it('control: the JWK whole, and cut inside its value, is refused', async () => {
    expect(await isForwarded(jwk)).toBe(false);
    expect(await cutsForwarded(jwk, value + 1, value + 6)).toEqual([false, false, false, false, false]);
  });

  // Closed (join-window.ts closingReadings, join-readings.ts): a cut after the name's `"d` and before the value's first
  // character left `"d": "` in one text and the value in the next; the joined span dropped the first text's trailing
  // quote, and a finding inside the second text was kept only for recognizers that require context. A window is now
  // read again with such quotes put back, and a group's finding is kept beside the neighbour its match starts in.
  it('no cut between "d" and its value is forwarded', async () => {
    expect((await cutsForwarded(jwk, name + 2, value + 1)).filter(Boolean)).toEqual([]);
  });
});

describe("an INI section's d = <value> cut before its value", () => {
  const ini = `[jwk]\nkty = EC\ncrv = P-256\nd = ${EC.d}\n`;
  const line = ini.indexOf('\nd = ') + 1;

  it('control: the section whole is refused', async () => {
    expect(await isForwarded(ini)).toBe(false);
  });

  // Closed (readable-spans.ts isJsonText, join-readings.ts): cut anywhere from the section's crv line to the value's
  // first characters, neither text held a `d = <value>` line beside a JWK word, and the join window held no anchor:
  // `[jwk]` opened the first text as a JSON array (its joined span dropped the section). Now `[jwk]` is no array, and
  // the section's finding (its value, a group) is kept beside the neighbour its match starts in.
  it('no cut from the crv line to inside the value is forwarded', async () => {
    expect((await cutsForwarded(ini, line - 12, line + 8)).filter(Boolean)).toEqual([]);
  });
});

describe('an AWS key in the U+ notation cut between two code points', () => {
  const code = (c: string) => `${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
  const notation = (prefix: string, between: string) => [...AWS.value].map((c) => `${prefix}${code(c)}`).join(between);
  const cuts = (width: number) => Array.from({ length: AWS.value.length - 1 }, (_, i) => (i + 1) * width);

  it('control: \\u escapes cut between any two escapes are refused', async () => {
    const text = notation('\\u', '');
    const out = [];
    for (const cut of cuts(6)) out.push((await forwarded(CHAT, prompt(text.slice(0, cut), text.slice(cut)))) !== '');
    expect(out.filter(Boolean)).toEqual([]);
  });

  // Closed (join-decode.ts mayCross): a U+ run was read within one text; the join windows that rejoin \u, %u and hex
  // runs across a cut did not rejoin U+ runs, so every one of the 19 cuts was forwarded. A `U+` code point beside a
  // boundary now has the text around it decoded across it.
  it('no cut between two U+ code points is forwarded', async () => {
    const text = notation('U+', ' ');
    const out = [];
    for (const cut of cuts(7))
      out.push((await forwarded(CHAT, prompt(text.slice(0, cut - 1), text.slice(cut)))) !== '');
    expect(out.filter(Boolean)).toEqual([]);
  });
});
