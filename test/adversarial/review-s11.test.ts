// Review s11 (R1, attacker's review of session 11's changes): each hole is an `it.fails` naming the file to fix.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { prompt } from './fixtures.ts';
import { CLOSED, ED25519, fates, isForwarded, pieces, RSA } from './round9-helpers.ts';
import { CHAT, forwarded } from './round7-helpers.ts';

/** An unencrypted Ed25519 key in OpenSSH's own format (openssh-key-v1: no DER inside, so only PRIVATE_KEY reads it). */
function opensshKey(): string {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d as string, 'base64url');
  const pub = Buffer.from(jwk.x as string, 'base64url');
  const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  const str = (b: Buffer | string) => Buffer.concat([u32(Buffer.byteLength(b)), Buffer.from(b)]);
  const blob = Buffer.concat([str('ssh-ed25519'), str(pub)]);
  const check = randomBytes(4);
  let secret = Buffer.concat([check, check, blob, str(Buffer.concat([seed, pub])), str('r1@review')]);
  const pad = (8 - (secret.length % 8)) % 8;
  secret = Buffer.concat([secret, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  const whole = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    str('none'),
    str('none'),
    str(''),
    u32(1),
    str(blob),
    str(secret),
  ]).toString('base64');
  const lines = whole.match(/.{1,70}/g) as string[];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

describe('matching.ts (e0c6ede): re-searches after rejected matches, bounded per region in bytes', () => {
  const key = opensshKey();
  const probe = key.split('\n')[3] as string; // a body line only the key holds
  const behind = (n: number) => `${'-----BEGIN OPENSSH PRIVATE KEY-----\n'.repeat(n)}${key}`;

  it('control: an OpenSSH key alone, or behind 10 bare BEGIN lines, is withheld in every fate', async () => {
    expect(await fates(key, probe)).toEqual(CLOSED);
    expect(await fates(behind(10), probe)).toEqual(CLOSED);
  });

  // Closed (130adee, src/classification/validators.ts isPrivateKeyBlock): the bare BEGIN lines were one region of
  // rejected matches each running to the key's END, and their re-searches passed LONG_RESCAN_PER_BYTE (16 a byte of the
  // region) after ~25 lines; the body after any BEGIN of a match now counts, so the first bare opening's match, which
  // holds the key, is accepted without re-searching (round9-pem.test.ts: 10 to 5,000 bare openings).
  it('an OpenSSH key behind 30 bare BEGIN lines (1 KB) is withheld in every fate', async () => {
    expect(await fates(behind(30), probe)).toEqual(CLOSED);
  });

  // Guard for the fix: a PRIVATE_KEY body that may not run over `-----B` (so that bare openings make no match) loses
  // the whole key to one such line inside it; held at e0c6ede (the body read up to the line: 70 characters, >= 64).
  it('an OpenSSH key with a line "-----Bye" after its first body line is withheld in every fate', async () => {
    const lines = key.split('\n');
    const broken = [lines[0], lines[1], '-----Bye', ...lines.slice(2)].join('\n');
    expect(await fates(broken, probe)).toEqual(CLOSED);
  });
});

describe('named-references.ts (313094c): HTML named references of the spaces between digit groups', () => {
  const ssn = (sep: string) => `my ssn is 219${sep}09${sep}9999`;
  it('control: the spaces themselves, and &nbsp; (in the table), between the groups are refused', async () => {
    for (const sep of ['\u2009', '\u2002', '\u2003', '\u2007', '&nbsp;', '&#8201;'])
      expect(await isForwarded(ssn(sep))).toBe(false);
  });

  // Closed (named-references.ts names every WHATWG space, separator and dropped character): HTML reads a space.
  it.each([['&thinsp;'], ['&ensp;'], ['&emsp;'], ['&numsp;']])(
    'an SSN whose groups are split by %s is refused',
    async (sep) => {
      expect(await isForwarded(ssn(sep))).toBe(false);
    },
  );
});

