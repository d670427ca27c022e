import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPolicyBundle, loadPolicyBundleBytes, PolicyError } from '../../../src/policy/index.ts';
import type { PolicyInput } from '../../../src/policy/index.ts';
import { readTarGz } from '../../../src/tar/index.ts';
import { tarGz } from './tar-builder.ts';
import type { TarEntry } from './tar-builder.ts';

const path = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));
const DEFAULT_BUNDLE = path('../../../bundles/default.tar.gz');
const FIXTURES = '../../fixtures/policy/';

const real = readTarGz(readFileSync(DEFAULT_BUNDLE));
const realFile = (name: string): Buffer => {
  const file = real.get(name);
  if (file === undefined) throw new Error(`default bundle lacks ${name}`);
  return file;
};
const manifest = JSON.parse(realFile('.manifest').toString()) as Record<string, unknown>;

/** The default bundle's files with some replaced (undefined content removes the file). */
function bundleWith(changes: Record<string, string | Buffer | undefined>, extra: TarEntry[] = []): Buffer {
  const entries: TarEntry[] = [];
  for (const [name, content] of real) {
    const changed = Object.hasOwn(changes, name) ? changes[name] : content;
    if (changed !== undefined) entries.push({ name: `/${name}`, content: changed });
  }
  return tarGz([...entries, ...extra]);
}

async function expectInvalid(load: Promise<unknown>): Promise<void> {
  const error: unknown = await load.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(PolicyError);
  expect((error as PolicyError).code).toBe('ERR_POLICY_BUNDLE_INVALID');
}

const input: PolicyInput = {
  principal: { iss: 'https://idp.example', sub: 'alice', client_id: null, groups: [], tenant: null },
  request: {
    api: 'openai.chat_completions',
    model: 'echo-1',
    stream: false,
    max_tokens: null,
    message_count: 1,
    estimated_prompt_tokens: 10,
    tools: { count: 0, names: [] },
  },
  classification: {
    finding_count: 0,
    types: {},
    categories: {},
    max_confidence: 0,
    where: { system: 0, user: 0, assistant: 0, tool: 0, tool_arguments: 0, tools: 0 },
  },
  upstreams: [{ name: 'echo', provider: 'echo', region: null, baa: true, zero_data_retention: true, models: ['*'] }],
  time: { unix_ms: 0, iso: '1970-01-01T00:00:00.000Z' },
};

