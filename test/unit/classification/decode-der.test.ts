// Private keys in DER as a bare base64 run (decode-der.ts): PKCS#8, PKCS#1 and SEC1 private keys read as their PEM
// block and are found as PRIVATE_KEY over the run; certificates and public keys of the same algorithms are not.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { notationKeys, opensPrivateKey, privateKeys } from '../../../src/classification/decode-der.ts';
import { createClassifier } from '../../../src/classification/index.ts';

/** The first key a run holds, read at every offset (as decode.ts's scan reads a text). */
const privateKeyArmor = (run: string) => privateKeys(run)[0];

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(9) });
const found = (text: string) =>
  classifier.classify([{ path: 'p', text }]).findings.map((f) => [f.type, text.slice(f.start, f.end)]);

/** A PEM block's body without its armor lines, as written (64-character lines). */
const body = (pem: string) =>
  pem
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('-----'))
    .join('\n');
const der = (pem: string) => Buffer.from(body(pem), 'base64');

const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const x = generateKeyPairSync('x25519');
const privates = {
  'RSA PKCS#8': rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  'RSA PKCS#1': rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
  'EC PKCS#8': ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  'EC SEC1': ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string,
  'Ed25519 PKCS#8': ed.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  'X25519 PKCS#8': x.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
};
const publics = {
  'RSA SPKI': rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string,
  'RSA PKCS#1 public': rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string,
  'EC SPKI': ec.publicKey.export({ type: 'spki', format: 'pem' }) as string,
  'Ed25519 SPKI': ed.publicKey.export({ type: 'spki', format: 'pem' }) as string,
  'encrypted PKCS#8 (no key material in the clear)': rsa.privateKey.export({
    type: 'pkcs8',
    format: 'pem',
    cipher: 'aes-256-cbc',
    passphrase: 'pass phrase',
  }) as string,
};
// A self-signed certificate's DER opening: SEQUENCE { SEQUENCE (TBSCertificate) { [0] version, serial … } … }.
const certificate = Buffer.concat([
  Buffer.from('308201a23082010ba003020102020900', 'hex'),
  Buffer.alloc(80, 0x41),
]).toString('base64');

describe('a DER private key without its PEM armor', () => {
  it.each(Object.entries(privates))('%s: read as a private key, found over the whole run', (_name, pem) => {
    expect(opensPrivateKey(der(pem))).toBe(true);
    const run = body(pem);
    expect(found(`here:\n${run}\nthanks`)).toEqual([['PRIVATE_KEY', run]]);
    // Without its line breaks too (one line, as a JSON string holds it).
    const line = run.replace(/\n/g, '');
    expect(found(`key ${line} end`)).toEqual([['PRIVATE_KEY', line]]);
  });

  it.each(Object.entries(publics))('control: %s is no private key', (_name, pem) => {
    expect(opensPrivateKey(der(pem))).toBe(false);
    expect(found(`here:\n${body(pem)}\nthanks`).filter(([type]) => type === 'PRIVATE_KEY')).toEqual([]);
  });

  it('control: a certificate, a short run and a truncated header are no private key', () => {
    expect(privateKeyArmor(certificate)).toBeUndefined();
    expect(found(`cert ${certificate}`).filter(([type]) => type === 'PRIVATE_KEY')).toEqual([]);
    expect(privateKeyArmor(Buffer.from('302e020100300506032b6570', 'hex').toString('base64'))).toBeUndefined();
    expect(opensPrivateKey(Buffer.from('3082', 'hex'))).toBe(false);
  });

  it.each(Object.entries(privates))('%s: read with a word glued before it, or in hex', (_name, pem) => {
    const line = body(pem).replace(/\n/g, '');
    for (const glued of ['x', 'xy', 'xyz', 'key_', 'private-']) {
      expect(privateKeyArmor(`${glued}${line}`)?.end).toBe(glued.length + line.length);
      expect(found(`here: ${glued}${line} thanks`).map(([type]) => type)).toContain('PRIVATE_KEY');
    }
    const hex = der(pem).toString('hex');
    expect(privateKeyArmor(hex)?.end).toBe(hex.length);
    expect(found(`here: ${hex} thanks`)).toEqual([['PRIVATE_KEY', hex]]);
  });

  it.each(Object.entries(publics))('control: %s glued to a word or in hex is no private key', (_name, pem) => {
    const line = body(pem).replace(/\n/g, '');
    for (const run of [`x${line}`, `key_${line}`, der(pem).toString('hex')]) {
      expect(privateKeyArmor(run)).toBeUndefined();
    }
  });

  const percent = (bytes: Buffer) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  it.each(Object.entries(privates))('%s: percent-encoded (a form field) is found over the run', (_name, pem) => {
    const run = `key=${percent(der(pem))}`;
    expect(found(`POST body: ${run}&submit=1`)).toEqual([['PRIVATE_KEY', `${run}&submit=1`]]);
  });
  it('control: a public key, and a SEQUENCE of other bytes, percent-encoded are no private key', () => {
    for (const bytes of [
      der(publics['Ed25519 SPKI']),
      Buffer.concat([Buffer.from('3040020100', 'hex'), Buffer.alloc(64, 0xa7)]),
    ]) {
      expect(found(`body: key=${percent(bytes)}`)).toEqual([]);
    }
  });
});

