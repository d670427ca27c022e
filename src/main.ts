// Composition root: config → dependencies → buildServer(deps) → listen. Nothing runs at import; `startProctor`
// can be called twice in one process (tests do). Start-up fails loudly on anything missing: no key, no bundle, no
// database means no server, never a server that forwards unrecorded traffic.
import type { Sql } from './db/index.ts';
import { bodyDigestKey, loadSigner, servedCheckpoints } from './ledger/index.ts';
import { createAuthenticator } from './identity/index.ts';
import { createClassifier, createClassifierPool, recognizersWith } from './classification/index.ts';
import { startPolicy } from './policy/index.ts';
import { createForwarder } from './forwarding/index.ts';
import { createAssertionSigner, createUpstreamRegistry } from './upstreams/index.ts';
import { createIntake, createRequestHandler, instrumentPipeline, INTAKE_WORKER, type Log } from './pipeline/index.ts';
import { createLimiter, loadPricingFile } from './limits/index.ts';
import { buildServer, createDrain, drainAndClose } from './http/index.ts';
import {
  accessLog,
  createHealth,
  createLogger,
  createMetrics,
  createScopes,
  describeError,
  logTo,
  readinessChecks,
  createTracing,
  startMetricsServer,
  withRequestId,
  type RequestSink,
} from './observability/index.ts';
import type { Config } from './config/index.ts';
import {
  capConnections,
  closeAll,
  type Closer,
  flushing,
  openChainLedger,
  openDatabases,
  prepareSchema,
} from './start/index.ts';

export interface RunningProctor {
  /** Base URL clients use, e.g. http://127.0.0.1:8080/v1 */
  url: string;
  chain: string;
  /** The Prometheus endpoint, when config metrics is set. */
  metricsUrl: string | null;
  close(): Promise<void>;
}

export interface StartOptions {
  log?: Log;
  clock?: { now(): Date };
  /** Use this database connection instead of opening one from config (the caller keeps ownership). */
  sql?: Sql;
  /** The limits stage's connection (default: a pool of its own with asyncCommit on PostgreSQL; `sql` when given or on
   * PGlite). */
  limitsSql?: Sql;
}

/** After the drain deadline: how long ended streams get to record their outcomes before their sockets are closed. */
const DRAIN_GRACE_MS = 5000;

