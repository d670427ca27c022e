// Configuration: one YAML file validated against schemas/config.schema.json (strict, unknown keys rejected),
// secrets resolved from {env}/{file} references, then deep-frozen. This is the only module that reads process.env
// (callers pass the environment in). Every error names the path that was wrong; no secret value is ever printed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { validateConfigDocument, type LogLevelName, type SecretRef } from './schema.ts';
import { resolveUpstreams, type UpstreamSettings, type RoutingSettings, type AssertionSettings } from './upstreams.ts';
import { resolveMcp, type McpSettings } from './mcp.ts';
import { resolveLimits, type LimitsSettings } from './limits.ts';
import { resolveIssuers, type IssuerSettings } from './identity.ts';
import { resolveRecognizers, type CustomRecognizerSettings } from './recognizers.ts';
import { ConfigError } from './errors.ts';

export type { ConfigDocument, LogLevelName } from './schema.ts';
export type { UpstreamSettings, RouteSettings, RoutingSettings, AssertionSettings } from './upstreams.ts';
export type { McpCallLimit, McpSettings, McpServerSettings } from './mcp.ts';
export type { LimitsSettings } from './limits.ts';
export type { IssuerSettings } from './identity.ts';
export type { CustomRecognizerSettings } from './recognizers.ts';
export { ConfigError, type ConfigErrorCode } from './errors.ts';

export type DatabaseSettings =
  | {
      kind: 'postgres';
      url: string;
      connectTimeoutMs: number;
      statementTimeoutMs: number;
      idleInTransactionTimeoutMs: number;
      poolSize: number;
      migrations: 'apply' | 'check';
    }
  | { kind: 'pglite'; dataDir: string };

export interface Config {
  /** bodyBytesInFlight: the bytes all bodies being received may hold together; bodyBytesPerClient: the part of them
   * one remote address may hold (absent: derived by the transport, http/body.ts defaultBodyShare); requestTimeoutMs:
   * how long a request may take to arrive; clientWriteTimeoutMs: how long a write may wait for the client to take it;
   * clientMinReadBytesPerSecond: the slowest a client may read an answer;
   * drainSeconds: shutdown's drain deadline; logLevel: the least severe level logged. */
  server: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    bodyBytesInFlight: number;
    bodyBytesPerClient?: number;
    requestTimeoutMs: number;
    clientWriteTimeoutMs: number;
    clientMinReadBytesPerSecond: number;
    /** Open connections per remote address (the socket's peer) and in all; 0: no cap (src/start/connections.ts). */
    maxConnectionsPerAddress: number;
    maxConnections: number;
    drainSeconds: number;
    logLevel: LogLevelName;
  };
  /** The Prometheus listener; null: no metrics endpoint. */
  metrics: { host: string; port: number } | null;
  /** OpenTelemetry traces, from the standard OTEL_* variables (resolveTraces); null: off. */
  traces: { exporter: 'otlp' | 'console'; serviceName: string } | null;
  database: DatabaseSettings;
  ledger: {
    chain: string;
    signingKeyPem: string;
    batch: { maxRecords: number; maxWaitMs: number };
    /** Whether an outcome-only batch waits for the WAL flush (docs/ledger.md, "Outcome commits"). */
    outcomeCommit: 'durable' | 'flush_deferred';
    /** origin null: the ledger's default, proctor/ledger/<chain>. */
    checkpoints: { everyRecords: number; everySeconds: number; sinkPath: string | null; origin: string | null };
    /** Whole months kept before the current one; retention drops older monthly partitions (proctor ledger
     * retention). */
    retentionMonths: number;
    /** C2SP tlog-witness witnesses (docs/ledger.md); quorum null: every witness. */
    witnesses: { url: string; key: string; timeoutMs: number }[];
    witnessQuorum: number | null;
  };
  identity: { issuers: IssuerSettings[] };
  /** maxFindings: kept per request; threads (null: the cores less one, 1 to 4), queueLimit and threadStartupMs (how
   * long a thread may take to become ready): the classification pool. */
  classification: {
    fingerprintKey: Uint8Array;
    recognizers: CustomRecognizerSettings[];
    maxFindings: number;
    threads: number | null;
    queueLimit: number;
    threadStartupMs: number;
  };
  /** Bundle references are resolved file paths or URLs; signingKeyPem is the verification key's text (PEM or JWK). */
  policy: { bundle: string; shadowBundle: string | null; pollIntervalSeconds: number; signingKeyPem: string | null };
  upstreams: UpstreamSettings[];
  /** Model → ordered candidate upstreams, and the retry budget across them. */
  routing: RoutingSettings;
  /** The key that signs identity assertions for gateways; null when none is configured. */
  assertions: AssertionSettings | null;
  /** Limits and cost (docs/limits.md): pricing file path (resolved), reservation TTL, output-token cap, defaults. */
  limits: LimitsSettings;
  /** The MCP proxy (docs/mcp.md); null: no /mcp endpoint. */
  mcp: McpSettings | null;
}

