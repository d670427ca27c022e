// `proctor policy` against the real OPA CLI and the proxy's own loader: build → inspect → sign → inspect with the
// key → eval, plus the failure exits (usage 2, rejected bundle 1).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runPolicyCli } from '../../src/cli/policy.ts';
import { SMOKE_INPUT } from '../../src/policy/index.ts';
import { POLICIES_DIR } from '../helpers/policy-bundles.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'proctor-cli-'));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runPolicyCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {} });
  return { code, out, err };
}

describe('proctor policy', () => {
  it('builds, inspects, signs, verifies and evaluates a bundle', async () => {
    const bundle = path.join(dir, 'b.tar.gz');
    expect((await run(['build', POLICIES_DIR, '--out', bundle, '--revision', 'cli-1'])).code).toBe(0);

    const inspected = await run(['inspect', bundle, '--json']);
    expect(inspected.code).toBe(0);
    expect(JSON.parse(inspected.out)).toMatchObject({
      revision: 'cli-1',
      entrypoint: 'proctor/decision/result',
      signature: { status: 'unsigned' },
      smoke: 'passed',
    });

    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const privateFile = path.join(dir, 'sign.pem');
    const publicFile = path.join(dir, 'sign.pub.pem');
    writeFileSync(privateFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(publicFile, pair.publicKey.export({ type: 'spki', format: 'pem' }));
    const signed = path.join(dir, 'b.signed.tar.gz');
    expect((await run(['sign', bundle, '--signing-key', privateFile])).code).toBe(0);
    const verified = await run(['inspect', signed, '--signing-key', publicFile, '--json']);
    expect(JSON.parse(verified.out)).toMatchObject({
      revision: 'cli-1',
      signature: { status: 'verified', algorithm: 'RS256' },
    });
    const text = await run(['inspect', signed]);
    expect(text.out).toMatch(/revision\s+cli-1/);
    expect(text.out).toMatch(/signature\s+not_verified/);

    const input = path.join(dir, 'input.json');
    writeFileSync(
      input,
      JSON.stringify({
        ...SMOKE_INPUT,
        principal: { ...SMOKE_INPUT.principal, groups: ['eng'] },
        request: { ...SMOKE_INPUT.request, model: 'gpt-4o-mini' },
        upstreams: SMOKE_INPUT.upstreams.map((u) => ({ ...u, models: ['*'] })),
      }),
    );
    const evaluated = await run(['eval', signed, '--input', input, '--signing-key', publicFile]);
    expect(evaluated.code).toBe(0);
    expect(JSON.parse(evaluated.out)).toMatchObject({
      policy: { revision: 'cli-1' },
      decision: { allow: true, obligations: { upstreams: ['smoke-a', 'smoke-b'], redact: ['EMAIL'] } },
    });
  }, 60_000);

  it('runs opa check and opa test over the library', async () => {
    const result = await run(['test', POLICIES_DIR]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/PASS: \d+\/\d+/);
  }, 60_000);

  it('exits 1 for a bundle that fails its smoke evaluation or its signature, 2 for usage errors', async () => {
    const trapping = fileURLToPath(new URL('../fixtures/policy/conflict.tar.gz', import.meta.url));
    expect((await run(['inspect', trapping])).code).toBe(1);
    const pub = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' });
    const keyFile = path.join(dir, 'other.pub.pem');
    writeFileSync(keyFile, pub);
    const unsigned = await run(['eval', trapping, '--input', keyFile, '--signing-key', keyFile]);
    expect(unsigned.code).toBe(2);
    const input = path.join(dir, 'smoke.json');
    writeFileSync(input, JSON.stringify(SMOKE_INPUT));
    const rejected = await run(['eval', trapping, '--input', input, '--signing-key', keyFile]);
    expect(rejected.code).toBe(1);
    expect(rejected.err).toContain('ERR_POLICY_SIGNATURE_MISSING');
    expect((await run(['eval', trapping])).code).toBe(2);
    expect(
      (await run(['shadow-report', '--since', 'yesterday', '--until', '2030-01-01T00:00:00Z', '--pglite', dir])).code,
    ).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
  });
});