/** A DER key as tools and people write it: each layout holds the whole key, and nothing else is written. */
const hexBytes = (bytes: Buffer) => [...bytes].map((b) => b.toString(16).padStart(2, '0'));
const lines = (text: string, width: number, between = '\n') =>
  (text.match(new RegExp(`.{1,${width}}`, 'gs')) as string[]).join(between);
/** Dump rows of 16 bytes: an offset column, the hex as `row` lays it out, then a character column. */
const dump = (bytes: Buffer, row: (hex: string[], at: number) => string) => {
  const rows: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) rows.push(row(hexBytes(bytes.subarray(at, at + 16)), at));
  return rows.join('\n');
};
const layouts = (key: Buffer): Record<string, string> => {
  const [base64, hex] = [key.toString('base64'), key.toString('hex')];
  return {
    'glued after a path': `/home/ops/.ssh/keys/prod/${base64}`,
    'glued after private_key_': `private_key_${base64}`,
    'base64 in lines of 13': lines(base64, 13),
    'base64 in groups of four': lines(base64, 4, ' '),
    'base64 in a nested YAML block': `a:\n  b:\n    key: |\n      ${lines(base64, 40, '\n      ')}`,
    'base64 as a JSON list of lines': JSON.stringify(lines(base64, 64).split('\n')),
    'base64 quoted in a reply': `> ${lines(base64, 64, '\n> ')}`,
    'string literals joined by +': `key = ${lines(base64, 16)
      .split('\n')
      .map((l) => `"${l}"`)
      .join(' +\n  ')};`,
    "PHP's literals joined by .": lines(base64, 20)
      .split('\n')
      .map((l) => `'${l}'`)
      .join('.'),
    'hex in lines of 61': lines(hex, 61),
    'hex upper case, colons': hexBytes(key).join(':').toUpperCase(),
    'hex bytes split by dashes': hexBytes(key).join('-'),
    'a 0x literal after a word': `data=0x${hex}`,
    'a C array (xxd -i)': `unsigned char k[] = {\n  ${lines(
      hexBytes(key)
        .map((b) => `0x${b},`)
        .join(' '),
      72,
      '\n  ',
    )}\n};`,
    '\\x escapes': hexBytes(key)
      .map((b) => `\\x${b}`)
      .join(''),
    "Python's [hex(b) for b in key]": `[${[...key].map((b) => `'0x${b.toString(16)}'`).join(', ')}]`,
    "JavaScript's toString(16) list": JSON.stringify([...key].map((b) => b.toString(16))),
    xxd: dump(
      key,
      (hex, at) =>
        `${at.toString(16).padStart(8, '0')}: ${(hex.join('').match(/.{1,4}/g) as string[]).join(' ').padEnd(39)}  ................`,
    ),
    'hexdump -C': dump(
      key,
      (hex, at) =>
        `${at.toString(16).padStart(8, '0')}  ${hex.slice(0, 8).join(' ')}  ${hex.slice(8).join(' ')}  |0.....0...*.H..|`,
    ),
    'od -A x -t x1z': dump(key, (hex, at) => `${at.toString(16).padStart(6, '0')} ${hex.join(' ')}  >0a1b2c<`),
    "Python's list(key)": `[${[...key].join(', ')}]`,
    "Java's Arrays.toString (signed bytes)": `[${[...key].map((b) => (b > 127 ? b - 256 : b)).join(', ')}]`,
    "Node's Buffer JSON": JSON.stringify(key),
  };
};

