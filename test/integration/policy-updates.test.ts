// The updater with real bundles from `opa build`: file and HTTP(S)-style URL sources (ETag, 304), and every way a
// new bundle can be bad — corrupt, tampered, unsigned when a key is required, a wasm that traps, a failed download,
// a failed activation record — each rejected with the last good bundle still deciding.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleSource,
  createPolicyRuntime,
  createPolicyUpdater,
  parseVerificationKey,
  SMOKE_INPUT,
} from '../../src/policy/index.ts';
import type { PolicyRuntime, PolicyVersion, VerificationKey } from '../../src/policy/index.ts';
import { readTarGz } from '../../src/tar/index.ts';
import { tarGz } from '../unit/policy/tar-builder.ts';
import { buildPolicyBundle } from '../helpers/policy-bundles.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'proctor-upd-'));
const TRAPPING = fileURLToPath(new URL('../fixtures/policy/conflict.tar.gz', import.meta.url));
let v1: Buffer;
let v2: Buffer;
let signedV3: Buffer;
let key: VerificationKey;

beforeAll(() => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyFile = path.join(dir, 'signing.pem');
  writeFileSync(keyFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  key = parseVerificationKey(pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  v1 = buildPolicyBundle({ revision: 'v1' }).bytes;
  v2 = buildPolicyBundle({ revision: 'v2', config: { pci_groups: ['smoke-group'] } }).bytes;
  signedV3 = buildPolicyBundle({ revision: 'v3', signingKeyFile: keyFile, signingAlg: 'ES256' }).bytes;
}, 60_000);

function recordingRuntime(): { runtime: PolicyRuntime; activations: string[]; failNext: { value: boolean } } {
  const activations: string[] = [];
  const failNext = { value: false };
  const runtime = createPolicyRuntime({
    activate: async (version: PolicyVersion, _source, shadow) => {
      if (failNext.value) {
        failNext.value = false;
        throw new Error('ledger unavailable');
      }
      activations.push(`${version.revision}/${shadow?.revision ?? '-'}`);
    },
  });
  return { runtime, activations, failNext };
}

const activeRevision = (runtime: PolicyRuntime) => runtime.decide(SMOKE_INPUT).version?.revision;

describe('a file source', () => {
  it('activates, ignores an unchanged file, swaps, and keeps the last good bundle on every kind of bad bundle', async () => {
    const file = path.join(dir, 'active.tar.gz');
    writeFileSync(file, v1);
    const { runtime, activations, failNext } = recordingRuntime();
    const updater = createPolicyUpdater({ runtime, active: bundleSource(file) });
    expect(await updater.refresh()).toEqual([
      { slot: 'active', outcome: 'activated', revision: 'v1', sha256: expect.any(String) },
    ]);
    expect(await updater.refresh()).toEqual([{ slot: 'active', outcome: 'unchanged' }]);

    const corrupt = Buffer.from(v2);
    corrupt.fill(0, 40, 400);
    const tampered = tarGz(
      [...readTarGz(v2)].map(([name, content]) => ({
        name: `/${name}`,
        content: name === 'policy.wasm' ? content.subarray(0, 100) : content,
      })),
    );
    const bad: [string, Buffer][] = [
      ['ERR_POLICY_BUNDLE_INVALID', corrupt],
      ['ERR_POLICY_BUNDLE_INVALID', tampered],
      ['ERR_POLICY_SMOKE_FAILED', Buffer.from(await import('node:fs/promises').then((fs) => fs.readFile(TRAPPING)))],
    ];
    for (const [code, bytes] of bad) {
      writeFileSync(file, bytes);
      expect(await updater.refresh()).toEqual([
        { slot: 'active', outcome: 'rejected', code, message: expect.any(String) },
      ]);
      expect(activeRevision(runtime)).toBe('v1');
    }

    writeFileSync(file, v2);
    failNext.value = true;
    expect(await updater.refresh()).toMatchObject([{ outcome: 'rejected', code: 'ERR_POLICY_ACTIVATION_FAILED' }]);
    expect(activeRevision(runtime)).toBe('v1');
    // A failed record is not a verdict on the bundle: the next refresh tries again.
    expect(await updater.refresh()).toMatchObject([{ outcome: 'activated', revision: 'v2' }]);
    expect(activeRevision(runtime)).toBe('v2');
    expect(activations).toEqual(['v1/-', 'v2/-']);

    const missing = bundleSource(path.join(dir, 'nope.tar.gz'));
    const other = createPolicyUpdater({ runtime, active: missing });
    expect(await other.refresh()).toMatchObject([{ outcome: 'rejected', code: 'ERR_POLICY_BUNDLE_UNAVAILABLE' }]);
    expect(activeRevision(runtime)).toBe('v2');
  });

  it('requires a signature when a key is configured', async () => {
    const file = path.join(dir, 'signed.tar.gz');
    writeFileSync(file, signedV3);
    const { runtime } = recordingRuntime();
    const updater = createPolicyUpdater({ runtime, active: bundleSource(file), verificationKey: key });
    expect(await updater.refresh()).toMatchObject([{ outcome: 'activated', revision: 'v3' }]);
    writeFileSync(file, v2);
    expect(await updater.refresh()).toMatchObject([{ outcome: 'rejected', code: 'ERR_POLICY_SIGNATURE_MISSING' }]);
    const data = readTarGz(signedV3).get('data.json')?.toString().replace('"US_SSN"', '"NONE"') ?? '';
    writeFileSync(
      file,
      tarGz(
        [...readTarGz(signedV3)].map(([name, content]) => ({
          name: `/${name}`,
          content: name === 'data.json' ? data : content,
        })),
      ),
    );
    expect(await updater.refresh()).toMatchObject([{ outcome: 'rejected', code: 'ERR_POLICY_SIGNATURE_INVALID' }]);
    expect(activeRevision(runtime)).toBe('v3');
  });

  it('loads a shadow beside the active bundle and records both in one activation', async () => {
    const active = path.join(dir, 'a.tar.gz');
    const shadow = path.join(dir, 's.tar.gz');
    writeFileSync(active, v1);
    writeFileSync(shadow, v2);
    const { runtime, activations, failNext } = recordingRuntime();
    const updater = createPolicyUpdater({ runtime, active: bundleSource(active), shadow: bundleSource(shadow) });
    // The record fails: neither bundle goes in, both are reported, and both are tried again on the next refresh.
    failNext.value = true;
    expect(await updater.refresh()).toMatchObject([
      { slot: 'active', outcome: 'rejected', code: 'ERR_POLICY_ACTIVATION_FAILED' },
      { slot: 'shadow', outcome: 'rejected', code: 'ERR_POLICY_ACTIVATION_FAILED' },
    ]);
    expect(runtime.current()).toEqual({ active: null, shadow: null });
    expect(await updater.refresh()).toMatchObject([
      { slot: 'active', outcome: 'activated', revision: 'v1' },
      { slot: 'shadow', outcome: 'activated', revision: 'v2' },
    ]);
    expect(activations).toEqual(['v1/v2']);
    // Later, a change to one slot is recorded with the other slot's current version.
    writeFileSync(shadow, signedV3);
    expect(await updater.refresh()).toMatchObject([
      { slot: 'active', outcome: 'unchanged' },
      { slot: 'shadow', outcome: 'activated', revision: 'v3' },
    ]);
    expect(activations).toEqual(['v1/v2', 'v1/v3']);
    writeFileSync(shadow, v2);
    await updater.refresh();
    // v2 lets smoke-group send card data; v1 does not: the shadow disagreement is reported with v2's version.
    const input = {
      ...SMOKE_INPUT,
      request: { ...SMOKE_INPUT.request, model: 'echo-1' },
      classification: { ...SMOKE_INPUT.classification, types: { CREDIT_CARD: 1 }, categories: { PCI: 1 } },
    };
    const result = runtime.decide(input);
    expect(result.version?.revision).toBe('v1');
    expect(result.decision.reasons.map((r) => r.code)).toContain('PCI_NOT_PERMITTED');
    expect(result.shadow?.version.revision).toBe('v2');
    expect(result.shadow?.decision.reasons.map((r) => r.code) ?? []).not.toContain('PCI_NOT_PERMITTED');
  });
});

describe('a URL source', () => {
  let server: Server;
  let url: string;
  const served = { bytes: v1 as Buffer | null, status: 200, etag: '"1"' };
  const seen: (string | undefined)[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.headers['if-none-match']);
      if (request.headers.authorization !== `Basic ${Buffer.from('user:secret').toString('base64')}`)
        return void response.writeHead(401).end();
      if (served.status !== 200) return void response.writeHead(served.status).end();
      if (request.headers['if-none-match'] === served.etag) return void response.writeHead(304).end();
      response.writeHead(200, { etag: served.etag, 'content-type': 'application/gzip' }).end(served.bytes);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://user:secret@127.0.0.1:${(server.address() as AddressInfo).port}/bundles/active.tar.gz?token=abc`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('polls with If-None-Match, swaps on a new ETag, keeps the last good bundle on errors, and never records credentials', async () => {
    served.bytes = v1;
    const { runtime } = recordingRuntime();
    const source = bundleSource(url);
    expect(source.label).toBe(`http://127.0.0.1:${new URL(url).port}/bundles/active.tar.gz`);
    const updater = createPolicyUpdater({ runtime, active: source });
    expect(await updater.refresh()).toMatchObject([{ outcome: 'activated', revision: 'v1' }]);
    expect(await updater.refresh()).toEqual([{ slot: 'active', outcome: 'unchanged' }]);
    expect(seen.slice(-2)).toEqual([undefined, '"1"']);
    expect(runtime.current().active?.source).toBe(source.label);

    served.status = 503;
    expect(await updater.refresh()).toMatchObject([{ outcome: 'rejected', code: 'ERR_POLICY_BUNDLE_UNAVAILABLE' }]);
    served.status = 200;
    Object.assign(served, { bytes: Buffer.from('not a bundle'), etag: '"2"' });
    expect(await updater.refresh()).toMatchObject([{ outcome: 'rejected', code: 'ERR_POLICY_BUNDLE_INVALID' }]);
    expect(activeRevision(runtime)).toBe('v1');
    Object.assign(served, { bytes: v2, etag: '"3"' });
    expect(await updater.refresh()).toMatchObject([{ outcome: 'activated', revision: 'v2' }]);
  });

  it('refuses a body over the size limit and an unsupported scheme', async () => {
    Object.assign(served, { bytes: v1, etag: '"big"' });
    const { runtime } = recordingRuntime();
    const updater = createPolicyUpdater({ runtime, active: bundleSource(url, { maxBytes: 1000 }) });
    expect(await updater.refresh()).toMatchObject([{ outcome: 'rejected', code: 'ERR_POLICY_BUNDLE_UNAVAILABLE' }]);
    expect(() => bundleSource('ftp://example.com/b.tar.gz')).toThrow(
      expect.objectContaining({ code: 'ERR_POLICY_CONFIG' }),
    );
  });
});
