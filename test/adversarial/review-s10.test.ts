// Security review of session 10's changes (R1): each suspected hole is an `it.fails` with a `HOLE (open, <file>)`
// comment naming what, why and the fix; controls that hold are plain `it`. Through the real classifier and the
// recording pipeline (what is forwarded upstream).
import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { anthropicToolRequest, chatToolRequest } from './fixtures.ts';
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

  // HOLE (closed, classification/anchors.ts): URL_PASSWORD's `after` reach (3 + 64 + 1 + 128 + 1 + 1 = 198) counts the
  // user (`[^\s:/@"'<>]{0,64}`) and password (`{3,128}`) in bytes, but RE2 reads them in code points, up to 4 bytes
  // each: a match can end 3 + 256 + 1 + 512 + 2 = 774 bytes after `://`. matchSet's window stops at 198, the set
  // sees no `@`, the recognizer never runs, and in a text past 2 KB (the split sets) a connection string whose user
  // or password holds multi-byte characters is forwarded with its password. Fix: `after` at 4 bytes a character
  // (774), or count the reach in code points when cutting the window.
  it('a DSN with a Cyrillic password of 102 letters, in a text past 2 KB, is refused', async () => {
    expect(await forwarded(CHAT, chat(`${PAD}\n${cyrillic}\n${PAD}`))).toBe('');
  });
  it('a DSN with a 64-character CJK user, in a text past 2 KB, has its password found', async () => {
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

describe('decode-stretches.ts (aae0e10): a base64 run not text whole is read in stretches of bytes that can be text', () => {
  const key = 'AKIAZ3MQWXR5TLPB6Y7N';
  /** `text`'s UTF-8 between bytes that are no UTF-8 (0xFF 0xFE before, 0xFF after), in base64. */
  const framed = (text: string) =>
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text), Buffer.from([0xff])]).toString('base64');
  const escaped = `${key.slice(0, 10)}\x1b${key.slice(10)}`;

  // HOLE (closed, classification/decode-stretches.ts BYTE_CLASS): a C0 control other than tab, line breaks and NUL (and
  // DEL, and a C1 control) now ends a stretch, but the main view drops those characters as ignorables: the same key
  // with an ESC (or \x01, \x7f, U+0085) between its halves is found in plain text and in a base64 run that is UTF-8
  // whole, yet framed by two bytes that are no UTF-8 it is two stretches, "AKIAZ3MQWX" (10 bytes, under
  // MIN_TEXT_BYTES: dropped) and the rest, and the request is forwarded with the key. Before aae0e10 a stretch was
  // any valid UTF-8 and the control was read with it. Fix: class C0/DEL/C1 controls as characters the main view drops
  // (skip them, neither TEXT nor BREAK: counted in no `visible`), or break only on bytes that are no UTF-8.
  it('a key with an ESC between its halves, in base64 framed by bytes that are no UTF-8, is refused', async () => {
    expect(await forwarded(CHAT, chat(`attached blob: ${framed(escaped)} thanks`))).toBe('');
  });
  it('control: the same key in plain text with the ESC, and in base64 whole with it, is refused', async () => {
    expect(await forwarded(CHAT, chat(`my key ${escaped} thanks`))).toBe('');
    expect(await forwarded(CHAT, chat(`attached blob: ${Buffer.from(escaped).toString('base64')} thanks`))).toBe('');
  });
  it('control: the key framed by bytes that are no UTF-8, with no control inside, is refused', async () => {
    expect(await forwarded(CHAT, chat(`attached blob: ${framed(key)} thanks`))).toBe('');
  });
});

describe('digit-separators.ts (e0b38c6): a JSON escape naming whitespace between digit groups is read as it', () => {
  const args = (value: string) => chatToolRequest(`{"note":"ssn ${value}"}`);
  const cardArgs = (value: string) => chatToolRequest(`{"note":"card ${value}"}`);

  // Closed (session 10): `\b` between digits is read as a separator (digit-separators.ts separatorWidth), as an
  // escape naming whitespace is: 219\b09\b9999 reads as 219-09-9999.
  it('an SSN split by \\b in chat tool-call arguments is refused', async () => {
    expect(await forwarded(CHAT, args(String.raw`219\b09\b9999`))).toBe('');
  });
  it('a card split by \\b in chat tool-call arguments is refused', async () => {
    expect(await forwarded(CHAT, cardArgs(String.raw`4111\b1111\b1111\b1111`))).toBe('');
  });
  it('control: the same SSN with real backspaces, and split by \\n, is refused', async () => {
    expect(await forwarded(CHAT, args('219\b09\b9999'))).toBe('');
    expect(await forwarded(CHAT, args(String.raw`219\n09\n9999`))).toBe('');
  });
});

