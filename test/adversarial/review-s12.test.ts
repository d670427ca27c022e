// Review s12 (R1, attacker's review of session 12's changes): each hole is an `it.fails` naming the file to fix;
// each has a control the same change handles, so the hole is the variant, not the value.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { anthropicAnswer } from './fixtures.ts';
import { upstreamHolds } from './round10-helpers.ts';
import { screened } from './round7-helpers.ts';
import { isForwarded } from './round9-helpers.ts';

describe('recognizers-key-files.ts (8159c98): a JWK private member written as an index assignment', () => {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as Record<string, string>;

  it('control: the JWK as JSON is refused', async () => {
    expect(await isForwarded(JSON.stringify(jwk))).toBe(false);
  });

  it('a script that sets jwk["kty"], jwk["crv"] and jwk["d"] one by one is refused', async () => {
    const script = [
      'jwk = {}',
      `jwk["kty"] = "${jwk.kty}"`,
      `jwk["crv"] = "${jwk.crv}"`,
      `jwk["x"] = "${jwk.x}"`,
      `jwk["d"] = "${jwk.d}"`,
    ].join('\n');
    expect(await isForwarded(script)).toBe(false);
  });
});

describe('recognizers-key-files.ts (8159c98): a JWK private member in an INI or .env file', () => {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as Record<
    string,
    string
  >;

  it('control: the same member quoted (d = "…") is refused', async () => {
    expect(await isForwarded(`[jwk]\nkty = EC\ncrv = P-256\nd = "${jwk.d}"`)).toBe(false);
  });

  it('an INI section [jwk] with kty, crv, x, y and d = <value> unquoted is refused', async () => {
    expect(await isForwarded(`[jwk]\nkty = EC\ncrv = P-256\nx = ${jwk.x}\ny = ${jwk.y}\nd = ${jwk.d}`)).toBe(false);
  });
});

describe('recognizers-key-files.ts (9b5bcfa): RSA members in standard base64 without a JWK word', () => {
  const k = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) as Record<
    string,
    string
  >;
  const std = (member: string) => Buffer.from(k[member] as string, 'base64url').toString('base64');

  it('control: p and q in base64url, and with AQAB beside them in standard base64, are refused', async () => {
    expect(await isForwarded(JSON.stringify({ p: k.p, q: k.q }))).toBe(false);
    expect(await isForwarded(JSON.stringify({ e: 'AQAB', p: std('p'), q: std('q') }))).toBe(false);
  });

  it.each([
    ['p and q', ['p', 'q']],
    ['n and d', ['n', 'd']],
  ])('an RSA key as %s in standard base64 is refused', async (_name, members) => {
    expect(await isForwarded(JSON.stringify(Object.fromEntries(members.map((m) => [m, std(m)]))))).toBe(false);
  });
});

describe('recognizers-key-files.ts (8159c98): key files beside JWK and PuTTY', () => {
  it('an RSA private key as .NET XML (<RSAKeyValue> … <D>) is refused', async () => {
    const k = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) as Record<
      string,
      string
    >;
    const el = (name: string, member: string) =>
      `<${name}>${Buffer.from(k[member] as string, 'base64url').toString('base64')}</${name}>`;
    const xml = `<RSAKeyValue>${el('Modulus', 'n')}<Exponent>AQAB</Exponent>${el('P', 'p')}${el('Q', 'q')}${el('DP', 'dp')}${el('DQ', 'dq')}${el('InverseQ', 'qi')}${el('D', 'd')}</RSAKeyValue>`;
    expect(await isForwarded(xml)).toBe(false);
  });
});

