// Security review of session 10's changes (R1): each suspected hole is an `it.fails` with a `HOLE (open, <file>)`
// comment naming what, why and the fix; controls that hold are plain `it`. Through the real classifier and the
// recording pipeline (what is forwarded upstream).
import { describe, expect, it } from 'vitest';
import { classifier } from './recording-pipeline.ts';
import { CHAT, forwarded } from './round7-helpers.ts';

const typesIn = async (text: string) =>
  (await classifier.classify([{ path: 'a', text }])).findings.map((f: { type: string }) => f.type);
/** Prose around a value: the text is past SMALL_VIEW_BYTES (2 KB), so the split (anchored) sets read it. */
const PAD = 'The deployment notes follow, with the staging checklist. '.repeat(40);
const chat = (content: string) => ({ model: 'echo-1', messages: [{ role: 'user', content }] });

describe("anchors.ts (0e16909): a URL's password is read only within 198 bytes after `://`", () => {
  // 64 CJK characters (3 bytes each) as the user: 192 bytes before the password's `:`.
  const dsn = `postgres://${'管'.repeat(64)}:Tr0ub4dor!Xq7#Lm2@db.internal.net:5432/app`;
  const cyrillic = `postgres://admin:${'пароль'.repeat(17)}@db.internal.net:5432/app`;

  // HOLE (open, classification/anchors.ts): URL_PASSWORD's `after` reach (3 + 64 + 1 + 128 + 1 + 1 = 198) counts the
  // user (`[^\s:/@"'<>]{0,64}`) and password (`{3,128}`) in bytes, but RE2 reads them in code points, up to 4 bytes
  // each: a match can end 3 + 256 + 1 + 512 + 2 = 774 bytes after `://`. matchSet's window stops at 198, the set
  // sees no `@`, the recognizer never runs, and in a text past 2 KB (the split sets) a connection string whose user
  // or password holds multi-byte characters is forwarded with its password. Fix: `after` at 4 bytes a character
  // (774), or count the reach in code points when cutting the window.
  it.fails('a DSN with a Cyrillic password of 102 letters, in a text past 2 KB, is refused', async () => {
    expect(await forwarded(CHAT, chat(`${PAD}\n${cyrillic}\n${PAD}`))).toBe('');
  });
  it.fails('a DSN with a 64-character CJK user, in a text past 2 KB, has its password found', async () => {
    expect(await typesIn(`${PAD}\n${dsn}\n${PAD}`)).toContain('PASSWORD');
  });
  it('control: the same DSNs alone (under 2 KB: the one small set, not anchored) are refused / found', async () => {
    expect(await forwarded(CHAT, chat(cyrillic))).toBe('');
    expect(await typesIn(dsn)).toContain('PASSWORD');
  });
  it('control: an ASCII DSN in the same padding is refused', async () => {
    expect(
      await forwarded(CHAT, chat(`${PAD}\npostgres://admin:Tr0ub4dorAndSomeMore3@db.internal.net/app\n${PAD}`)),
    ).toBe('');
  });
});