describe('a DER private key in any notation and layout (decode-der-notations.ts)', () => {
  it.each(Object.entries(privates))('%s: found in every layout, over the characters it is written in', (_name, pem) => {
    for (const [layout, text] of Object.entries(layouts(der(pem)))) {
      const keys = privateKeys(text);
      expect(keys.length, layout).toBe(1);
      expect(
        found(text).map(([type]) => type),
        layout,
      ).toContain('PRIVATE_KEY');
      // From the key's first character to its last (a dump's last character column and a list's `]` are not its).
      const written = text.slice(keys[0]?.start, keys[0]?.end);
      expect(written.length, layout).toBeGreaterThan(text.length - 96);
    }
  });

  it.each(Object.entries(publics))('control: %s in every layout is no private key', (_name, pem) => {
    for (const [layout, text] of Object.entries(layouts(der(pem)))) {
      expect(privateKeys(text), layout).toEqual([]);
    }
  });

  it('control: ordinary hex, base64 and numbers in prose are no key', () => {
    const text = [
      'sha256 3082a1f4c9d2e0b7a65f3e21d0c9b8a7f6e5d4c3b2a1908f7e6d5c4b3a291807 and git 3082b1e4c7d9f0a2b3c4d5e6f708192a3b4c5d6e',
      'uuid 30820101-0201-4000-8030-0d06092a8648, colours #30823f #3082ff, MAC 30:82:01:02:01:00 and 30-82-04-bd-02-01',
      'bytes 30 82 04 bd 02 01 00 30 0d and 0x30, 0x82, 0x01, 0x0a, 0x02, 0x82, 0x01, 0x01, 0x00 (a public key opens so)',
      'numbers 48, 130, 4, 189, 2, 1, 0, 48, 13 and 48 52 1 2 3; MC4CAQAw alone; MIIEvQIBADANBgkqhkiG9w0BAQEFAASC cut',
      `an image ${randomBytes(3000).toString('base64')} and hex ${randomBytes(3000).toString('hex')}`,
    ].join('\n');
    expect(privateKeys(text)).toEqual([]);
    expect(found(text).filter(([type]) => type === 'PRIVATE_KEY')).toEqual([]);
  });
});

describe('a DER key base64 in 16-character pieces joined by other notations (decode-der-notations.ts pastGap)', () => {
  const pieces = (pem: string) =>
    body(pem)
      .replace(/\n/g, '')
      .match(/.{1,16}/g) as string[];
  const notations: Record<string, (p: string[]) => string> = {
    'Markdown code spans': (p) => `the key is ${p.map((s) => `\`${s}\``).join(' ')}`,
    'template literals joined by +': (p) => `const k = ${p.map((s) => `\`${s}\``).join(' +\n  ')};`,
    'Lua ..': (p) => `local k = ${p.map((s) => `"${s}"`).join(' ..\n  ')}`,
    'C++ <<': (p) => `out << ${p.map((s) => `"${s}"`).join(' << ')};`,
    'VB & _': (p) => `k = ${p.map((s) => `"${s}"`).join(' & _\n  ')}`,
    'SQL ||': (p) => `select ${p.map((s) => `'${s}'`).join(' || ')};`,
    'a \\ line continuation': (p) => `k = ${p.map((s) => `"${s}"`).join(' \\\n  ')}`,
    'Python b"…" literals': (p) => `k = (\n  ${p.map((s) => `b"${s}"`).join('\n  ')}\n)`,
  };
  for (const [notation, write] of Object.entries(notations)) {
    it(`an Ed25519 and an RSA private key as ${notation} are PRIVATE_KEY; their public keys are not`, () => {
      for (const pem of [privates['Ed25519 PKCS#8'], privates['RSA PKCS#8']]) {
        expect(found(write(pieces(pem))).some(([type]) => type === 'PRIVATE_KEY')).toBe(true);
      }
      for (const pem of [publics['Ed25519 SPKI'], publics['RSA SPKI']]) {
        expect(found(write(pieces(pem))).some(([type]) => type === 'PRIVATE_KEY')).toBe(false);
      }
    });
  }
  it('control: ordinary words joined by the same operators are no key', () => {
    const words = ['MIIEvQIBADANBgkq', 'hello world', 'and then', 'more text here'];
    expect(found(`s = \`${words.join('` .. `')}\` << "x" || 'y' & _\n "z"`).some(([t]) => t === 'PRIVATE_KEY')).toBe(
      false,
    );
  });
});