export interface LoadOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Relative paths in the document (bundle, secret files, pglite dir) resolve against this directory. */
  baseDir: string;
}

/** Reads, validates and resolves a YAML configuration file. */
export function loadConfigFile(file: string, env: Readonly<Record<string, string | undefined>>): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError('ERR_CONFIG_UNREADABLE', [`${file}: ${(error as Error).message}`], { cause: error });
  }
  let document: unknown;
  try {
    document = parseYaml(text, { strict: true, uniqueKeys: true });
  } catch (error) {
    throw new ConfigError('ERR_CONFIG_INVALID', [`${file}: not valid YAML: ${(error as Error).message}`], {
      cause: error,
    });
  }
  return resolveConfig(document, { env, baseDir: path.dirname(path.resolve(file)) });
}

/** Validates an already-parsed document (YAML or built in code, as the dev stack does) and resolves it. */
export function resolveConfig(document: unknown, options: LoadOptions): Config {
  const doc = validateConfigDocument(document, (problems) => new ConfigError('ERR_CONFIG_INVALID', problems));
  const problems: string[] = [];
  const secret = (ref: SecretRef, at: string): string => {
    const value = readSecret(ref, options, at, problems);
    return value ?? '';
  };
  const resolvePath = (p: string): string => path.resolve(options.baseDir, p);
  /** A bundle reference with a scheme (https://…) is a URL and stays as written; anything else is a path. */
  const resolveBundle = (ref: string): string => (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref) ? ref : resolvePath(ref));

  const database: DatabaseSettings = doc.database.url
    ? {
        kind: 'postgres',
        url: secret(doc.database.url, '/database/url'),
        connectTimeoutMs: doc.database.connect_timeout_ms ?? 2000,
        statementTimeoutMs: doc.database.statement_timeout_ms ?? 2000,
        idleInTransactionTimeoutMs: doc.database.idle_in_transaction_timeout_ms ?? 5000,
        poolSize: doc.database.pool_size ?? 10,
        migrations: doc.database.migrations ?? 'apply',
      }
    : { kind: 'pglite', dataDir: resolvePath(doc.database.pglite_dir ?? '') };

  const fingerprintKey = Buffer.from(
    secret(doc.classification.fingerprint_key, '/classification/fingerprint_key'),
    'utf8',
  );
  if (problems.length === 0 && fingerprintKey.length < 32) {
    problems.push('/classification/fingerprint_key: must be at least 32 bytes');
  }
  const bodyLimitBytes = doc.server?.body_limit_bytes ?? 4 * 1024 * 1024;
  if ((doc.server?.max_body_bytes_in_flight ?? bodyLimitBytes) < bodyLimitBytes) {
    problems.push('/server/max_body_bytes_in_flight: less than body_limit_bytes (no body that large could arrive)');
  }
  const perClient = doc.server?.max_body_bytes_per_client;
  if (perClient !== undefined && perClient < bodyLimitBytes) {
    problems.push('/server/max_body_bytes_per_client: less than body_limit_bytes (no body that large could arrive)');
  }
  if ((doc.ledger.witness_quorum ?? 0) > (doc.ledger.witnesses ?? []).length) {
    problems.push('/ledger/witness_quorum: more than the witnesses given');
  }
  const recognizers = resolveRecognizers(doc.classification.recognizers, problems);

  const { upstreams, routing, assertions } = resolveUpstreams(doc, secret, problems);

  const issuers = resolveIssuers(doc.identity, secret, problems);

  const config: Config = {
    server: {
      host: doc.server?.host ?? '127.0.0.1',
      port: doc.server?.port ?? 8080,
      bodyLimitBytes,
      bodyBytesInFlight: doc.server?.max_body_bytes_in_flight ?? Math.max(32 * 1024 * 1024, bodyLimitBytes),
      ...(perClient === undefined ? {} : { bodyBytesPerClient: perClient }),
      requestTimeoutMs: doc.server?.request_timeout_ms ?? 30_000,
      clientWriteTimeoutMs: doc.server?.client_write_timeout_ms ?? 30_000,
      clientMinReadBytesPerSecond: doc.server?.client_min_read_bytes_per_second ?? 4096,
      maxConnectionsPerAddress: doc.server?.max_connections_per_address ?? 256,
      maxConnections: doc.server?.max_connections ?? 8192,
      drainSeconds: doc.server?.drain_seconds ?? 25,
      logLevel: doc.server?.log_level ?? 'info',
    },
    metrics: doc.metrics === undefined ? null : { host: doc.metrics.host ?? '127.0.0.1', port: doc.metrics.port },
    traces: resolveTraces(options.env, problems),
    database,
    ledger: {
      chain: doc.ledger.chain,
      signingKeyPem: secret(doc.ledger.signing_key, '/ledger/signing_key'),
      batch: { maxRecords: doc.ledger.batch?.max_records ?? 256, maxWaitMs: doc.ledger.batch?.max_wait_ms ?? 0 },
      outcomeCommit: doc.ledger.outcome_commit ?? 'durable',
      checkpoints: {
        everyRecords: doc.ledger.checkpoints?.every_records ?? 1000,
        everySeconds: doc.ledger.checkpoints?.every_seconds ?? 60,
        sinkPath:
          doc.ledger.checkpoints?.sink_path === undefined ? null : resolvePath(doc.ledger.checkpoints.sink_path),
        origin: doc.ledger.checkpoints?.origin ?? null,
      },
      retentionMonths: doc.ledger.retention_months ?? 6,
      witnesses: (doc.ledger.witnesses ?? []).map((w) => ({ url: w.url, key: w.key, timeoutMs: w.timeout_ms ?? 5000 })),
      witnessQuorum: doc.ledger.witness_quorum ?? null,
    },
    identity: { issuers },
    classification: {
      fingerprintKey,
      recognizers,
      maxFindings: doc.classification.max_findings ?? 256,
      threads: doc.classification.threads ?? null,
      queueLimit: doc.classification.queue_limit ?? 16,
      threadStartupMs: doc.classification.thread_startup_timeout_ms ?? 60_000,
    },
    policy: {
      bundle: resolveBundle(doc.policy.bundle),
      shadowBundle: doc.policy.shadow_bundle === undefined ? null : resolveBundle(doc.policy.shadow_bundle),
      pollIntervalSeconds: doc.policy.poll_interval_seconds ?? 30,
      signingKeyPem:
        doc.policy.signing_key === undefined ? null : secret(doc.policy.signing_key, '/policy/signing_key'),
    },
    upstreams,
    routing,
    assertions,
    limits: resolveLimits(doc.limits, resolvePath, upstreams, problems),
    mcp: resolveMcp(
      doc.mcp,
      issuers.map((i) => i.issuer),
      secret,
      problems,
    ),
  };
  if (problems.length > 0) {
    const secretOnly = problems.every((p) => p.includes('secret'));
    throw new ConfigError(secretOnly ? 'ERR_CONFIG_SECRET' : 'ERR_CONFIG_INVALID', problems);
  }
  return deepFreeze(config);
}

