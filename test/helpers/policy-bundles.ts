// Test helper: builds real OPA wasm bundles from policies/ (optionally with patched data.json, another revision,
// or an OPA bundle signature) with the `opa` CLI, exactly as an author would. Requires opa on PATH
// (eval "$(bash scripts/toolchain.sh --with-opa)").
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const POLICIES_DIR = fileURLToPath(new URL('../../policies/', import.meta.url));

export interface BuildOptions {
  revision: string;
  /** Replaces data.proctor.config fields (shallow merge). */
  config?: Record<string, unknown>;
  /** PEM private key file to sign with (`opa build --signing-key`). */
  signingKeyFile?: string;
  signingAlg?: string;
  /** Extra files written into the bundle root before the build. */
  extraFiles?: Record<string, string>;
}

export function buildPolicyBundle(options: BuildOptions): { path: string; bytes: Buffer } {
  const work = mkdtempSync(path.join(tmpdir(), 'proctor-bundle-'));
  const src = path.join(work, 'src');
  mkdirSync(src);
  for (const name of readdirSync(POLICIES_DIR)) {
    if (name.endsWith('.rego') && !name.endsWith('_test.rego'))
      copyFileSync(path.join(POLICIES_DIR, name), path.join(src, name));
  }
  const data = JSON.parse(readFileSync(path.join(POLICIES_DIR, 'data.json'), 'utf8')) as {
    proctor: { config: Record<string, unknown> };
  };
  data.proctor.config = { ...data.proctor.config, ...options.config };
  writeFileSync(path.join(src, 'data.json'), JSON.stringify(data, null, 2));
  for (const [name, content] of Object.entries(options.extraFiles ?? {})) writeFileSync(path.join(src, name), content);
  const out = path.join(work, `${options.revision}.tar.gz`);
  const args = [
    'build',
    '-b',
    '-t',
    'wasm',
    '-e',
    'proctor/decision/result',
    '--revision',
    options.revision,
    '.',
    '-o',
    out,
  ];
  if (options.signingKeyFile)
    args.push('--signing-key', options.signingKeyFile, '--signing-alg', options.signingAlg ?? 'RS256');
  execFileSync('opa', args, { cwd: src, stdio: ['ignore', 'ignore', 'pipe'] });
  return { path: out, bytes: readFileSync(out) };
}
