// Round 9 (session 11, C7), armored private key blocks (PRIVATE_KEY, recognizers-secrets.ts; isPrivateKeyBlock,
// validators.ts). The validator counted a block's body only up to its first `-`: a key whose body holds a `-` inside
// its lines, or a legacy encrypted key (`Proc-Type:` header), was not a key, and an encrypted key (no DER to decode)
// after unterminated openings was one rejected match with them, found again only if the re-search budget (matching.ts,
// 16 re-searches of a long region) reached it. Closed (validators.ts): the body after any BEGIN line up to the END
// counts every base64 character whatever noise lies between them, capitals ≥ 1/8. Each case goes through the real
// pipeline: a chat message, a chat tool call's arguments, an Anthropic answer and a chat stream in 7-character deltas.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CLOSED, fates, isForwarded } from './round9-helpers.ts';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const PKCS8 = rsa.export({ type: 'pkcs8', format: 'pem' }) as string;
const PKCS1 = rsa.export({ type: 'pkcs1', format: 'pem' }) as string;
const SEC1 = ec.export({ type: 'sec1', format: 'pem' }) as string;
/** Legacy OpenSSL encryption: `Proc-Type: 4,ENCRYPTED` and `DEK-Info: AES-256-CBC,…` headers, a random body. */
const LEGACY = rsa.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string;
const ENCRYPTED = rsa.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string;
/** An OpenSSH key's armor around its `openssh-key-v1` body (random bytes after the magic), 70 characters a line. */
const OPENSSH = (() => {
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer,
    rsa.export({ type: 'pkcs1', format: 'der' }) as Buffer,
  ]).toString('base64');
  const lines = body.match(/.{1,70}/g) as string[];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
})();

/** The armor's two lines and the body's lines. */
const parts = (pem: string) => {
  const lines = pem.trim().split('\n');
  return { begin: lines[0] as string, body: lines.slice(1, -1), end: lines.at(-1) as string };
};
/** A piece of the body's last full line that only this key holds. */
const probeOf = (pem: string) => {
  const body = parts(pem).body.filter((l) => !l.includes(':') && l !== '');
  return (body[body.length - 2] as string).slice(8, 32);
};
/** `pem` with each body line written by `line`, and `before` after the BEGIN line. */
const rewritten = (pem: string, line: (l: string, i: number) => string, before = '') => {
  const { begin, body, end } = parts(pem);
  return `${begin}\n${before}${body.map(line).join('\n')}\n${end}`;
};
const KEYS = { PKCS8, PKCS1, SEC1, OPENSSH } as const;

async function refusedEverywhere(text: string, probe: string) {
  expect(await fates(text, probe)).toEqual(CLOSED);
  expect(await isForwarded(text, true)).toBe(false);
}

describe('a PEM private key whose body holds a `-`', () => {
  const layouts: [string, (l: string, i: number) => string, string][] = [
    ['a lone "-" line opening the body', (l) => l, '-\n'],
    ['a "--" line opening the body', (l) => l, '--\n'],
    ['a "-----" line opening the body', (l) => l, '-----\n'],
    ['"- " bulleted lines', (l) => `- ${l}`, ''],
    ['"• " bulleted lines', (l) => `• ${l}`, ''],
    ['a "-" inside each line', (l) => `${l.slice(0, 20)}-${l.slice(20)}`, ''],
  ];
  for (const [kind, pem] of Object.entries(KEYS)) {
    it.each(layouts)(`${kind}, %s: refused and withheld`, async (_name, line, before) => {
      await refusedEverywhere(rewritten(pem, line, before), probeOf(pem));
    });
  }
  it('a legacy encrypted key (Proc-Type, DEK-Info headers): refused and withheld', async () => {
    await refusedEverywhere(LEGACY, probeOf(LEGACY));
  });
});