describe("a DER key as Python's bytes repr (decode.ts pythonBytesAsHex)", () => {
  const repr = (bytes: Buffer, quote = "'") =>
    `b${quote}${[...bytes]
      .map((b) =>
        b === 0x5c || b === quote.charCodeAt(0)
          ? `\\${String.fromCharCode(b)}`
          : b === 0x0a
            ? '\\n'
            : b >= 0x20 && b < 0x7f
              ? String.fromCharCode(b)
              : `\\x${b.toString(16).padStart(2, '0')}`,
      )
      .join('')}${quote}`;
  const isKey = (text: string) => found(text).some(([type]) => type === 'PRIVATE_KEY');

  it('an Ed25519, an EC and an RSA private key printed by Python are PRIVATE_KEY, in either quotes', () => {
    for (const name of ['Ed25519 PKCS#8', 'EC SEC1', 'RSA PKCS#8', 'RSA PKCS#1'] as const) {
      expect(isKey(`>>> der\n${repr(der(privates[name]))}`)).toBe(true);
      expect(isKey(`data = ${repr(der(privates[name]), '"')}`)).toBe(true);
    }
  });
  it('control: public keys printed the same way, and ordinary bytes literals, are no private key', () => {
    for (const pem of Object.values(publics)) expect(isKey(`>>> der\n${repr(der(pem))}`)).toBe(false);
    expect(isKey(String.raw`payload = b'0\x01\x02hello\n' + b"0 and \x30 more"`)).toBe(false);
  });
});

/** A key's PEM body in pieces of `width` characters. */
const pieces = (pem: string, width = 16) =>
  body(pem)
    .replace(/\n/g, '')
    .match(new RegExp(`.{1,${width}}`, 'g')) as string[];
const each = (p: string[], line: (piece: string, i: number) => string) => p.map(line).join('\n');

describe('a DER key whose pieces a gap with names, comments or list marks joins (decode-der-notations.ts pastGap)', () => {
  const notations: Record<string, (p: string[]) => string> = {
    'key += "…" lines': (p) => each(p, (s, i) => (i === 0 ? `key = "${s}"` : `key += "${s}"`)),
    "k += '…' lines": (p) => each(p, (s, i) => (i === 0 ? `k = '${s}'` : `    k += '${s}'`)),
    'template literals in += lines': (p) => each(p, (s) => `pem += \`${s}\`;`),
    'a trailing comment on each line': (p) => each(p, (s, i) => `"${s}" +  // part ${i + 1} of ${p.length}`),
    "Python's key += b'…'": (p) => each(p, (s, i) => `key ${i === 0 ? '=' : '+='} b'${s}'`),
    'a numbered list': (p) => each(p, (s, i) => `${i + 1}. ${s}`),
    'a lettered list': (p) => each(p, (s, i) => `  ${String.fromCharCode(0x61 + (i % 26))}) ${s}`),
    'a "-" list': (p) => each(p, (s) => `- ${s}`),
    'a "•" list': (p) => each(p, (s) => `• ${s}`),
    'a "+" list, indented': (p) => each(p, (s) => `   + ${s}`),
  };
  it.each(Object.entries(notations))(
    '%s: an Ed25519 and an RSA private key are PRIVATE_KEY; public keys are not',
    (_n, write) => {
      for (const pem of [privates['Ed25519 PKCS#8'], privates['RSA PKCS#8'], privates['EC SEC1']]) {
        expect(found(write(pieces(pem))).some(([type]) => type === 'PRIVATE_KEY')).toBe(true);
      }
      for (const pem of [publics['Ed25519 SPKI'], publics['RSA SPKI'], publics['EC SPKI']]) {
        expect(found(write(pieces(pem))).some(([type]) => type === 'PRIVATE_KEY')).toBe(false);
      }
    },
  );
  it('control: code with many short literals, Markdown lists of words and a key cut short are no key', () => {
    const cut = pieces(privates['Ed25519 PKCS#8'], 16).slice(0, 2);
    const texts = [
      // Literals opening as a key does (`MC4C`, `MIIE`) among ordinary ones, names and comments between.
      `const a = "MC4CAQAw"; b += "hello"; // "world"\nlet c = 'MIIEvQIB' + name + "ADANBgkq";\nlog(\`MIIBIjAN\`, "x")`,
      Array.from({ length: 200 }, (_, i) => `msg += "Mike${i}abcdefghij"; // note ${i}`).join('\n'),
      '- MIIEvQIBADANBgkq notes\n- Mallory\n- MCAwBQYDK2VwAyEA\n1. Carol\n2. MC4CAQAwBQYDK2Vw\n• Dave',
      cut.map((s, i) => `${i + 1}. ${s}`).join('\n'),
      cut.map((s) => `key += "${s}"`).join('\n'),
      // A key's pieces further apart than the gap's bound.
      pieces(privates['Ed25519 PKCS#8'], 16)
        .map((s) => `"${s}" // ${'x'.repeat(80)}`)
        .join('\n'),
    ];
    for (const text of texts) expect(found(text).filter(([type]) => type === 'PRIVATE_KEY')).toEqual([]);
  });
});

