// Round 8 of the attacker's review (session 10), Unicode between a value's characters: the main view drops invisible,
// format and tag characters and reads combining marks past letters (a key with U+0332 under each letter is found),
// and the digits view reads any script's digits. Two gaps: a combining mark on each digit (underlined or overlined
// text, as Unicode "text underliners" write it) hides an SSN or a card from the digits view, and three characters that
// render as nothing or as a blank box are not among the invisible ones dropped: U+2800 (BRAILLE PATTERN BLANK, the
// usual "invisible character" of chat apps), U+FFF9 (INTERLINEAR ANNOTATION ANCHOR, a format character) and U+FFFC.
import { describe, expect, it } from 'vitest';
import { anthropicAnswer, prompt } from './fixtures.ts';
import { AWS, CHAT, forwarded, screened } from './round7-helpers.ts';

const RULES = { redact: ['CREDIT_CARD', 'US_SSN'], block: ['AWS_ACCESS_KEY'] };
/** `value` with `mark` after each of its characters. */
const marked = (value: string, mark: string) => [...value].map((c) => c + mark).join('');

/** Whether a chat message `text` is forwarded, and an Anthropic answer of it relayed. */
async function outcome(text: string) {
  const sent = await forwarded(CHAT, prompt(text));
  const relayed = await screened('anthropic.messages', anthropicAnswer([{ type: 'text', text }]), RULES);
  return {
    forwarded: sent !== '',
    relayed: relayed !== 'null' && !relayed.includes(text.slice(-6)) ? 'redacted' : relayed !== 'null',
  };
}

describe('a value between Unicode characters the views do not read through', () => {
  // HOLE (open, classification/digit-view.ts (and normalize.ts)): the main view reads past combining marks, the digits
  // view does not: a digit followed by U+0332 or U+0305 is no digit run, so `2̲1̲9̲-̲0̲9̲-̲9̲9̲9̲9̲` is no SSN and a card so
  // underlined no card. Fix: drop combining marks (\p{M}) after a digit in the digits view as the main view does.
  it.fails.each([
    ['an SSN underlined (U+0332)', `ssn ${marked('219-09-9999', '\u0332')}`],
    ['an SSN overlined (U+0305)', `ssn ${marked('219-09-9999', '\u0305')}`],
    ['a card underlined (U+0332)', `card ${marked('4111 1111 1111 1111', '\u0332')}`],
  ])('%s is refused and not relayed', async (_name, text) => {
    expect(await outcome(text)).toEqual({ forwarded: false, relayed: 'redacted' });
  });
  // HOLE (open, classification/normalize.ts): U+2800, U+FFF9 and U+FFFC are not in the set of invisible characters
  // dropped (U+FFF9-FFFB are Cf, format characters; U+2800 renders blank and is the common "invisible character"), so
  // one between each pair of a key's characters hides it. Fix: drop U+2800, U+FFF9-FFFB and U+FFFC like the other
  // invisible characters (U+3164, U+115F, U+FFA0 are dropped already: control).
  it.fails.each([
    ['U+2800 BRAILLE PATTERN BLANK', '\u2800'],
    ['U+FFF9 INTERLINEAR ANNOTATION ANCHOR', '\ufff9'],
    ['U+FFFC OBJECT REPLACEMENT CHARACTER', '\ufffc'],
  ])('a key with %s between its characters is refused and withheld', async (_name, filler) => {
    expect(await outcome(`aws ${[...AWS.value].join(filler)}`)).toEqual({ forwarded: false, relayed: false });
  });
  it('control: a key underlined, and a key or SSN between fillers the views drop, are refused and withheld', async () => {
    expect(await outcome(`aws ${marked(AWS.value, '\u0332')}`)).toEqual({ forwarded: false, relayed: false });
    for (const filler of ['\u3164', '\u115f', '\uffa0', '\u2060', '\u034f', '\ufe0f', '\u{e0100}', '\u{1d173}']) {
      expect(await outcome(`aws ${[...AWS.value].join(filler)}`)).toEqual({ forwarded: false, relayed: false });
      expect(await outcome(`ssn ${[...'219-09-9999'].join(filler)}`)).toEqual({
        forwarded: false,
        relayed: 'redacted',
      });
    }
  });
});