describe('recognizers-key-files.ts (8159c98): a PuTTY key file quoted as a mail or Markdown quote', () => {
  // An unencrypted ssh-ed25519 .ppk: the private blob is the key's 32 bytes with their length (48 base64 characters).
  const pub = randomBytes(51).toString('base64');
  const priv = randomBytes(36).toString('base64');
  const ppk = [
    'PuTTY-User-Key-File-3: ssh-ed25519',
    'Encryption: none',
    'Comment: deploy@build',
    'Public-Lines: 2',
    pub.slice(0, 64),
    pub.slice(64),
    'Private-Lines: 1',
    priv,
    `Private-MAC: ${randomBytes(32).toString('hex')}`,
  ];

  it('control: the .ppk as a file is refused', async () => {
    expect(await isForwarded(ppk.join('\n'))).toBe(false);
  });

  it('the .ppk with "> " before each line is refused', async () => {
    expect(await isForwarded(ppk.map((line) => `> ${line}`).join('\n'))).toBe(false);
  });
});

describe('recognizers-pii.ts (e897a85): an IBAN with a Unicode dash between its groups', () => {
  const groups = ['DE89', '3704', '0044', '0532', '0130', '00'];

  it('control: the IBAN with ASCII hyphens is redacted', async () => {
    expect(await upstreamHolds(`my iban: ${groups.join('-')}`, '0532')).toBe(false);
  });

  // Closed: IBAN's separators were `[\s./_-]`, ASCII only; U+2011 (the non-breaking hyphen word processors put in
  // numbers), U+2010 and U+2013 (en dash) between an IBAN's groups left it unredacted. Now any \p{Pd}.
  it.each([
    ['U+2011', '\u2011'],
    ['U+2010', '\u2010'],
    ['U+2013', '\u2013'],
  ])('the IBAN with %s between its groups is redacted', async (_name, dash) => {
    expect(await upstreamHolds(`my iban: ${groups.join(dash)}`, '0532')).toBe(false);
  });
});

describe('dates.ts (62ea378): the birth abbreviations of the languages it added', () => {
  const DOB = { redact: ['DATE_OF_BIRTH'], block: [] };
  const relayedDate = async (text: string) =>
    (await screened('anthropic.messages', anthropicAnswer([{ type: 'text', text }]), DOB)).includes('1985');

  it('control: the full words (urodzony, дата рождения) are redacted', async () => {
    expect(await relayedDate('Jan Kowalski, urodzony 12.03.1985, jest inżynierem.')).toBe(false);
    expect(await relayedDate('Иванов Иван, дата рождения: 12.03.1985')).toBe(false);
  });

  // Closed: BIRTH_WORDS held 'urodzony' and 'рождения' but not the abbreviations records and biographies write
  // (Polish 'ur.', Russian 'рожд.'), nor Ukrainian 'народження'. Now it does.
  it.each([
    'Jan Kowalski (ur. 12.03.1985) jest inżynierem.',
    'Иванов Иван, дата рожд.: 12.03.1985',
    'Дата народження: 12.03.1985',
  ])('%s: the date is redacted', async (text) => {
    expect(await relayedDate(text)).toBe(false);
  });
});

describe('context-words.ts (4069b36, 271244c): a context word as Turkish lower case or as a dotted acronym', () => {
  it('control: social security number, SOCİAL SECURİTY NUMBER and SSN before nine bare digits are refused', async () => {
    for (const label of ['social security number', 'SOCİAL SECURİTY NUMBER', 'SSN'])
      expect(await isForwarded(`${label} 219099999`)).toBe(false);
  });

  // Closed: `İ` was read as `I` but not the dotless `ı` (U+0131) that Turkish lower case writes for `I`
  // ('SOCIAL'.toLocaleLowerCase('tr') is 'socıal'). Now foldDottedCapitals and the RE2 literal read it as `i` too.
  it('socıal securıty number (dotless ı) before nine bare digits is refused', async () => {
    expect(await isForwarded('socıal securıty number 219099999')).toBe(false);
  });

  // Closed: a one-part word cannot be written apart, so the dotted acronym ('S.S.N.', 's.s.n') held no SSN word; the
  // US_SSN recognizers now list 's.s.n' (as dates.ts lists 'd.o.b').
  it.each(['S.S.N. 219099999', 's.s.n: 219099999'])('%s is refused', async (text) => {
    expect(await isForwarded(text)).toBe(false);
  });

  // Closed: a word may not be glued to an ASCII letter after it, and a plural's `s` is one: 'SSNs' (a list's label)
  // was no SSN word. The US_SSN recognizers now list 'ssns' (`assns`, `classns` still hold none).
  it('employee SSNs: before nine bare digits is refused', async () => {
    expect(await isForwarded('employee SSNs: 219099999')).toBe(false);
  });
});