describe('a DER key whose pieces a gap of any text joins (decode-der-notations.ts pastLooseGap)', () => {
  const notations: Record<string, (p: string[]) => string> = {
    'Markdown table rows': (p) => `| # | part |\n|---|------|\n${each(p, (s, i) => `| ${i + 1} | ${s} |`)}`,
    'HTML list items': (p) => `<ol>\n${each(p, (s) => `  <li>${s}</li>`)}\n</ol>`,
    '(1) numbers': (p) => each(p, (s, i) => `(${i + 1}) ${s}`),
    '[1] numbers': (p) => each(p, (s, i) => `[${i + 1}] ${s}`),
    'arrow bullets': (p) => each(p, (s, i) => `${['→', '➜', '▶', '►'][i % 4]} ${s}`),
    'quotes changing from line to line': (p) => each(p, (s, i) => (i % 2 ? `k += '${s}'` : `k += "${s}"`)),
    'a comment quoting a word between pieces': (p) => each(p, (s) => `"${s}" + // "x"`),
    '64-character lines in a table': (p) => each(p, (s) => `| ${s} |`),
  };
  it.each(Object.entries(notations))('%s: private keys are PRIVATE_KEY; public keys are not', (name, write) => {
    const width = name.startsWith('64') ? 64 : 16;
    for (const pem of [privates['Ed25519 PKCS#8'], privates['RSA PKCS#8'], privates['EC SEC1']]) {
      expect(found(write(pieces(pem, width))).some(([type]) => type === 'PRIVATE_KEY')).toBe(true);
    }
    for (const pem of [publics['Ed25519 SPKI'], publics['RSA SPKI'], publics['EC SPKI']]) {
      expect(found(write(pieces(pem, width))).some(([type]) => type === 'PRIVATE_KEY')).toBe(false);
    }
  });
  it('edges: a gap past 64 characters, a longer piece after a loose gap, or a long word between ends the join', () => {
    const p = pieces(privates['Ed25519 PKCS#8'], 16);
    const texts = [
      each(p, (s) => `| ${s} | ${'x '.repeat(32)}|`),
      // The second piece runs longer than the first after a gap of text: no layout of one width.
      `(1) ${p[0]}\n(2) ${p.slice(1).join('')}`,
      each(p, (s) => `<li>${s}</li> <!-- abcdefghijklmnop -->`),
    ];
    for (const text of texts) expect(privateKeys(text)).toEqual([]);
  });
  it('control: tables of words, lists of short ids and a cut opening before other base64 are no key', () => {
    const texts = [
      Array.from({ length: 200 }, (_, i) => `| ${i} | MC4CAQAw${i}abcd | Mallory${i}Carolxyz | ok |`).join('\n'),
      Array.from({ length: 200 }, (_, i) => `<li>MIIEvQIBADANBgkq${i}</li>`).join('\n'),
      Array.from({ length: 200 }, (_, i) => `(${i}) id-${randomBytes(9).toString('base64')} → done`).join('\n'),
      `→ MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n→ ${randomBytes(600).toString('base64')}`,
      `| MC4CAQAwBQYDK2Vw |\n| ${randomBytes(12).toString('base64')} |\n| ${randomBytes(12).toString('base64')} |`,
    ];
    for (const text of texts) {
      expect(privateKeys(text)).toEqual([]);
      expect(found(text).filter(([type]) => type === 'PRIVATE_KEY')).toEqual([]);
    }
  });
});