describe('loadPolicyBundle', () => {
  it('loads a rebuilt copy of the default bundle (the rebuild itself is valid)', async () => {
    const engine = await loadPolicyBundleBytes(bundleWith({}));
    expect(engine.decide(input).allow).toBe(true);
  });

  it('hashes the bundle bytes for the version', async () => {
    const bytes = bundleWith({});
    const engine = await loadPolicyBundleBytes(bytes);
    const { createHash } = await import('node:crypto');
    expect(engine.version).toEqual({
      revision: manifest.revision,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  });

  it('uses data.json: without it the default policy has no model list and denies', async () => {
    const engine = await loadPolicyBundleBytes(bundleWith({ 'data.json': undefined }));
    expect(engine.decide(input).allow).toBe(false);
  });

  it('reports a file that does not exist as unavailable', async () => {
    await expect(loadPolicyBundle(path('./no-such-bundle.tar.gz'))).rejects.toMatchObject({
      code: 'ERR_POLICY_BUNDLE_UNAVAILABLE',
    });
  });

  it('refuses a corrupt archive', async () => {
    const bytes = Buffer.from(readFileSync(DEFAULT_BUNDLE));
    bytes.fill(0x55, 100, 200);
    await expectInvalid(loadPolicyBundleBytes(bytes));
    await expectInvalid(loadPolicyBundleBytes(Buffer.from('plain text')));
  });

  it('refuses a bundle without policy.wasm or without .manifest', async () => {
    await expectInvalid(loadPolicyBundleBytes(bundleWith({ 'policy.wasm': undefined })));
    await expectInvalid(loadPolicyBundleBytes(bundleWith({ '.manifest': undefined })));
  });

  it('refuses a member name that traverses out of the bundle', async () => {
    await expectInvalid(loadPolicyBundleBytes(bundleWith({}, [{ name: '../../etc/cron.d/x', content: 'x' }])));
  });

  it('refuses a symlink member', async () => {
    await expectInvalid(loadPolicyBundleBytes(bundleWith({}, [{ name: 'link', type: '2' }])));
  });

  it('refuses wasm that is not a module', async () => {
    await expectInvalid(loadPolicyBundleBytes(bundleWith({ 'policy.wasm': Buffer.from('\0asm not really') })));
  });

  it.each([
    ['not JSON', '{'],
    ['not an object', '[]'],
    ['no revision', JSON.stringify({ ...manifest, revision: undefined })],
    ['empty revision', JSON.stringify({ ...manifest, revision: '' })],
    ['no wasm list', JSON.stringify({ ...manifest, wasm: [] })],
    [
      'another module',
      JSON.stringify({ ...manifest, wasm: [{ entrypoint: 'proctor/decision/result', module: '/x.wasm' }] }),
    ],
    [
      'an entrypoint the module lacks',
      JSON.stringify({ ...manifest, wasm: [{ entrypoint: 'nope/result', module: '/policy.wasm' }] }),
    ],
    [
      'a second entry without an entrypoint',
      JSON.stringify({ ...manifest, wasm: [...(manifest.wasm as unknown[]), { module: '/policy.wasm' }] }),
    ],
  ])('refuses a manifest with %s', async (_label, text) => {
    await expectInvalid(loadPolicyBundleBytes(bundleWith({ '.manifest': text })));
  });

  it('refuses invalid data.json and data it would not load', async () => {
    await expectInvalid(loadPolicyBundleBytes(bundleWith({ 'data.json': 'not json' })));
    await expectInvalid(loadPolicyBundleBytes(bundleWith({ 'data.json': '[1]' })));
    await expectInvalid(loadPolicyBundleBytes(bundleWith({}, [{ name: '/proctor/config/data.json', content: '{}' }])));
  });
});

describe('bundles whose policy misbehaves (test/fixtures/policy)', () => {
  const codesFor = async (fixture: string): Promise<string[]> => {
    const engine = await loadPolicyBundle(path(`${FIXTURES}${fixture}.tar.gz`));
    const decision = engine.decide(input);
    expect(decision.allow).toBe(false);
    expect(decision.obligations).toEqual({
      upstreams: [],
      max_tokens: null,
      redact: [],
      response: { redact: [], block: [] },
      limits: null,
    });
    return decision.reasons.map((r) => r.code);
  };

  it('denies a decision that does not match policy-decision.v1', async () => {
    expect(await codesFor('invalid-decision')).toEqual(['ERR_POLICY_DECISION_INVALID']);
  });

  it('denies an undefined decision', async () => {
    expect(await codesFor('undefined')).toEqual(['ERR_POLICY_UNDEFINED']);
  });

  it('denies when evaluation aborts inside the wasm, and keeps working afterwards', async () => {
    const engine = await loadPolicyBundle(path(`${FIXTURES}conflict.tar.gz`));
    expect(engine.decide(input).reasons.map((r) => r.code)).toEqual(['ERR_POLICY_EVALUATION']);
    expect(engine.decide(input).reasons.map((r) => r.code)).toEqual(['ERR_POLICY_EVALUATION']);
    // model and sub agree here, so the conflicting rule has one value: a string, which is not a decision.
    const agreeing = { ...input, principal: { ...input.principal, sub: 'echo-1' } };
    expect(engine.decide(agreeing).reasons.map((r) => r.code)).toEqual(['ERR_POLICY_DECISION_INVALID']);
  });
});
