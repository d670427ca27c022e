// OPA bundle signatures, end to end: bundles signed by the real `opa build --signing-key` verify with jose against
// the public key; tampered, unsigned-when-required, wrongly-signed and padded bundles are refused with stable codes.
// Data with escapes, non-ASCII text and number literals proves our digest walk matches OPA's.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCandidate, openBundle, parseVerificationKey } from '../../src/policy/index.ts';
import type { VerificationKey } from '../../src/policy/index.ts';
import { readTarGz } from '../../src/tar/index.ts';
import { tarGz } from '../unit/policy/tar-builder.ts';
import { buildPolicyBundle } from '../helpers/policy-bundles.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'proctor-sign-'));
function keyPair(type: 'rsa' | 'ec' | 'ed25519'): { privateFile: string; key: VerificationKey; publicPem: string } {
  const pair =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : type === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  const privateFile = path.join(dir, `${type}.pem`);
  writeFileSync(privateFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { privateFile, key: parseVerificationKey(publicPem), publicPem };
}

/** The bundle's members with some replaced (undefined removes one), re-packed. */
function repack(
  bytes: Buffer,
  changes: Record<string, string | Buffer | undefined>,
  extra: Record<string, string> = {},
): Buffer {
  const entries = [];
  for (const [name, content] of readTarGz(bytes)) {
    const next = Object.hasOwn(changes, name) ? changes[name] : content;
    if (next !== undefined) entries.push({ name: `/${name}`, content: next });
  }
  for (const [name, content] of Object.entries(extra)) entries.push({ name: `/${name}`, content });
  return tarGz(entries);
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (err: unknown) => (err as { code?: string }).code ?? 'no code',
  );
}

let rsa: ReturnType<typeof keyPair>;
let signed: Buffer;
let unsigned: Buffer;

beforeAll(() => {
  rsa = keyPair('rsa');
  signed = buildPolicyBundle({ revision: 'signed-1', signingKeyFile: rsa.privateFile }).bytes;
  unsigned = buildPolicyBundle({ revision: 'unsigned-1' }).bytes;
}, 60_000);

describe('OPA bundle signatures', () => {
  it('verifies a bundle signed by opa build, and loads it', async () => {
    const opened = await openBundle(signed, { verificationKey: rsa.key });
    expect(opened.signature).toMatchObject({ status: 'verified', algorithm: 'RS256' });
    const engine = await loadCandidate(signed, rsa.key);
    expect(engine.version.revision).toBe('signed-1');
  });

  it.each(['ec', 'ed25519'] as const)(
    'verifies %s signatures, with the algorithm pinned by the key',
    async (type) => {
      const pair = keyPair(type);
      const bytes = buildPolicyBundle({
        revision: `signed-${type}`,
        signingKeyFile: pair.privateFile,
        signingAlg: type === 'ec' ? 'ES256' : 'EdDSA',
      }).bytes;
      expect((await openBundle(bytes, { verificationKey: pair.key })).signature.status).toBe('verified');
      // The RSA key cannot verify it, whatever the token header says.
      expect(await codeOf(openBundle(bytes, { verificationKey: rsa.key }))).toBe('ERR_POLICY_SIGNATURE_INVALID');
    },
    30_000,
  );

  it('matches OPA digests for data with escapes, non-ASCII text and number literals', async () => {
    const config = {
      notes: {
        html: '<a href="x">&amp;</a>',
        unicode: 'café ☕ 𝄞 \u2028',
        control: 'tab\tnl\n',
        numbers: [1.5, 1e3, -0, 10.25],
      },
    };
    const bytes = buildPolicyBundle({ revision: 'escapes', config, signingKeyFile: rsa.privateFile }).bytes;
    expect((await openBundle(bytes, { verificationKey: rsa.key })).signature.status).toBe('verified');
  }, 30_000);

  it('refuses an unsigned bundle when a key is configured', async () => {
    expect(await codeOf(loadCandidate(unsigned, rsa.key))).toBe('ERR_POLICY_SIGNATURE_MISSING');
  });

  it('refuses a bundle signed by another key', async () => {
    const other = keyPair('rsa');
    expect(await codeOf(loadCandidate(signed, other.key))).toBe('ERR_POLICY_SIGNATURE_INVALID');
  });

  it('refuses tampered data, wasm and manifest', async () => {
    const data = readTarGz(signed).get('data.json')?.toString() ?? '';
    const tamperedData = data.replace('"pci-processors"', '"everyone"');
    expect(tamperedData).not.toBe(data);
    expect(await codeOf(loadCandidate(repack(signed, { 'data.json': tamperedData }), rsa.key))).toBe(
      'ERR_POLICY_SIGNATURE_INVALID',
    );
    const wasm = Buffer.from(readTarGz(signed).get('policy.wasm') ?? Buffer.alloc(0));
    wasm[wasm.length - 1] = (wasm[wasm.length - 1] ?? 0) ^ 1;
    expect(await codeOf(loadCandidate(repack(signed, { 'policy.wasm': wasm }), rsa.key))).toBe(
      'ERR_POLICY_SIGNATURE_INVALID',
    );
    const manifest = readTarGz(signed).get('.manifest')?.toString().replace('signed-1', 'signed-2') ?? '';
    expect(await codeOf(loadCandidate(repack(signed, { '.manifest': manifest }), rsa.key))).toBe(
      'ERR_POLICY_SIGNATURE_INVALID',
    );
  });

  it('accepts a re-serialised but equal JSON file (OPA hashes JSON structurally)', async () => {
    const data = JSON.parse(readTarGz(signed).get('data.json')?.toString() ?? '{}') as unknown;
    const pretty = JSON.stringify(data, null, 4);
    expect(await codeOf(loadCandidate(repack(signed, { 'data.json': pretty }), rsa.key))).toBe('resolved');
  });

  it('refuses an unsigned extra file, a signed file that is missing, and a second signature', async () => {
    expect(await codeOf(loadCandidate(repack(signed, {}, { 'extra.rego': 'package x' }), rsa.key))).toBe(
      'ERR_POLICY_SIGNATURE_INVALID',
    );
    const listedSource = [...readTarGz(signed).keys()].find((n) => n.endsWith('.rego'));
    expect(listedSource).toBeDefined();
    expect(await codeOf(loadCandidate(repack(signed, { [listedSource as string]: undefined }), rsa.key))).toBe(
      'ERR_POLICY_SIGNATURE_INVALID',
    );
    const sigs = JSON.parse(readTarGz(signed).get('.signatures.json')?.toString() ?? '{}') as { signatures: string[] };
    const doubled = JSON.stringify({ signatures: [sigs.signatures[0], sigs.signatures[0]] });
    expect(await codeOf(loadCandidate(repack(signed, { '.signatures.json': doubled }), rsa.key))).toBe(
      'ERR_POLICY_SIGNATURE_INVALID',
    );
  });

  it('reports a signed bundle loaded without a key as not verified', async () => {
    expect((await openBundle(signed)).signature.status).toBe('not_verified');
    expect((await openBundle(unsigned)).signature.status).toBe('unsigned');
  });

  it('refuses a private key or garbage as the configured key', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => parseVerificationKey(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())).toThrow(
      expect.objectContaining({ code: 'ERR_POLICY_CONFIG' }),
    );
    expect(() => parseVerificationKey('not a key')).toThrow(expect.objectContaining({ code: 'ERR_POLICY_CONFIG' }));
    const jwk = JSON.stringify(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }));
    expect(parseVerificationKey(jwk).algorithms).toContain('EdDSA');
  });
});
