// Ledger signing on the native addon (native/ed25519-batch, Ed25519SigningKey) against node:crypto, the reference: RFC
// 8032 §7.1 vectors, random keys and messages byte-identical to node:crypto.sign, the node:crypto fallback (addon
// absent, PROCTOR_ED25519_NATIVE=off, or an addon that disagrees on a key), and bad inputs rejected. The native cases
// run when the addon is built (scripts/native.sh); PROCTOR_REQUIRE_NATIVE=1 (and CI=true) makes its absence a failure.
import { execFileSync } from 'node:child_process';
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  randomInt,
  sign,
  verify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nativeEd25519, nativeSigningKey } from '../../../src/ledger/ed25519-batch.ts';
import type { NativeEd25519, NativeSigningKey } from '../../../src/ledger/ed25519-batch.ts';
import { loadSigner } from '../../../src/ledger/keys.ts';
import { signingMessage } from '../../../src/ledger/record.ts';
import { RFC8032_VECTORS } from './rfc8032-vectors.ts';

const addon = nativeEd25519();
const NativeKey = addon?.Ed25519SigningKey ?? null;
const LEDGER_MESSAGE_LENGTH = signingMessage(new Uint8Array(32)).length;

function pkcs8Pem(seedHex: string): string {
  const der = Buffer.from(`302e020100300506032b657004220420${seedHex}`, 'hex');
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

function seedOf(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: 'jwk' }).d as string, 'base64url');
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** An addon double that signs with node:crypto, with one fault injected (or none): it records the seeds it is given. */
function fakeAddon(fault: 'none' | 'signature' | 'public-key' | 'constructor', seen: Uint8Array[] = []): NativeEd25519 {
  class Fake implements NativeSigningKey {
    readonly #key: KeyObject;
    constructor(seed: Uint8Array) {
      seen.push(seed);
      if (fault === 'constructor') throw new Error('addon failure');
      this.#key = createPrivateKey({
        key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
        format: 'der',
        type: 'pkcs8',
      });
    }
    publicKey(): Uint8Array {
      const raw = Buffer.from(createPublicKey(this.#key).export({ format: 'jwk' }).x as string, 'base64url');
      if (fault === 'public-key') raw[0] = (raw[0] as number) ^ 1;
      return raw;
    }
    signBatch(messages: Uint8Array, messageLength: number, count: number): Uint8Array {
      const out = Buffer.alloc(count * 64);
      for (let i = 0; i < count; i++)
        sign(null, messages.subarray(i * messageLength, (i + 1) * messageLength), this.#key).copy(out, i * 64);
      if (fault === 'signature') out[0] = (out[0] as number) ^ 1;
      return out;
    }
  }
  return { verifyBatch: () => new Uint8Array(), Ed25519SigningKey: Fake };
}

describe('the ledger signing backend', () => {
  it('is the native addon when it is built, node:crypto otherwise', () => {
    const signer = loadSigner(pkcs8Pem(RFC8032_VECTORS[0]!.seed));
    expect(signer.backend).toBe(NativeKey === null ? 'node-crypto' : 'native-ed25519-dalek');
    const required =
      process.env.PROCTOR_REQUIRE_NATIVE === '1' ||
      (process.env.CI === 'true' && process.env.PROCTOR_ED25519_NATIVE !== 'off');
    if (required) expect(NativeKey, 'the native addon with Ed25519SigningKey (scripts/native.sh)').not.toBeNull();
  });

  it('is node:crypto when PROCTOR_ED25519_NATIVE=off, with the same signatures', () => {
    const v = RFC8032_VECTORS[2]!;
    const script = `
      const { loadSigner } = await import(${JSON.stringify(new URL('../../../src/ledger/keys.ts', import.meta.url).href)});
      const signer = loadSigner(${JSON.stringify(pkcs8Pem(v.seed))});
      const sig = await signer.sign(Buffer.from('${v.message}', 'hex'));
      const many = await signer.signMany([Buffer.from('${v.message}', 'hex')]);
      console.log(JSON.stringify({ backend: signer.backend, sig: Buffer.from(sig).toString('hex'), many: Buffer.from(many[0]).toString('hex') }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, PROCTOR_ED25519_NATIVE: 'off' },
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual({ backend: 'node-crypto', sig: v.signature, many: v.signature });
  });

  it('signs with node:crypto when there is no addon', async () => {
    const signer = loadSigner(pkcs8Pem(RFC8032_VECTORS[1]!.seed), null);
    expect(signer.backend).toBe('node-crypto');
    expect(hex(await signer.sign(Buffer.from(RFC8032_VECTORS[1]!.message, 'hex')))).toBe(RFC8032_VECTORS[1]!.signature);
  });

  it.each(['signature', 'public-key', 'constructor'] as const)(
    'falls back to node:crypto for a key whose native %s disagrees',
    async (fault) => {
      const seen: Uint8Array[] = [];
      const v = RFC8032_VECTORS[3]!;
      const signer = loadSigner(pkcs8Pem(v.seed), fakeAddon(fault, seen));
      expect(signer.backend).toBe('node-crypto');
      const message = Buffer.from(v.message, 'hex');
      expect(hex(await signer.sign(message))).toBe(v.signature);
      expect((await signer.signMany!(Array.from({ length: 20 }, () => message))).map(hex)).toEqual(
        Array.from({ length: 20 }, () => v.signature),
      );
      // the seed handed to the addon was wiped afterwards (the addon keeps its own copy)
      expect(seen).toHaveLength(1);
      expect(hex(seen[0]!)).toBe('00'.repeat(32));
    },
  );

  it('uses a native key that agrees with node:crypto, wiping the seed it handed over', async () => {
    const seen: Uint8Array[] = [];
    const v = RFC8032_VECTORS[4]!;
    const signer = loadSigner(pkcs8Pem(v.seed), fakeAddon('none', seen));
    expect(signer.backend).toBe('native-ed25519-dalek');
    expect(hex(await signer.sign(Buffer.from(v.message, 'hex')))).toBe(v.signature);
    expect(hex(seen[0]!)).toBe('00'.repeat(32));
  });

  it('never builds a native key for a key that is not an Ed25519 private key', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const { privateKey: ec } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(nativeSigningKey(publicKey, addon)).toBeNull();
    expect(nativeSigningKey(ec, addon)).toBeNull();
    expect(nativeSigningKey(generateKeyPairSync('ed25519').privateKey, null)).toBeNull();
    expect(
      nativeSigningKey(generateKeyPairSync('ed25519').privateKey, { verifyBatch: () => new Uint8Array() }),
    ).toBeNull();
  });
});

describe.each(RFC8032_VECTORS.map((v) => [v.name, v] as const))('RFC 8032 §7.1 %s', (_name, v) => {
  const message = Buffer.from(v.message, 'hex');

  it('is a valid vector under node:crypto (transcription check)', () => {
    const publicKey = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(v.publicKey, 'hex').toString('base64url') },
      format: 'jwk',
    });
    expect(verify(null, message, publicKey, Buffer.from(v.signature, 'hex'))).toBe(true);
    expect(hex(sign(null, message, createPrivateKey(pkcs8Pem(v.seed))))).toBe(v.signature);
  });

  it.skipIf(NativeKey === null)('signBatch gives its public key and signature, once and three times over', () => {
    const key = new NativeKey!(Buffer.from(v.seed, 'hex'));
    expect(hex(key.publicKey())).toBe(v.publicKey);
    expect(hex(key.signBatch(message, message.length, 1))).toBe(v.signature);
    expect(hex(key.signBatch(Buffer.concat([message, message, message]), message.length, 3))).toBe(
      v.signature.repeat(3),
    );
  });

  it('loadSigner signs it the same with and without the addon', async () => {
    for (const signer of [loadSigner(pkcs8Pem(v.seed)), loadSigner(pkcs8Pem(v.seed), null)]) {
      expect(hex(await signer.sign(message))).toBe(v.signature);
      expect((await signer.signMany!([message, message])).map(hex)).toEqual([v.signature, v.signature]);
    }
  });
});

describe.skipIf(NativeKey === null)('native Ed25519SigningKey', () => {
  const lengths = [0, 1, 31, 32, 33, 63, 64, 65, LEDGER_MESSAGE_LENGTH, 127, 128, 1000];

  it('matches node:crypto.sign for random keys and messages of many lengths', () => {
    for (let k = 0; k < 6; k++) {
      const { privateKey } = generateKeyPairSync('ed25519');
      const key = new NativeKey!(seedOf(privateKey));
      for (const length of lengths) {
        const count = randomInt(1, 40);
        const messages = randomBytes(length * count);
        const expected = Array.from({ length: count }, (_, i) =>
          hex(sign(null, messages.subarray(i * length, (i + 1) * length), privateKey)),
        ).join('');
        expect(hex(key.signBatch(messages, length, count)), `key ${k}, ${count} x ${length} bytes`).toBe(expected);
      }
    }
  });

  it('signs through loadSigner like node:crypto: ledger batches, mixed lengths, empty and single', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const signer = loadSigner(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(signer.backend).toBe('native-ed25519-dalek');
    const ledger = Array.from({ length: 64 }, () => signingMessage(randomBytes(32)));
    const mixed = lengths.map((l) => randomBytes(l));
    for (const batch of [ledger, mixed, ledger.slice(0, 1), []]) {
      const sigs = await signer.signMany!(batch);
      expect(sigs.map(hex)).toEqual(batch.map((m) => hex(sign(null, m, privateKey))));
      sigs.forEach((s) => expect(s).toBeInstanceOf(Uint8Array));
    }
    expect(hex(await signer.sign(ledger[0]!))).toBe(hex(sign(null, ledger[0]!, privateKey)));
  });

  it('accepts plain Uint8Arrays and views as well as Buffers', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const key = new NativeKey!(new Uint8Array(seedOf(privateKey)));
    const message = new Uint8Array(randomBytes(LEDGER_MESSAGE_LENGTH));
    expect(hex(key.signBatch(message, message.length, 1))).toBe(hex(sign(null, message, privateKey)));
    // a view into a larger buffer signs the view's bytes only
    const backing = randomBytes(3 * LEDGER_MESSAGE_LENGTH);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + LEDGER_MESSAGE_LENGTH, LEDGER_MESSAGE_LENGTH);
    expect(hex(key.signBatch(view, view.length, 1))).toBe(hex(sign(null, view, privateKey)));
  });

  it('rejects a seed that is not 32 bytes, naming its length and not its bytes', () => {
    for (const length of [0, 31, 33, 64]) {
      const seed = Buffer.alloc(length, 0xab);
      let error: unknown;
      try {
        new NativeKey!(seed);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(Error);
      expect((error as { code?: string }).code).toBe('InvalidArg');
      expect((error as Error).message).toBe(`seed: ${length} bytes, expected 32`);
    }
    expect(() => new NativeKey!('not bytes' as unknown as Uint8Array)).toThrow();
  });

  it('rejects messages whose length is not count x messageLength', () => {
    const key = new NativeKey!(randomBytes(32));
    const cases: [number, number, number, RegExp][] = [
      [5, 3, 2, /^messages: 5 bytes, expected 6 \(2 of 3 bytes\)$/],
      [7, 3, 2, /^messages: 7 bytes, expected 6/],
      [1, 0, 1, /^messages: 1 bytes, expected 0/],
      [0, 1, 1, /^messages: 0 bytes, expected 1/],
      [5, 0xffffffff, 0xffffffff, /^messages: 5 bytes, expected /],
    ];
    for (const [bytes, length, count, message] of cases) {
      expect(() => key.signBatch(Buffer.alloc(bytes), length, count)).toThrow(message);
    }
    expect(key.signBatch(Buffer.alloc(0), 0, 0)).toHaveLength(0);
  });
});
