// Real AI gateways for the integration tests, started as child processes on loopback: Portkey's open-source gateway
// (npm devDependency) and LiteLLM's proxy (the virtualenv scripts/gateways.sh installs under .tools/litellm). Where a
// gateway is not installed the tests skip with the reason, except under CI=true, where they fail instead.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// The Portkey gateway has no host option and listens on every interface; this preload pins a host-less listen() to
// loopback, so the test gateway is never reachable from outside the machine.
const LOOPBACK_PRELOAD = `data:text/javascript,${encodeURIComponent(
  "import net from 'node:net'; const listen = net.Server.prototype.listen; net.Server.prototype.listen = function (port, host, ...rest) { return typeof port === 'number' && (host === undefined || typeof host === 'function') ? listen.call(this, port, '127.0.0.1', ...(host === undefined ? rest : [host, ...rest])) : listen.call(this, port, host, ...rest); };",
)}`;

export async function startPortkey(): Promise<RunningGateway> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', LOOPBACK_PRELOAD, PORTKEY_ENTRY, `--port=${port}`, '--headless'], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', HOME: process.env.HOME ?? tmpdir() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return ready(child, `http://127.0.0.1:${port}`, '/', 30_000);
}

/** LiteLLM's proxy with one model group forwarding to `upstreamUrl`, client x- headers forwarded for that group. */
export async function startLitellm(options: {
  upstreamUrl: string;
  model: string;
  upstreamKey: string;
  masterKey: string;
}): Promise<RunningGateway> {
  const port = await freePort();
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
  const child = spawn(LITELLM_BIN, ['--config', config, '--host', '127.0.0.1', '--port', String(port)], {
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
  return ready(child, `http://127.0.0.1:${port}`, '/health/liveliness', 120_000);
}

async function ready(child: ChildProcess, origin: string, probe: string, timeoutMs: number): Promise<RunningGateway> {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  const close = async () => {
    if (exited) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`gateway exited before it was ready:\n${output}`);
    try {
      const response = await fetch(`${origin}${probe}`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return { url: `${origin}/v1`, close, output: () => output };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await close();
  throw new Error(`gateway not ready after ${timeoutMs} ms:\n${output}`);
}
