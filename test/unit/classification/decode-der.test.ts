// Private keys in DER as a bare base64 run (decode-der.ts): PKCS#8, PKCS#1 and SEC1 private keys read as their PEM
// block and are found as PRIVATE_KEY over the run; certificates and public keys of the same algorithms are not.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { opensPrivateKey, privateKeyArmor } from '../../../src/classification/decode-der.ts';
import { createClassifier } from '../../../src/classification/index.ts';

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
});
