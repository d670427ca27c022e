// The development stack behind `npm start`: PGlite in a local data dir, an in-process development OIDC issuer, a local
// echo upstream, the default policy bundle and a generated development signing key, all on loopback. It goes through
// the same config schema and the same startProctor as production; only the parts around it are for development.
import { mkdirSync, readFileSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../config/index.ts';
import { generateSigningKey } from '../ledger/index.ts';
import { startProctor, type RunningProctor } from '../main.ts';
import type { Log } from '../pipeline/index.ts';
import { generateDevIssuerKey, mintDevToken, startDevIssuer, type DevIssuerKey } from './dev-issuer.ts';
import { startEchoUpstream } from './echo-upstream.ts';

export const DEV_AUDIENCE = 'proctor';
export const DEFAULT_DEV_DIR = '.proctor/dev';

export interface DevStackOptions {
  dataDir: string;
  port: number;
  log?: Log;
}

export interface DevState {
  issuer: string;
  audience: string;
  url: string;
  chain: string;
  public_key_file: string;
}

export interface RunningDevStack {
  proctor: RunningProctor;
  state: DevState;
  close(): Promise<void>;
}

export async function startDevStack(options: DevStackOptions): Promise<RunningDevStack> {
  const dir = path.resolve(options.dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const issuerKey = await loadOrCreate<DevIssuerKey>(
    path.join(dir, 'issuer-key.json'),
    async () => generateDevIssuerKey(),
    JSON.parse,
    (v) => JSON.stringify(v, null, 2),
  );
  const keyFile = path.join(dir, 'ledger-key.pem');
  const publicKeyFile = path.join(dir, 'ledger-key.pub.pem');
  if (!existsSync(keyFile)) {
    const key = generateSigningKey();
    writeSecret(keyFile, key.privateKeyPem);
    writeFileSync(publicKeyFile, key.publicKeyPem);
  }
  const fingerprintFile = path.join(dir, 'fingerprint.key');
  if (!existsSync(fingerprintFile)) writeSecret(fingerprintFile, randomBytes(32).toString('base64url'));

  const issuerPort = options.port === 0 ? 0 : options.port + 1;
  const issuer = await startDevIssuer({ key: issuerKey, host: '127.0.0.1', port: issuerPort });
  const upstream = await startEchoUpstream({ port: options.port === 0 ? 0 : options.port + 2 });
  const bundle = fileURLToPath(new URL('../../bundles/default.tar.gz', import.meta.url));
  try {
    const config = resolveConfig(
      {
        server: { host: '127.0.0.1', port: options.port },
        database: { pglite_dir: path.join(dir, 'pglite') },
        ledger: { chain: 'dev', signing_key: { file: keyFile } },
        identity: {
          issuers: [
            {
              issuer: issuer.issuer,
              audience: [DEV_AUDIENCE],
              algorithms: ['ES256', 'EdDSA'],
              required_typ: 'at+jwt',
              allow_insecure_http: true,
            },
          ],
        },
        classification: { fingerprint_key: { file: fingerprintFile } },
        policy: { bundle },
        // One local upstream speaks both API families: the OpenAI routes and Anthropic's /v1/messages.
        upstreams: [
          {
            name: 'echo',
            kind: 'openai-compatible',
            base_url: upstream.url,
            models: ['*'],
            attributes: { region: 'local', baa: false, zero_data_retention: true },
          },
          {
            name: 'echo-anthropic',
            kind: 'anthropic',
            base_url: upstream.url,
            models: ['*'],
            attributes: { region: 'local', baa: false, zero_data_retention: true },
          },
        ],
      },
      { env: {}, baseDir: dir },
    );
    const proctor = await startProctor(config, options.log ? { log: options.log } : {});
    const state: DevState = {
      issuer: issuer.issuer,
      audience: DEV_AUDIENCE,
      url: proctor.url,
      chain: proctor.chain,
      public_key_file: publicKeyFile,
    };
    writeFileSync(path.join(dir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
    return {
      proctor,
      state,
      close: async () => {
        await proctor.close();
        await upstream.close();
        await issuer.close();
      },
    };
  } catch (error) {
    await upstream.close();
    await issuer.close();
    throw error;
  }
}

/** Mints a development token for the issuer of the dev stack whose data dir is given (the stack must have run once). */
export async function devToken(options: {
  dataDir: string;
  sub: string;
  groups: string[];
  tenant: string | null;
  ttlSeconds: number;
}): Promise<string> {
  const dir = path.resolve(options.dataDir);
  let state: DevState;
  let key: DevIssuerKey;
  try {
    state = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as DevState;
    key = JSON.parse(readFileSync(path.join(dir, 'issuer-key.json'), 'utf8')) as DevIssuerKey;
  } catch (cause) {
    throw new Error(`no development stack state in ${dir}: start it first with \`npm start\``, { cause });
  }
  return mintDevToken({
    key,
    issuer: state.issuer,
    audience: state.audience,
    sub: options.sub,
    groups: options.groups,
    tenant: options.tenant,
    ttlSeconds: options.ttlSeconds,
  });
}

async function loadOrCreate<T>(
  file: string,
  create: () => Promise<T>,
  decode: (s: string) => T,
  encode: (v: T) => string,
): Promise<T> {
  if (existsSync(file)) return decode(readFileSync(file, 'utf8'));
  const value = await create();
  writeSecret(file, encode(value));
  return value;
}

function writeSecret(file: string, content: string): void {
  writeFileSync(file, content, { mode: 0o600 });
  chmodSync(file, 0o600);
}
