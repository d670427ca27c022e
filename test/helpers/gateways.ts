// Real AI gateways for the integration tests, started as child processes on loopback: Portkey's open-source gateway
// (npm devDependency) and LiteLLM's proxy (the virtualenv scripts/gateways.sh installs under .tools/litellm). Where a
// gateway is not installed the tests skip with the reason, except under CI=true, where they fail instead.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LISTEN_PRELOAD, LISTENING, listeningPort, stopChild } from './child-port.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const PORTKEY_ENTRY = path.join(root, 'node_modules/@portkey-ai/gateway/build/start-server.js');
export const LITELLM_BIN = path.join(root, '.tools/litellm/bin/litellm');

export interface RunningGateway {
  /** Base URL including /v1. */
  url: string;
  close(): Promise<void>;
  /** What the process printed, for a failing test's message. */
  output(): string;
}

/** Why a gateway cannot run here, or null when it can. Under CI a missing gateway is an error, not a skip. */
export function unavailable(gateway: 'portkey' | 'litellm'): string | null {
  const [file, how] =
    gateway === 'portkey' ? [PORTKEY_ENTRY, 'npm install'] : [LITELLM_BIN, 'bash scripts/gateways.sh'];
  if (existsSync(file)) return null;
  const reason = `${gateway} is not installed (${path.relative(root, file)} missing; run \`${how}\`)`;
  if (process.env.CI === 'true') throw new Error(`${reason}: required when CI=true`);
  return reason;
}

/** Portkey's gateway on a port the system chose when it bound it (no free-port guess that another process can take);
 * it has no host option and would listen on every interface: LISTEN_PRELOAD pins it to loopback. */
export async function startPortkey(): Promise<RunningGateway> {
  const child = spawn(process.execPath, ['--import', LISTEN_PRELOAD, PORTKEY_ENTRY, '--port=0', '--headless'], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', HOME: process.env.HOME ?? tmpdir() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return ready(child, LISTENING, '/', 30_000);
}

/** LiteLLM's proxy with one model group forwarding to `upstreamUrl`, client x- headers forwarded for that group; on a
 * port the system chose when uvicorn bound it (uvicorn names it in its start line). */
export async function startLitellm(options: {
  upstreamUrl: string;
  model: string;
  upstreamKey: string;
  masterKey: string;
}): Promise<RunningGateway> {
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-litellm-'));
  const config = path.join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      'model_list:',
      `  - model_name: ${options.model}`,
      '    litellm_params:',
      `      model: openai/${options.model}`,
      `      api_base: ${options.upstreamUrl}`,
      '      api_key: os.environ/UPSTREAM_KEY',
      'litellm_settings:',
      '  telemetry: false',
      '  model_group_settings:',
      `    forward_client_headers_to_llm_api: [${options.model}]`,
      'general_settings:',
      '  master_key: os.environ/LITELLM_MASTER_KEY',
      '',
    ].join('\n'),
  );
  const child = spawn(LITELLM_BIN, ['--config', config, '--host', '127.0.0.1', '--port', '0'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      UPSTREAM_KEY: options.upstreamKey,
      LITELLM_MASTER_KEY: options.masterKey,
      LITELLM_LOG: 'ERROR',
      NO_DOCS: 'True',
      LITELLM_LOCAL_MODEL_COST_MAP: 'True',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return ready(child, /Uvicorn running on http:\/\/127\.0\.0\.1:(\d+)/, '/health/liveliness', 120_000);
}

/** The gateway once it has bound its port (as `listening` names it) and answers `probe`; closed again when not. */
async function ready(
  child: ChildProcess,
  listening: RegExp,
  probe: string,
  timeoutMs: number,
): Promise<RunningGateway> {
  const listened = await listeningPort(child, listening, timeoutMs);
  const close = () => stopChild(child);
  const origin = `http://127.0.0.1:${listened.port}`;
  const response = await fetch(`${origin}${probe}`, { signal: AbortSignal.timeout(10_000) }).catch((e: unknown) => e);
  if (!(response instanceof Response) || !response.ok) {
    await close();
    throw new Error(`gateway listening on ${origin} but ${probe} failed:\n${listened.output()}`, { cause: response });
  }
  return { url: `${origin}/v1`, close, output: listened.output };
}
