// Round 8 of the attacker's review (session 10), Unicode between a value's characters: the main view drops invisible,
// format and tag characters and reads combining marks past letters (a key with U+0332 under each letter is found),
// and the digits view reads any script's digits. Two gaps: a combining mark on each digit (underlined or overlined
// text, as Unicode "text underliners" write it) hides an SSN or a card from the digits view, and three characters that
// render as nothing or as a blank box are not among the invisible ones dropped: U+2800 (BRAILLE PATTERN BLANK, the
// usual "invisible character" of chat apps), U+FFF9 (INTERLINEAR ANNOTATION ANCHOR, a format character) and U+FFFC.
// Both closed; controls: the characters that must stay visible (private use, Arabic number sign) and words around a
// Braille blank.
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
  // Closed (classification/digit-view.ts isSeparatorOrMark): the main view drops the marks on the digits, and the
  // digits view reads a mark left on a separator (`-̲`, ` ̲`) as part of the separator run.
  it.each([
    ['an SSN underlined (U+0332)', `ssn ${marked('219-09-9999', '\u0332')}`],
    ['an SSN overlined (U+0305)', `ssn ${marked('219-09-9999', '\u0305')}`],
    ['a card underlined (U+0332)', `card ${marked('4111 1111 1111 1111', '\u0332')}`],
  ])('%s is refused and not relayed', async (_name, text) => {
    expect(await outcome(text)).toEqual({ forwarded: false, relayed: 'redacted' });
  });
  // Closed (classification/unicode-table.ts isInvisible, normalize.ts): U+2800, U+FFF9–U+FFFB, U+FFFC, the other
  // format characters shown as nothing and unassigned code points are dropped like the default-ignorable ones.
  it.each([
    ['U+2800 BRAILLE PATTERN BLANK', '\u2800'],
    ['U+FFF9 INTERLINEAR ANNOTATION ANCHOR', '\ufff9'],
    ['U+FFFC OBJECT REPLACEMENT CHARACTER', '\ufffc'],
  ])('a key with %s between its characters is refused and withheld', async (_name, filler) => {
    expect(await outcome(`aws ${[...AWS.value].join(filler)}`)).toEqual({ forwarded: false, relayed: false });
  });
  it.each([
    ['U+FFFA INTERLINEAR ANNOTATION SEPARATOR', '\ufffa'],
    ['U+FFFB INTERLINEAR ANNOTATION TERMINATOR', '\ufffb'],
    ['U+13430 EGYPTIAN HIEROGLYPH VERTICAL JOINER', '\u{13430}'],
    ['U+0378 (unassigned)', '\u0378'],
    ['U+FDD0 (a noncharacter)', '\ufdd0'],
  ])('a key or SSN with %s between its characters is refused and withheld', async (_name, filler) => {
    expect(await outcome(`aws ${[...AWS.value].join(filler)}`)).toEqual({ forwarded: false, relayed: false });
    expect(await outcome(`ssn ${[...'219-09-9999'].join(filler)}`)).toEqual({ forwarded: false, relayed: 'redacted' });
  });
  it('an SSN with a Braille blank between its groups is still read with the blanks as separators', async () => {
    expect(await outcome('ref 219\u280009\u28009999 end')).toEqual({ forwarded: false, relayed: 'redacted' });
  });
  it('control: prose between these characters, private-use icons and Arabic number signs stay forwarded', async () => {
    for (const text of [
      'see\u2800you\u2800at\u2800noon, build 2024\u2800\u2800ok',
      'icons \ue000 \uf8ff in 2019 and 2020',
      'total \u0600123 and \u06dd45',
    ]) {
      expect(await outcome(text)).toEqual({ forwarded: true, relayed: true });
    }
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