describe('a DER key in od rows: offsets in any radix or none, octal words (decode-der-notations.ts bareRows)', () => {
  const row = (bytes: Buffer, cells: string) => {
    const hex2 = (b: number) => b.toString(16).padStart(2, '0');
    const out: string[] = [];
    for (let k = 0; k < bytes.length; k += cells === 'x1' || cells === 'b' ? 1 : 2) {
      const [lo, hi] = [bytes[k] as number, bytes[k + 1] ?? 0];
      if (cells === 'x1') out.push(hex2(lo));
      else if (cells === 'b') out.push(lo.toString(8).padStart(3, '0'));
      else if (cells === 'x') out.push(`${hex2(hi)}${hex2(lo)}`);
      else out.push(((hi << 8) | lo).toString(8).padStart(6, '0'));
    }
    return out.join(' ');
  };
  const od = (key: Buffer, cells: string, radix?: number) => {
    const offset = (at: number) => (radix === undefined ? '' : at.toString(radix).padStart(7, '0'));
    const lines: string[] = [];
    for (let at = 0; at < key.length; at += 16) lines.push(`${offset(at)} ${row(key.subarray(at, at + 16), cells)}`);
    if (radix !== undefined) lines.push(offset(key.length));
    return `${lines.join('\n')}\n`;
  };
  const keys = (text: string) => [...privateKeys(text), ...notationKeys(text)];
  const layouts: [string, string, number | undefined][] = [
    ['od -An -b', 'b', undefined],
    ['od -An -x', 'x', undefined],
    ['od -An -t x1', 'x1', undefined],
    ['od (octal words, octal offsets)', 'o', 8],
    ['od -An -o', 'o', undefined],
    ['od -A x -o', 'o', 16],
    ['od -t x1 (octal offsets)', 'x1', 8],
    ['od -A d -t x1', 'x1', 10],
    ['od -A d -b', 'b', 10],
    ['od -A d -x', 'x', 10],
  ];
  it.each(layouts)('%s: private keys are PRIVATE_KEY; public keys are not', (_n, cells, radix) => {
    for (const name of ['Ed25519 PKCS#8', 'RSA PKCS#8', 'RSA PKCS#1', 'EC SEC1'] as const) {
      expect(keys(od(der(privates[name]), cells, radix)).length, name).toBe(1);
      expect(found(od(der(privates[name]), cells, radix)).some(([type]) => type === 'PRIVATE_KEY')).toBe(true);
    }
    for (const pem of Object.values(publics)) expect(keys(od(der(pem), cells, radix))).toEqual([]);
  });
  it('control: od rows of other bytes, a key opening cut after one row, and numbers in columns are no key', () => {
    const other = Buffer.concat([Buffer.from('302e020100', 'hex'), randomBytes(60)]);
    const key = der(privates['Ed25519 PKCS#8']);
    const texts = [
      ...layouts.map(([, cells, radix]) => od(other, cells, radix)),
      ...layouts.map(([, cells, radix]) => od(key, cells, radix).split('\n')[0] as string),
      ' 060 056 002 001 000\n 100 200 300\n 027060 000402 000000\n 123456 654321\n 2e30 0102 3000\n 6c6c',
    ];
    for (const text of texts) expect(keys(text)).toEqual([]);
  });
});