describe('a real key after decoy openings and rejected blocks', () => {
  const open = '-----BEGIN PRIVATE KEY-----\n';
  it.each([10, 100, 1_000, 5_000])('after %i unterminated openings: refused and withheld', async (n) => {
    await refusedEverywhere(`${open.repeat(n)}${PKCS8}`, probeOf(PKCS8));
  });
  it.each([10, 100, 1_000, 5_000])('an encrypted key (no DER to decode) after %i unterminated openings', async (n) => {
    await refusedEverywhere(`${open.repeat(n)}${ENCRYPTED}`, probeOf(ENCRYPTED));
    await refusedEverywhere(`${open.repeat(n)}${LEGACY}`, probeOf(LEGACY));
  });
  it.each([10, 100, 1_000])('after %i rejected blocks (placeholders, short bodies): refused', async (n) => {
    const decoys = [
      `${open}MIIEvQIBADANBg...\n-----END PRIVATE KEY-----\n`,
      `${open}<your key here>\n-----END PRIVATE KEY-----\n`,
      `${open}EXAMPLEKEYEXAMPLEKEYEXAMPLEKEYEXAMPLEKEYEXAMPLEKEYEXAMPLEKEYEXAMPLEKEY\n-----END PRIVATE KEY-----\n`,
    ];
    const text = Array.from({ length: n }, (_, i) => decoys[i % 3]).join('');
    await refusedEverywhere(`${text}${PKCS8}`, probeOf(PKCS8));
    await refusedEverywhere(`${text}${ENCRYPTED}`, probeOf(ENCRYPTED));
  });
  it('a BEGIN line preceded on its line by another BEGIN: refused and withheld', async () => {
    await refusedEverywhere(`-----BEGIN PRIVATE KEY-----${PKCS8}`, probeOf(PKCS8));
    await refusedEverywhere(`-----BEGIN RSA PRIVATE KEY----- ${PKCS1}`, probeOf(PKCS1));
    await refusedEverywhere(`-----BEGIN PRIVATE KEY-----${ENCRYPTED}`, probeOf(ENCRYPTED));
  });
});

describe('a key cut off before its END line, followed by another block', () => {
  const cut = (pem: string) => pem.trim().split('\n').slice(0, -1).join('\n');
  const cert = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n-----END CERTIFICATE-----\n';
  it.each([
    ['a certificate', cert],
    ['a placeholder private key block', '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n'],
  ])('an encrypted key, then %s: refused and withheld', async (_name, after) => {
    await refusedEverywhere(`${cut(LEGACY)}\n${after}`, probeOf(LEGACY));
    await refusedEverywhere(`${cut(ENCRYPTED)}\n${after}`, probeOf(ENCRYPTED));
  });
});

describe('variants a model reads as the same key', () => {
  const variants: [string, string, string][] = [
    ['CRLF line ends', PKCS8.replace(/\n/g, '\r\n'), probeOf(PKCS8)],
    ['YAML | indented lines', `key: |\n${PKCS1.trim().replace(/^/gm, '  ')}\n`, probeOf(PKCS1)],
    ['JSON string with \\n', JSON.stringify({ key: SEC1 }), probeOf(SEC1)],
    ['spaces inside body lines', rewritten(PKCS8, (l) => l.replace(/(.{8})/g, '$1 ')), probeOf(PKCS8).slice(0, 6)],
    ['lowercase begin/end', PKCS8.replace(/BEGIN/, 'begin').replace(/END/, 'end'), probeOf(PKCS8)],
    ['extra dashes', PKCS8.replace(/-----/g, '--------'), probeOf(PKCS8)],
    ['BEGIN ENCRYPTED PRIVATE KEY', ENCRYPTED, probeOf(ENCRYPTED)],
    ['BEGIN OPENSSH PRIVATE KEY', OPENSSH, probeOf(OPENSSH)],
  ];
  it.each(variants)('%s: refused and withheld', async (_name, text, probe) => {
    await refusedEverywhere(text, probe);
  });
});

describe('controls: texts about keys that hold none are forwarded', () => {
  it.each([
    ['a placeholder body', '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----'],
    ['a cut body', '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC...\n-----END PRIVATE KEY-----'],
    [
      'a body of prose',
      '-----BEGIN PRIVATE KEY-----\n(base64-encoded key data goes here: about 1,600 characters on lines of sixty-four)\n-----END PRIVATE KEY-----',
    ],
    [
      'a bulleted body of prose',
      '-----BEGIN RSA PRIVATE KEY-----\n- paste the base64 lines of your key file here\n- keep the BEGIN and END lines as they are\n-----END RSA PRIVATE KEY-----',
    ],
    ['a public key', generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string],
  ])('%s: forwarded', async (_name, text) => {
    expect(await isForwarded(`How do I load this?\n${text}`)).toBe(true);
  });
});

describe('private keys in other containers', () => {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as { d: string };
  const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer;
  const priv = Buffer.concat([Buffer.from([0, 0, 0, 32]), ed.subarray(16)]).toString('base64');
  const ppk = `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: eddsa-key-20261207\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9\nGKJl\nPrivate-Lines: 1\n${priv}\nPrivate-MAC: 2a4fbd2c0b2f3c1a9e8d7f6b5a4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c\n`;
  it('a JWK private key ("d"): refused and withheld', async () => {
    await refusedEverywhere(JSON.stringify(jwk, null, 2), jwk.d.slice(4, 28));
  });
  it('a PuTTY .ppk (PuTTY-User-Key-File-3, Private-Lines): refused and withheld', async () => {
    await refusedEverywhere(ppk, priv.slice(8, 30));
  });
});