describe('decode-der-notations.ts (ffd904a): a DER private key without its armor, read across gaps', () => {
  // RFC 8032's first test key as PKCS#8 (Ed25519): 48 bytes, 64 base64 characters, no `+` among them.
  const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const pieces = (der.toString('base64').match(/.{16}/g) as string[]).map((p) => `"${p}"`);
  const refused = async (text: string) => (await forwarded(CHAT, chat(text))) === '';

  // closed (95b6161): a `+`, `.` or `&` between gap characters is part of the gap (decode-der-notations.ts pastGap).
  it('an Ed25519 key as 16-character literals joined by `+` is refused', async () => {
    expect(await refused(`const key = ${pieces.join(' +\n  ')};`)).toBe(true);
  });
  // Closed (session 10, decode-der-notations.ts GAP_CHARS / pastGap): a backtick is a gap character, so the same
  // 16-character pieces as Markdown code spans (`` `MC4CAQAwBQYDK2Vw` `BCIEIJ1hsZ3v/Vpg` … ``) or template literals
  // joined by `+` are read; a run of one or two operators between gap characters is gap too (Lua `..`, C++ `<<`,
  // VB `& _`, a `\` line continuation), and a literal's prefix letter before its quote (Python `b"…"`, `f"…"`;
  // decode-der.test.ts). Still open: `k += "…"` lines, bullets, numbered lines.
  it('an Ed25519 key as 16-character Markdown code spans is refused', async () => {
    const spans = (der.toString('base64').match(/.{16}/g) as string[]).map((p) => `\`${p}\``);
    expect(await refused(`the key is ${spans.join(' ')}`)).toBe(true);
  });
  it('control: the same literals joined by line breaks only (implicit concatenation) are refused', async () => {
    expect(await refused(`key = (\n  ${pieces.join('\n  ')}\n)`)).toBe(true);
  });
  it('control: the same key whole, as one literal, is refused', async () => {
    expect(await refused(`const key = "${der.toString('base64')}";`)).toBe(true);
  });
});

describe('mixed-separators.ts (d836909): an SSN whose groups mix two kinds of separator', () => {
  const refused = async (text: string) => (await forwarded(CHAT, chat(text))) === '';

  // Closed (mixed-separators.ts ssnWindow): a 3-2-4 window with a single space or nothing on each outer side.
  it('an SSN written 219-09 9999 with a year after it is refused', async () => {
    expect(await refused('my ssn is 219-09 9999 2024 renewal')).toBe(true);
  });
  it('control: the same with one kind of separator, and the mixed SSN alone, are refused', async () => {
    expect(await refused('my ssn is 219-09-9999 2024 renewal')).toBe(true);
    expect(await refused('my ssn is 219 09 9999 2024 renewal')).toBe(true);
    expect(await refused('my ssn is 219-09 9999 renewal')).toBe(true);
  });
});

describe("digit-view.ts (73814f1): combining marks on a value's separators", () => {
  const refused = async (text: string) => (await forwarded(CHAT, chat(text))) === '';
  const zalgo = '\u0303'.repeat(8);
  const tremolo = '\u{1D167}'; // MUSICAL SYMBOL COMBINING TREMOLO-1: a combining mark (Mn) past the BMP

  // Closed (digit-view.ts separatorRunEnd): marks on a separator are skipped by code point, not counted.
  it('an SSN with eight combining tildes on each dash is refused', async () => {
    expect(await refused(`my ssn is 219-${zalgo}09-${zalgo}9999`)).toBe(true);
  });
  it('an SSN with one supplementary-plane combining mark on each dash is refused', async () => {
    expect(await refused(`my ssn is 219-${tremolo}09-${tremolo}9999`)).toBe(true);
  });
  it('control: one BMP mark on each dash, and eight on each digit, are refused', async () => {
    expect(await refused('my ssn is 219-\u030309-\u03039999')).toBe(true);
    expect(await refused(`my ssn is ${'219-09-9999'.replace(/\d/g, (d) => d + zalgo)}`)).toBe(true);
  });
});

describe('item-lists.ts (e0cb8ec): a key over the items of a list in tool-call arguments (a JSON text)', () => {
  const quads = 'AKIAZ3MQWXR5TLPB6Y7N'.match(/.{4}/g) as string[];
  const chatArgs = async (value: unknown) =>
    (await forwarded(CHAT, chatToolRequest(JSON.stringify({ aws: value })))) === '';
  const anthropic = async (value: unknown) =>
    (await forwarded('anthropic.messages', anthropicToolRequest({ aws: value }))) === '';

  // Closed (session 10): textLists (item-lists.ts) reads an empty string between items as no item and no break, and
  // a one-item array of a short string as its item, as a parsed input's lists are read.
  it('the key as quads each followed by an empty string, in chat arguments, is refused', async () => {
    expect(await chatArgs(quads.flatMap((q) => [q, '']))).toBe(true);
  });
  it('the key as quads each in a one-item array, in chat arguments, is refused', async () => {
    expect(await chatArgs(quads.map((q) => [q]))).toBe(true);
  });
  it('control: both as an Anthropic tool_use input, and the flat quads in chat arguments, are refused', async () => {
    expect(await anthropic(quads.flatMap((q) => [q, '']))).toBe(true);
    expect(await anthropic(quads.map((q) => [q]))).toBe(true);
    expect(await chatArgs(quads)).toBe(true);
  });
});

