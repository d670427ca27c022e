// Session 10 (C9): a DER private key without its armor, in notations a chat or code writes it in, through the proxy:
// base64 pieces as Markdown code spans or joined by concatenation operators of common languages
// (decode-der-notations.ts pastGap), and the DER as Python's bytes repr (decode-der-literals.ts pythonBytesLiterals).
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CHAT, forwarded } from './round7-helpers.ts';

const chat = (content: string) => ({ model: 'echo-1', messages: [{ role: 'user', content }] });
const refused = async (text: string) => (await forwarded(CHAT, chat(text))) === '';

const ed = generateKeyPairSync('ed25519');
const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
const keys = {
  'Ed25519 private': ed.privateKey.export({ type: 'pkcs8', format: 'der' }),
  'RSA private': rsa.privateKey.export({ type: 'pkcs8', format: 'der' }),
};
const publics = {
  'Ed25519 public': ed.publicKey.export({ type: 'spki', format: 'der' }),
  'RSA public': rsa.publicKey.export({ type: 'spki', format: 'der' }),
};
const pieces = (der: Buffer) => der.toString('base64').match(/.{1,16}/g) as string[];
const notations: Record<string, (p: string[]) => string> = {
  'Markdown code spans': (p) => `the key is ${p.map((s) => `\`${s}\``).join(' ')}`,
  'Lua ..': (p) => `local k = ${p.map((s) => `"${s}"`).join(' ..\n  ')}`,
  'C++ <<': (p) => `std::cout << ${p.map((s) => `"${s}"`).join(' << ')};`,
  'VB & _': (p) => `k = ${p.map((s) => `"${s}"`).join(' & _\n    ')}`,
  'Python b"…" pieces': (p) => `k = (\n    ${p.map((s) => `b"${s}"`).join('\n    ')}\n)`,
};
/** Python's repr of bytes: printable ASCII as itself (`\\` and `'` escaped), every other byte as `\xNN`. */
const pythonRepr = (bytes: Buffer) =>
  `b'${bytes
    .toString('latin1')
    .replace(/[\\']/g, '\\$&')
    .replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;

describe('a DER private key in pieces joined by code notations, and as Python bytes repr', () => {
  for (const [name, der] of Object.entries(keys)) {
    it(`${name}: every notation, and Python's bytes repr, is refused`, async () => {
      for (const write of Object.values(notations)) expect(await refused(write(pieces(der)))).toBe(true);
      expect(await refused(`>>> der\n${pythonRepr(der)}`)).toBe(true);
    });
  }
  it('control: public keys in the same notations are forwarded', async () => {
    for (const der of Object.values(publics)) {
      for (const write of Object.values(notations)) expect(await refused(write(pieces(der)))).toBe(false);
      expect(await refused(`>>> der\n${pythonRepr(der)}`)).toBe(false);
    }
  });
  it('control: code concatenating ordinary words is forwarded', async () => {
    const words = ['Hello there, ', 'this is a long ', 'greeting that ', 'spans lines.'];
    expect(await refused(`local s = ${words.map((w) => `"${w}"`).join(' ..\n  ')}`)).toBe(false);
    expect(await refused(`std::cout << ${words.map((w) => `"${w}"`).join(' << ')};`)).toBe(false);
    expect(await refused(`msg = (\n    ${words.map((w) => `b"${w}"`).join('\n    ')}\n)`)).toBe(false);
    expect(await refused(String.raw`payload = b'0\x01\x02hello world\n'`)).toBe(false);
  });
});
