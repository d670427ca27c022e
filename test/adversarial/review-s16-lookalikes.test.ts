// Review s16 (R4, attacker's review of session 16's changes), look-alikes past the BMP and enclosed letters
// (a2d8109, look-alikes.ts: confusables.txt's astral entries, Old Italic and Lycian A, negative squared and circled
// letters, regional indicators in a word with a Latin letter or digit). Each text is the AWS key id written as emoji
// keyboards and chat apps write enclosed letters: a variation selector after each (`🅰️`), a zero-width space or
// joiner between regional indicators (so no pair renders as a flag), keycap digits (`3️⃣`). All held: controls only.
import { describe, expect, it } from 'vitest';
import { AWS } from './round7-helpers.ts';
import { isForwarded, isRelayed, isStreamed } from './round9-helpers.ts';

const KEY = AWS.value;
/** The key id with each capital drawn from the 26 code points at `first` and `after` behind it (digits kept). */
const enclosed = (first: number, after = '') =>
  [...KEY].map((c) => (/[A-Z]/.test(c) ? String.fromCodePoint(first + c.charCodeAt(0) - 65) + after : c)).join('');
/** Each digit as a keycap (`3` U+FE0F U+20E3). */
const keycaps = (text: string) => text.replace(/[0-9]/g, (d) => `${d}\uFE0F\u20E3`);

describe('an AWS key id in enclosed letters as emoji keyboards write them', () => {
  it.each([
    ['negative squared letters, each with a variation selector', enclosed(0x1f170, '\uFE0F')],
    ['negative circled letters, each with a variation selector', enclosed(0x1f150, '\uFE0F')],
    ['regional indicators apart by zero-width spaces', enclosed(0x1f1e6, '\u200B')],
    ['regional indicators apart by zero-width joiners', enclosed(0x1f1e6, '\u200D')],
    ['regional indicators and keycap digits', keycaps(enclosed(0x1f1e6))],
    ['negative squared letters with selectors and keycap digits', keycaps(enclosed(0x1f170, '\uFE0F'))],
  ])('control: the key id as %s is refused, withheld from an answer and a stream', async (_name, text) => {
    expect(await isForwarded(`aws_access_key_id = ${text}`)).toBe(false);
    const tail = [...text].slice(-6).join(''); // whole code points: a lone surrogate would match nothing
    expect(await isRelayed(`id: ${text}`, tail)).toBe(false);
    expect(await isStreamed(`id: ${text}`, tail)).toBe(false);
  });

  it.each([
    ['flags glued to country codes and years', 'Team 🇺🇸USA vs 🇬🇧GBR, 🇩🇪3 🇫🇷2, ids 🇯🇵JP2024 🇰🇷KR2023'],
    ['emoji letter grades', '🅰🅱🅲🅳 grades: 🅰️ top, 🅱️ next; 🅲🅳🅴 ok'],
    ['flags in a table of codes', '| 🇺🇸 | US | 12345 |\n| 🇬🇧 | GB | 67890 |\n| 🇩🇪 | DE | 11111 |'],
  ])('control: %s is forwarded', async (_name, text) => {
    expect(await isForwarded(text)).toBe(true);
  });
});