/** Traces are on when OTEL_TRACES_EXPORTER names an exporter, or an OTLP endpoint is set (exporter otlp); none, or
 * OTEL_SDK_DISABLED=true, turns them off. The OTLP exporter reads its endpoint, headers and timeout itself. */
function resolveTraces(env: LoadOptions['env'], problems: string[]): Config['traces'] {
  const read = (name: string): string | null => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? null : value;
  };
  if (read('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return null;
  const named = read('OTEL_TRACES_EXPORTER')?.toLowerCase() ?? null;
  const endpoint = read('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? read('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (named === 'none' || (named === null && endpoint === null)) return null;
  const exporter = named ?? 'otlp';
  if (exporter !== 'otlp' && exporter !== 'console') {
    problems.push(`OTEL_TRACES_EXPORTER: '${exporter}' is not supported here (otlp, console or none)`);
    return null;
  }
  return { exporter, serviceName: read('OTEL_SERVICE_NAME') ?? 'proctor' };
}

function readSecret(ref: SecretRef, options: LoadOptions, at: string, problems: string[]): string | null {
  if ('env' in ref) {
    const value = options.env[ref.env];
    if (value === undefined || value === '') {
      problems.push(`${at}: secret environment variable ${ref.env} is not set`);
      return null;
    }
    return value;
  }
  try {
    return readFileSync(path.resolve(options.baseDir, ref.file), 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    problems.push(
      `${at}: secret file ${ref.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
    return null;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    if (ArrayBuffer.isView(value)) return value; // typed arrays cannot be frozen; they are never shared out mutably
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