describe('a DER key in dump rows of words or octal bytes, suffixed literals, escaped strings (notationKeys, bytesLiterals)', () => {
  const hex2 = (b: number) => b.toString(16).padStart(2, '0');
  const rows = (key: Buffer, offset: (at: number) => string, row: (bytes: number[]) => string) => {
    const out: string[] = [];
    for (let at = 0; at < key.length; at += 16) out.push(`${offset(at)} ${row([...key.subarray(at, at + 16)])}`);
    return `${out.join('\n')}\n${offset(key.length)}`;
  };
  /** 16-bit little-endian words (an odd last byte padded with a zero high byte, as hexdump does). */
  const words = (bytes: number[]) => {
    const out: string[] = [];
    for (let k = 0; k < bytes.length; k += 2) out.push(`${hex2(bytes[k + 1] ?? 0)}${hex2(bytes[k] as number)}`);
    return out.join(' ');
  };
  const notations: Record<string, (key: Buffer) => string> = {
    hexdump: (key) => rows(key, (at) => at.toString(16).padStart(7, '0'), words),
    'od -x': (key) => rows(key, (at) => at.toString(8).padStart(7, '0'), words),
    'od -b': (key) =>
      rows(
        key,
        (at) => at.toString(8).padStart(7, '0'),
        (b) => b.map((x) => x.toString(8).padStart(3, '0')).join(' '),
      ),
    'a C string of octal escapes': (key) => `const char k[] = "${[...key].map((b) => `\\${b.toString(8)}`).join('')}";`,
    'C strings of octal escapes, one a line': (key) =>
      `static const char *k =\n${(
        [...key]
          .map((b) => `\\${b.toString(8).padStart(3, '0')}`)
          .join('')
          .match(/.{1,64}/g) as string[]
      )
        .map((l) => `  "${l}"`)
        .join('\n')};`,
    'a JavaScript string of \\x escapes in += lines': (key) =>
      (
        [...key]
          .map((b) => `\\x${hex2(b)}`)
          .join('')
          .match(/.{1,64}/g) as string[]
      )
        .map((l, i) => `s ${i === 0 ? '=' : '+='} '${l}';`)
        .join('\n'),
    "Rust's u8 literals": (key) =>
      `let k: [u8; ${key.length}] = [${[...key].map((b) => `0x${hex2(b)}u8`).join(', ')}];`,
    "Rust's _u8 literals, wrapped": (key) =>
      `const K: &[u8] = &[\n${[...key].map((b, i) => `0x${hex2(b)}_u8,${i % 8 === 7 ? '\n' : ' '}`).join('')}];`,
    "Python's bytes repr wrapped over literals": (key) => {
      const repr = (bytes: number[]) =>
        bytes
          .map((b) =>
            b === 0x27 || b === 0x5c
              ? `\\${String.fromCharCode(b)}`
              : b >= 0x20 && b < 0x7f
                ? String.fromCharCode(b)
                : `\\x${hex2(b)}`,
          )
          .join('');
      const lines: string[] = [];
      for (let at = 0; at < key.length; at += 20) lines.push(`b'${repr([...key.subarray(at, at + 20)])}'`);
      return `(${lines.join('\n ')})`;
    },
  };
  const isKey = (text: string) => found(text).some(([type]) => type === 'PRIVATE_KEY');
  it.each(Object.entries(notations))('%s: private keys are PRIVATE_KEY; public keys are not', (_n, write) => {
    for (const name of ['Ed25519 PKCS#8', 'RSA PKCS#8', 'RSA PKCS#1', 'EC SEC1'] as const) {
      expect(isKey(write(der(privates[name]))), name).toBe(true);
    }
    for (const pem of Object.values(publics)) expect(isKey(write(der(pem)))).toBe(false);
  });
  it('control: dumps, escaped strings and suffixed literals of other bytes are no key', () => {
    const other = Buffer.concat([Buffer.from('302e020100', 'hex'), randomBytes(60)]);
    for (const write of Object.values(notations)) expect(isKey(write(other))).toBe(false);
    expect(isKey('0000000 2e30 0102 3000 0605\n0000010 6c6c 6f20\nport 30u8 0x30u8 "\\060\\056" 060 056')).toBe(false);
  });
});