describe('filler-runs.ts (313094c): a value with meaningless visible characters between its characters', () => {
  const KEY = 'AKIAZ3MQWXR5TLPB6Y7N';
  const between = (value: string, filler: (i: number) => string) =>
    [...value].map((c, i) => (i === 0 ? c : filler(i) + c)).join('');
  const both = async (filler: (i: number) => string) => [
    await isForwarded(`aws ${between(KEY, filler)}`),
    await isForwarded(`ssn ${between('219-09-9999', filler)}`),
  ];
  it('control: one private-use filler between each two characters is refused (round 9, closed)', async () => {
    expect(await both(() => '\ue000')).toEqual([false, false]);
  });

  // Closed (filler-runs.ts fillerFreeView reads the whole text once without its filler-class code points).
  it('a key and an SSN with two private-use fillers between each two characters are refused', async () => {
    expect(await both(() => '\ue000\ue000')).toEqual([false, false]);
  });
  it('a key and an SSN with two private-use fillers taking turns between their characters are refused', async () => {
    expect(await both((i) => (i % 2 === 0 ? '\ue000' : '\ue001'))).toEqual([false, false]);
  });

  it('control: an SSN with its dashes, a private-use filler between each two characters, and one split by U+2062 (dropped) are refused', async () => {
    expect(await isForwarded(`ssn ${between('219-09-9999', () => '\ue000')}`)).toBe(false);
    expect(await isForwarded('ssn 219\u206209\u20629999')).toBe(false);
  });

  // Closed (filler-runs.ts fillerFreeView: the text without its fillers keeps the context word before the value).
  it.each([
    ['nine digits with a private-use filler between each two', `ssn ${between('219099999', () => '\ue000')}`],
    ['a private-use filler between its groups', 'ssn 219\ue00009\ue0009999'],
    [
      'an AWS key with a private-use filler every four characters',
      `aws ${(KEY.match(/.{1,4}/g) as string[]).join('\ue000')}`,
    ],
  ])('%s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });
});

describe('listed-windows.ts (27f31ec): a list of single digits with one more item, its word after it', () => {
  it('control: the word before the list with one more item, or after the whole list, is refused', async () => {
    expect(await isForwarded('my ssn: [2, 1, 9, 0, 9, 9, 9, 9, 9, null]')).toBe(false);
    expect(await isForwarded('[2, 1, 9, 0, 9, 9, 9, 9, 9] is my ssn')).toBe(false);
    expect(await isForwarded('visa card [4,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,null]')).toBe(false);
  });

  // Closed (listed-windows.ts windowRules reads the words after the run too, as far as the type's recognizer does).
  it.each([
    ['[2, 1, 9, 0, 9, 9, 9, 9, 9, null] is my ssn'],
    ['{"digits": [2, 1, 9, 0, 9, 9, 9, 9, 9, null], "kind": "ssn"}'],
    ['[4,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,null] is my visa card'],
  ])('%s is refused', async (text) => {
    expect(await isForwarded(text)).toBe(false);
  });
});

describe('decode-der-notations.ts (865ebf0): od rows of a DER private key beside the layouts closed', () => {
  /** `der` in rows of 16 bytes, each row as `cells` writes its bytes, after `offset(row start)` when given. */
  const dump = (der: Buffer, cells: (row: Buffer) => string[], offset?: (at: number) => string) => {
    const lines: string[] = [];
    for (let at = 0; at < der.length; at += 16) {
      const cellsText = cells(der.subarray(at, at + 16)).join(' ');
      lines.push(offset ? `${offset(at)} ${cellsText}` : ` ${cellsText}`);
    }
    if (offset) lines.push(offset(der.length));
    return `${lines.join('\n')}\n`;
  };
  const octalBytes = (row: Buffer) => [...row].map((b) => b.toString(8).padStart(3, '0'));
  const hexBytes = (row: Buffer) => [...row].map((b) => b.toString(16).padStart(2, '0'));
  /** Little-endian 16-bit words, as od -x / od -o write them (`radix` 16: 4 digits; 8: 6 digits). */
  const words = (radix: number) => (row: Buffer) => {
    const out: string[] = [];
    for (let i = 0; i < row.length; i += 2) {
      const word = (row[i] as number) | ((row[i + 1] ?? 0) << 8);
      out.push(word.toString(radix).padStart(radix === 16 ? 4 : 6, '0'));
    }
    return out;
  };
  const octalOffset = (at: number) => at.toString(8).padStart(7, '0');
  const hexOffset = (at: number) => at.toString(16).padStart(6, '0');
  const decimalOffset = (at: number) => String(at).padStart(7, '0');
  const keys: [string, Buffer][] = [
    ['Ed25519', ED25519],
    ['RSA', RSA],
  ];

  // The rows are byte for byte what GNU od writes (checked against od 9.x for both keys).
  it('control: od -b (octal offsets) and od -A x -t x1 (hex offsets) rows are refused (closed in 865ebf0)', async () => {
    for (const [, der] of keys) {
      expect(await isForwarded(dump(der, octalBytes, octalOffset))).toBe(false);
      expect(await isForwarded(dump(der, hexBytes, hexOffset))).toBe(false);
    }
  });

  // Closed (decode-der-notations.ts reads rows with offsets in any radix or none, and od's octal words).
  it.each([
    ['od -An -b (octal bytes, no offsets)', (der: Buffer) => dump(der, octalBytes)],
    ['od -An -x (hex little-endian words, no offsets)', (der: Buffer) => dump(der, words(16))],
    ['od (its default: octal little-endian words)', (der: Buffer) => dump(der, words(8), octalOffset)],
    ['od -t x1 (hex bytes, its default octal offsets)', (der: Buffer) => dump(der, hexBytes, octalOffset)],
    ['od -A d -t x1 (hex bytes, decimal offsets)', (der: Buffer) => dump(der, hexBytes, decimalOffset)],
  ])('a DER private key as %s rows is refused (Ed25519 and RSA)', async (_name, rows) => {
    for (const [, der] of keys) expect(await isForwarded(rows(der))).toBe(false);
  });
});

describe('join-decode.ts: a DER private key as xxd rows cut between two messages', () => {
  /** `der` as xxd writes it (offset, eight groups of four hex digits, the bytes as ASCII). */
  const xxd = (der: Buffer) => {
    const lines: string[] = [];
    for (let at = 0; at < der.length; at += 16) {
      const row = der.subarray(at, at + 16);
      const hex = (row.toString('hex').match(/.{1,4}/g) as string[]).join(' ');
      const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
      lines.push(`${at.toString(16).padStart(8, '0')}: ${hex.padEnd(39, ' ')}  ${ascii}`);
    }
    return `${lines.join('\n')}\n`;
  };
  /** Two user messages: the first `rows` rows, then the rest. */
  const cut = (der: Buffer, rows: number) => {
    const lines = xxd(der).split('\n');
    return prompt(`${lines.slice(0, rows).join('\n')}\n`, lines.slice(rows).join('\n'));
  };
  const sent = async (body: unknown) => (await forwarded(CHAT, body)) !== '';

  it('control: the rows in one message, or cut after three rows, are refused', async () => {
    for (const der of [ED25519, RSA]) {
      expect(await isForwarded(xxd(der))).toBe(false);
      expect(await sent(cut(der, 3))).toBe(false);
    }
  });

  // Two rows (32 bytes) hold too little of the key for either message to read alone; the joins read a window's keys
  // where a dump's row opens right after a boundary (join-decode.ts rowAfter), the rows' notations beside KEY_START's.
  it('a DER key (Ed25519, RSA) as xxd rows cut after two rows into two user messages is refused', async () => {
    for (const der of [ED25519, RSA]) expect(await sent(cut(der, 2))).toBe(false);
  });
});

describe('mixed-separators.ts (27f31ec): a card in groups of 1-3 digits split by two kinds of separator', () => {
  it('control: whitespace and dashes mixed, or one kind of separator throughout, are refused', async () => {
    for (const text of [
      'card 41 11-11 11 11-11 11 11',
      'card 41 11\u201311 11 11\u201311 11 11',
      'card 41.11.11.11.11.11.11.11',
      'card 41 11 11 11 11 11 11 11',
      'card 411.111.111.111.111.1',
    ])
      expect(await isForwarded(text)).toBe(false);
  });

  // Closed (mixed-separators.ts mixedShortGroupCards takes `.` `/` `_` beside a space or a dash, card rules kept).
  it.each([
    ['card 41 11.11 11 11.11 11 11'],
    ['card 41.11-11.11-11.11-11.11'],
    ['card 411 111.111 111.111 1'],
    ['card 41 11/11 11 11/11 11 11'],
  ])('%s (4111 1111 1111 1111) is refused', async (text) => {
    expect(await isForwarded(text)).toBe(false);
  });
});

describe('decode-der-notations.ts (865ebf0): an unarmored key in base64 pieces, one a line, beside the gaps closed', () => {
  const layouts = (der: Buffer) => pieces(der.toString('base64'), 16);
  it('control: key += "…" lines, `- ` / `* ` bullets and `1) ` numbers are refused (closed in 865ebf0)', async () => {
    for (const der of [ED25519, RSA]) {
      const p = layouts(der);
      expect(await isForwarded(p.map((x) => `key += "${x}"`).join('\n'))).toBe(false);
      expect(await isForwarded(p.map((x) => `* ${x}`).join('\n'))).toBe(false);
      expect(await isForwarded(p.map((x, i) => `${i + 1}) ${x}`).join('\n'))).toBe(false);
    }
  });

  // Closed (decode-der-notations.ts: the gap between base64 pieces may hold any text up to its bound without a run of
  // the alphabet as long as a piece; the joined bytes must still open a DER private key).
  it.each([
    ['Markdown table rows', (p: string[]) => p.map((x, i) => `| ${i + 1} | ${x} |`).join('\n')],
    ['HTML list items', (p: string[]) => p.map((x) => `<li>${x}</li>`).join('\n')],
    ['(1) numbered lines', (p: string[]) => p.map((x, i) => `(${i + 1}) ${x}`).join('\n')],
    ['→ bulleted lines', (p: string[]) => p.map((x) => `→ ${x}`).join('\n')],
    [
      'k += "…" / k += \'…\' by turns',
      (p: string[]) => p.map((x, i) => (i % 2 ? `k += '${x}'` : `k += "${x}"`)).join('\n'),
    ],
  ])('an Ed25519 and an RSA key as %s is refused', async (_name, layout) => {
    for (const der of [ED25519, RSA]) expect(await isForwarded(layout(layouts(der)))).toBe(false);
  });
});

describe('digit-separators.ts (27f31ec): one more digit beside a value of single digits split by spaces', () => {
  it('control: the same digits as a list with a tenth item, or nine spaced digits, are refused', async () => {
    expect(await isForwarded('ssn [2, 1, 9, 0, 9, 9, 9, 9, 9, 0]')).toBe(false);
    expect(await isForwarded('ssn 2 1 9 0 9 9 9 9 9')).toBe(false);
  });

  // Closed (digit-separators.ts spacedRun: a spaced run is read over its window beside a word of the value's type, as
  // a listed run is; listed-windows.ts).
  it('nine spaced digits of an SSN and a tenth after "ssn" are refused', async () => {
    expect(await isForwarded('ssn 2 1 9 0 9 9 9 9 9 0')).toBe(false);
    expect(await isForwarded('ssn [2 1 9 0 9 9 9 9 9 0]')).toBe(false);
  });
});

describe('filler-runs.ts (e0f71af): visible symbols between the characters of a value', () => {
  const KEY = 'AKIAZ3MQWXR5TLPB6Y7N';
  const between = (value: string, filler: string) => [...value].join(filler);
  it('control: the key with ★ or · between its characters, and nine digits with a private-use filler, are refused', async () => {
    expect(await isForwarded(`aws ${between(KEY, '\u2605')}`)).toBe(false);
    expect(await isForwarded(`aws ${between(KEY, '\u00b7')}`)).toBe(false);
    expect(await isForwarded(`ssn ${between('219099999', '\ue000')}`)).toBe(false);
  });

  // Closed (filler-runs.ts fillerSpans: the filler view drops runs of 1-4 symbols between each two of
  // 8+ characters, and one same ASCII mark between letters or digits, which NFKC makes of `｜`, in the
  // whole text: the word before reads).
  it.each([
    ['nine digits after "ssn" with ★ between each two', `ssn ${between('219099999', '\u2605')}`],
    ['nine digits after "ssn" with · between each two', `ssn ${between('219099999', '\u00b7')}`],
    ['nine digits after "ssn" with 🔑 between each two', `ssn ${between('219099999', '\u{1f511}')}`],
    ['the key with •• between each two characters', `aws ${between(KEY, '\u2022\u2022')}`],
    ['the key with a fullwidth bar ｜ between each two characters', `aws ${between(KEY, '\uff5c')}`],
  ])('%s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });
});