describe('decode-dumps.ts (8270191) and decode-der-rows.ts: PowerShell 7 Format-Hex rows', () => {
  const env = Buffer.from('HOME=/home/dev\nAWS_ACCESS_KEY_ID=AKIAZ3MQWXR5TLPB6Y7N\nREGION=eu-west-1\n');
  const shown = (b: number) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.');
  /** Format-Hex's rows: an offset of `digits` hex digits, 16 upper-case bytes and the character column. */
  const formatHex = (digits: number) =>
    Array.from({ length: Math.ceil(env.length / 16) }, (_, i) => {
      const row = env.subarray(i * 16, i * 16 + 16);
      const cells = [...row].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
      return `${(i * 16).toString(16).toUpperCase().padStart(digits, '0')} ${cells.padEnd(47)} ${[...row].map(shown).join('')}`;
    }).join('\n');
  const header = [
    '   Label: C:\\dev\\.env',
    '',
    '          Offset Bytes                                           Ascii',
    '                 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F',
    '                 ------ ----------------------------------------- -----',
  ].join('\n');

  it('control: the rows with an offset of 8 digits (Windows PowerShell 5.1) are refused', async () => {
    expect(await isForwarded(formatHex(8))).toBe(false);
  });

  // Closed: an offset column was 4-12 hex digits; PowerShell 7's Format-Hex writes 16 (0000000000000010), so no row
  // was found. rowAt (and join-decode.ts rowAfter) now read 4-16.
  it('a .env file as PowerShell 7 Format-Hex (16-digit offsets) is refused', async () => {
    expect(await isForwarded(`${header}\n${formatHex(16)}`)).toBe(false);
  });
});

describe('filler-runs.ts digitGroups (2dd2978): a filler between digit groups with a space on each side', () => {
  it('control: the same fillers glued between the groups are refused', async () => {
    for (const text of ['ssn 219★09★9999', 'card 4111→1111→1111→1111', 'card 4111🔑1111🔑1111🔑1111'])
      expect(await isForwarded(text)).toBe(false);
  });

  // Closed (filler-runs.ts digitGroups): one optional space (any Zs) each side of the 1-4 symbols between groups.
  it.each(['ssn 219 ★ 09 ★ 9999', 'card 4111 → 1111 → 1111 → 1111', 'card 4111 🔑 1111 🔑 1111 🔑 1111'])(
    '%s is refused',
    async (text) => {
      expect(await isForwarded(text)).toBe(false);
    },
  );
});

describe('decode-escapes.ts (d0381f2): code point notations beside the escapes it reads', () => {
  const KEY = 'AKIAZ3MQWXR5TLPB6Y7N';
  const hex = (c: string) => c.charCodeAt(0).toString(16).toUpperCase();

  it('control: the key as \\u{41}\\u{4B}… (ES2015, PHP) and as %u0041%u004B… is refused', async () => {
    expect(await isForwarded([...KEY].map((c) => `\\u{${hex(c)}}`).join(''))).toBe(false);
    expect(await isForwarded([...KEY].map((c) => `%u00${hex(c)}`).join(''))).toBe(false);
  });

  // Closed: `\u{…}` was read but not Perl's (and PCRE's) `\x{…}`, nor the Unicode notation `U+0041 U+004B …`; now
  // wideEscapeRuns reads both (at least MIN_WIDE_ESCAPES a run, spaces or commas between U+ codes).
  it.each([
    ['\\x{41}\\x{4B}…', [...KEY].map((c) => `\\x{${hex(c)}}`).join('')],
    ['U+0041 U+004B …', [...KEY].map((c) => `U+00${hex(c)}`).join(' ')],
  ])('the key as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });
});