describe('decode.ts / decode-der.ts: a DER private key written as byte escapes', () => {
  const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const refused = async (text: string) => (await forwarded(CHAT, chat(text))) === '';
  /** Bytes as Python's repr prints them (`print(key.private_bytes(DER, PKCS8, NoEncryption()))`). */
  const pythonRepr = (bytes: Buffer) =>
    `b'${[...bytes]
      .map((b) =>
        b === 0x5c || b === 0x27
          ? `\\${String.fromCharCode(b)}`
          : b >= 0x20 && b < 0x7f
            ? String.fromCharCode(b)
            : `\\x${b.toString(16).padStart(2, '0')}`,
      )
      .join('')}'`;
  const percent = (bytes: Buffer) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

  // Closed (session 10): a DER key is binary, so its byte escapes never made valid UTF-8 for the escape runs; a
  // Python bytes literal opening with `0` (`b'0.\x02\x01\x000\x05…'`) is now read as its bytes, in hex, by the DER
  // reader (decode.ts pythonBytesAsHex), as a `%` run holding `%30` is (decode.ts percentBytesAsHex).
  it("an Ed25519 key's DER as Python's bytes repr is refused", async () => {
    expect(await refused(`>>> print(der)\n${pythonRepr(der)}`)).toBe(true);
  });
  it("an Ed25519 key's DER percent-encoded is refused", async () => {
    expect(await refused(`key=${percent(der)}`)).toBe(true);
  });
  it('control: the same DER in hex, and the same key as PEM text percent-encoded byte by byte, are refused', async () => {
    expect(await refused(`key=${der.toString('hex')}`)).toBe(true);
    const pem = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' });
    expect(await refused(`key=${percent(Buffer.from(pem as string))}`)).toBe(true);
  });
});

describe('decode-escapes.ts: an unformatted SSN split by \\u escapes of invisible characters in tool-call arguments', () => {
  const args = (note: string) => chatToolRequest(`{"note":"${note}"}`);
  const refused = async (note: string) => (await forwarded(CHAT, args(note))) === '';

  // Closed (session 10): the digits view reads a JSON escape `\uXXXX` of a character the main view drops (`\u200b`,
  // `\u00ad`, every default-ignorable or invisible one) as a separator, and of whitespace as it
  // (digit-separators.ts separatorWidth), so `ssn 219\u200b09\u200b9999` reads as 219-09-9999 beside its word.
  it('an SSN split by \\u200b escapes after "ssn" in chat arguments is refused', async () => {
    expect(await refused(String.raw`ssn 219\u200b09\u200b9999`)).toBe(true);
  });
  it('control: unescaped zero-width spaces, the word inside the escape run, and dashes kept, are refused', async () => {
    expect(await refused('ssn 219\u200b09\u200b9999')).toBe(true);
    expect(await refused(String.raw`\u0073\u0073\u006e\u0020219\u200b09\u200b9999`)).toBe(true);
    expect(await refused(String.raw`ssn 219-\u200b09-\u200b9999`)).toBe(true);
  });
});

describe('8918678: the JSON escape \\b between the halves of a key (not digits) in tool-call arguments', () => {
  const refused = async (note: string) => (await forwarded(CHAT, chatToolRequest(`{"note":"aws ${note}"}`))) === '';

  // Closed (session 10): decode-escapes.ts reads `\b` in an escape run as U+0008 (a backspace, which the main view
  // drops), wherever it stands, so the decoded run reads the key whole.
  it('an AWS key with \\b between its halves in chat arguments is refused', async () => {
    expect(await refused(String.raw`AKIAZ3MQWX\bR5TLPB6Y7N`)).toBe(true);
  });
  it('control: a real backspace, and the escape \\u0008, between the halves are refused', async () => {
    expect(await refused('AKIAZ3MQWX\bR5TLPB6Y7N')).toBe(true);
    expect(await refused(String.raw`AKIAZ3MQWX\u0008R5TLPB6Y7N`)).toBe(true);
  });
});

describe('9094a49: \\u escapes of dropped characters between digit groups in tool-call arguments', () => {
  /** Arguments as a JSON library writes them: a control character inside a string is always escaped (\u001b). */
  const args = (note: string) => chatToolRequest(JSON.stringify({ note }));
  const refused = async (body: unknown) => (await forwarded(CHAT, body)) === '';

  // Closed (session 10) for `\uXXXX`: separatorWidth reads `\uXXXX` of every character the main view drops
  // (normalize.ts isDroppedCharacter: controls included) as a separator. The same family's other spellings
  // (`\U0000200b`, `\u{200b}`, `&#8203;`, `%E2%80%8B`, `\xe2\x80\x8b`, nine `\u200b` in a row) are closed by 785dd7d:
  // review-s10-escapes.test.ts.
  it('an SSN split by ESC characters, as JSON writes them in chat arguments, is refused', async () => {
    expect(await refused(args('ssn 219\u001b09\u001b9999'))).toBe(true);
  });
  it('control: the same in a message, and split by \\u200b in the arguments, are refused', async () => {
    expect(await refused({ model: 'echo-1', messages: [{ role: 'user', content: 'ssn 219\u001b09\u001b9999' }] })).toBe(
      true,
    );
    expect(await refused(args('ssn 219\u200b09\u200b9999'))).toBe(true);
  });
});