export async function startProctor(config: Config, options: StartOptions = {}): Promise<RunningProctor> {
  // Logs: pino JSON lines at server.log_level, unless the caller passes its own sink (tests, the dev stack).
  const logger = options.log ? null : createLogger({ level: config.server.logLevel });
  const baseLog: Log = options.log ?? logTo(logger as NonNullable<typeof logger>);
  // Each request's summary goes to the access log and the metrics (src/observability/request-scope.ts).
  const sinks: RequestSink[] = [];
  const scopes = createScopes(sinks, (level, message, fields) => baseLog(level, message, fields));
  const log = withRequestId(baseLog, scopes);
  sinks.push(accessLog(log));
  const metrics = config.metrics === null ? null : createMetrics();
  if (metrics) sinks.push(metrics);
  // Traces only when the OTEL_* variables ask for them (config traces); exported after the rest has closed.
  const tracing =
    config.traces === null
      ? null
      : createTracing({ exporter: config.traces.exporter, serviceName: config.traces.serviceName });
  if (tracing) sinks.push(tracing);
  const clock = options.clock ?? { now: () => new Date() };
  const closers: Closer[] = [];
  const { sql, limitsSql } = await openDatabases(config.database, options, closers);
  const db = config.database;
  try {
    await prepareSchema(db, sql, !options.sql, log);
    const signer = loadSigner(config.ledger.signingKeyPem);
    const ledger = await openChainLedger(config, { sql, signer, clock, metrics, log });
    // Settles queued appends, then frees the chain's lease.
    closers.unshift({ part: 'ledger', close: () => ledger.close() });
    // Every activation (the first included) is recorded in the chain before the new policy decides anything.
    const policy = await startPolicy(config.policy, {
      activate: async (version, source, shadow) => {
        await ledger.append('policy_activated', null, {
          policy: { ...version },
          source,
          shadow: shadow === null ? null : { ...shadow },
        });
        metrics?.policyActivated();
      },
      log,
    });
    closers.unshift({ part: 'policy updater', close: async () => policy.updater.stop() });
    const assertions =
      config.assertions === null
        ? null
        : await createAssertionSigner({
            issuer: config.assertions.issuer,
            privateKeyPem: config.assertions.signingKeyPem,
            ttlSeconds: config.assertions.ttlSeconds,
            now: () => clock.now(),
          });
    const upstreams = createUpstreamRegistry({ upstreams: config.upstreams, routing: config.routing, assertions });
    const forwarder = createForwarder();
    closers.unshift({ part: 'forwarder', close: () => forwarder.close() });
    const { fingerprintKey, recognizers, maxFindings, threads, queueLimit, threadStartupMs } = config.classification;
    const classifier = createClassifier({ fingerprintKey, recognizers: recognizersWith(recognizers) });
    // Large requests are parsed and classified on a bounded pool of threads, so the event loop keeps serving
    // (docs/performance.md).
    const classifierPool = createClassifierPool({
      fingerprintKey,
      recognizers,
      local: classifier,
      entry: INTAKE_WORKER,
      queueLimit,
      startupMs: threadStartupMs,
      ...(threads === null ? {} : { size: threads }),
    });
    closers.unshift({ part: 'classification threads', close: () => classifierPool.close() });
    // A large body goes to a thread as it arrives (the transport writes it to the intake's channel), never whole here.
    const intake = createIntake(classifierPool);
    const authenticator = createAuthenticator({
      issuers: config.identity.issuers.map((i) => ({ ...i, requiredTyp: i.requiredTyp ?? undefined })),
      clock,
    });
    // Limits and cost: quota leases on counters in the same database; an invalid pricing table stops start-up. Closed
    // after the last request (it writes every settlement and returns the unused leases), before the databases.
    const limiter = createLimiter({
      sql: limitsSql,
      pricing: loadPricingFile(config.limits.pricingFile),
      defaults: config.limits.defaults,
      reservationTtlSeconds: config.limits.reservationTtlSeconds,
      defaultMaxTokens: config.limits.defaultMaxTokens,
      onError: (error) => log('error', 'limits sync failed; kept and retried', { error: describeError(error) }),
    });
    closers.unshift({ part: 'limits', close: () => limiter.close() });
    const handler = createRequestHandler(
      instrumentPipeline(
        {
          authenticator,
          classifier,
          requestClassifier: classifierPool,
          bodyDigestKey: bodyDigestKey(fingerprintKey),
          ...(db.kind === 'postgres' ? { databaseBudgetMs: db.statementTimeoutMs } : {}),
          intake,
          maxFindings,
          policy: policy.runtime,
          ledger,
          forwarder,
          upstreams,
          clock,
          limits: limiter,
          log,
        },
        scopes,
        metrics ?? { appended: () => {}, reserved: () => {} },
      ),
    );
    // MCP (docs/mcp.md): the same issuers and checks, but a token is accepted only if issued for the MCP resource
    // alone (RFC 8707 audience binding), so a token for the LLM APIs or another resource is refused here.
    const mcpSettings = config.mcp;
    const mcp =
      mcpSettings === null
        ? null
        : // Loaded only when configured: the MCP SDK and zod are no part of a replica that serves no MCP.
          (await import('./mcp/index.ts')).createMcpProxy({
            settings: mcpSettings,
            authenticator: createAuthenticator({
              issuers: config.identity.issuers.map((i) => ({
                ...i,
                requiredTyp: i.requiredTyp ?? undefined,
                audience: [mcpSettings.resource],
                audiencePolicy: 'exactly-ours' as const,
              })),
              clock,
            }),
            classifier,
            requestClassifier: classifierPool,
            policy: policy.runtime,
            ledger,
            clock,
            limits: limiter, // the same leases as the LLM APIs: one request rate per subject (docs/mcp.md#limits)
            bodyDigestKey: bodyDigestKey(fingerprintKey),
            maxFindings,
            log,
          });
    if (mcp) closers.unshift({ part: 'mcp upstream sessions', close: () => mcp.close() });
    // Readiness: the database within its timeout, the chain's lease, an active policy, every issuer's key source.
    const health = createHealth({
      checks: readinessChecks({ sql, ledger, policy: policy.runtime, authenticator }),
      timeoutMs: db.kind === 'postgres' ? db.statementTimeoutMs : 2000,
      log,
    });
    const drain = createDrain();
    const app = buildServer({
      handler,
      bodyLimitBytes: config.server.bodyLimitBytes,
      bodyBytesInFlight: config.server.bodyBytesInFlight,
      bodyBytesPerClient: config.server.bodyBytesPerClient,
      requestTimeoutMs: config.server.requestTimeoutMs,
      clientWriteTimeoutMs: config.server.clientWriteTimeoutMs,
      clientMinReadBytesPerSecond: config.server.clientMinReadBytesPerSecond,
      intake,
      latestCheckpoint: servedCheckpoints(sql, signer.publicKeyPem, ledger), // its chain's from memory, never a row
      assertionJwks: upstreams.jwks,
      mcp,
      health,
      drain,
      scopes,
      ...(logger ? { logger } : {}),
      ...(metrics
        ? {
            inFlightGauge: (delta: number) => metrics.inFlight(delta),
            transportRefused: (code: string) => metrics.transportRefused(code),
            unrouted: (code, route) => metrics.unrouted(code, route),
            clientStalled: (what, bound) => metrics.clientStalled(what, bound),
          }
        : {}),
    });
    // One address holds at most server.max_connections_per_address sockets, the listener server.max_connections.
    capConnections(app.server, {
      perAddress: config.server.maxConnectionsPerAddress,
      total: config.server.maxConnections,
      ...(metrics ? { refused: (cap) => metrics.connectionRefused(cap) } : {}),
    });
    // Shutdown: readiness 503 and no new requests, then in-flight ones get server.drain_seconds
    // (docs/observability.md).
    closers.unshift({
      part: 'http',
      close: () =>
        drainAndClose(app, drain, {
          deadlineMs: config.server.drainSeconds * 1000,
          graceMs: DRAIN_GRACE_MS,
          startDrain: () => health.startDrain(),
          log,
        }),
    });
    // Metrics on a listener of their own (config metrics.host/port): scrapes need no token, so never on the API port.
    let metricsUrl: string | null = null;
    if (metrics && config.metrics) {
      const metricsServer = await startMetricsServer({
        registry: metrics.registry,
        host: config.metrics.host,
        port: config.metrics.port,
        log,
      });
      closers.push({ part: 'metrics listener', close: () => metricsServer.close() });
      metricsUrl = metricsServer.url;
      log('info', 'metrics listening', { url: metricsUrl });
    }
    await app.listen({ host: config.server.host, port: config.server.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.server.port;
    const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
    log('info', 'proctor listening', {
      url: `http://${host}:${port}/v1`,
      chain: config.ledger.chain,
      policy: policy.runtime.current().active?.version.revision,
      signing_kid: signer.kid,
      signing_backend: signer.backend ?? 'node-crypto',
    });
    return {
      url: `http://${host}:${port}/v1`,
      chain: config.ledger.chain,
      metricsUrl,
      close: () => closeAll([...closers, ...flushing(logger, tracing)], log),
    };
  } catch (error) {
    await closeAll([...closers, ...flushing(logger, tracing)], log);
    throw error;
  }
}
