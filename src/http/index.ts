// HTTP transport: adapts fastify to the pipeline and does nothing else. Security order lives in the pipeline, not in
// hook registration order. Request bodies arrive as raw bytes (a large one written to the intake's channel as it
// arrives, body.ts) so that parsing errors are the pipeline's (and so are recorded); transport failures (body too
// large, unreadable body, a body that is not JSON by its content-type) are handed to the pipeline to be recorded as
// well. Malformed HTTP, bad URLs, no route and wrong methods are answered in the API's error shape by
// transport-errors.ts, before any stage runs. A pipeline route's request is identified from its headers before its body
// is read (identify-first.ts: one that fails is recorded, answered and holds nothing). Bodies being received share one
// byte budget, of which one remote address holds at most a share (body.ts; past it: 503 ERR_SERVER_BUSY, connection
// closed, not recorded), and a request must arrive whole within requestTimeoutMs (408 ERR_REQUEST_TIMEOUT,
// transport-errors.ts), so clients that never finish a body hold bounded memory for bounded time. Every write to a
// client must be taken within clientWriteTimeoutMs, and a client must read at clientMinReadBytesPerSecond at least
// (exchange.ts), so clients that stop reading an answer, or read it too slowly, hold nothing for longer; an idle
// kept-alive connection is closed after KEEP_ALIVE_MS.
// Probes (/livez, /readyz) answer outside /v1 and always, a drain
// included; while draining every other request is refused (ERR_SHUTTING_DOWN, drain.ts).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { ChannelIntake, IncomingRequest, Reply, RequestHandler, TransportErrorCode } from '../pipeline/index.ts';
import { errorBody } from '../pipeline/index.ts';
import { answerClientError, METHODS, pathOf, ROUTES, transportError } from './transport-errors.ts';
import { describeError, type Health, type Scopes } from '../observability/index.ts';
import type { Drain } from './drain.ts';
import type { McpProxy } from '../mcp/index.ts';
import { createBodyBudget, defaultBodyShare, receiveBody } from './body.ts';
import { discard, identifyFirst } from './identify-first.ts';
import {
  answerWithin,
  createSink,
  identityHeaders,
  replyStatus,
  send,
  type WriteBound,
  type WriteClock,
  type Writes,
} from './exchange.ts';
import { MCP_ROUTE, rejectMcp, routeMcp } from './mcp-routes.ts';

export { createDrain, drainAndClose, type Drain, type DrainOptions } from './drain.ts';

export interface ServerDeps {
  handler: RequestHandler;
  bodyLimitBytes: number;
  /** The bytes all bodies being received may hold together (server.max_body_bytes_in_flight); default 32 MiB or the
   * body limit, whichever is larger. */
  bodyBytesInFlight?: number;
  /** The part of that budget one remote address may hold (server.max_body_bytes_per_client); default
   * defaultBodyShare. */
  bodyBytesPerClient?: number;
  /** How long a request (head and body) may take to arrive (server.request_timeout_ms); default 30 s. */
  requestTimeoutMs?: number;
  /** How long a write to a client may wait for it to be taken (server.client_write_timeout_ms); default 30 s. */
  clientWriteTimeoutMs?: number;
  /** The slowest reading allowed (server.client_min_read_bytes_per_second): a plain answer's deadline grows by its
   * size at this pace, a stream's writes' total wait by what was written; default 4096. */
  clientMinReadBytesPerSecond?: number;
  /** Counts a client cut for not taking a write in time or reading below the pace (a stream's event or end, or a
   * plain answer). */
  clientStalled?: (what: 'stream' | 'answer', bound: WriteBound) => void;
  /** The write deadlines' clock (tests); default performance.now and setTimeout. */
  writeClock?: WriteClock;
  /** The pipeline's intake: a body it takes is written to its channel as it arrives, never held whole here. */
  intake?: Pick<ChannelIntake, 'takes' | 'open'>;
  /** The newest signed checkpoint note of a chain, or null; serves GET /v1/checkpoints/<chain>/latest when given. */
  latestCheckpoint?: (chain: string) => Promise<string | null>;
  /** The public keys of the identity assertions sent to gateways (served as JWKS); absent when none is configured. */
  assertionJwks?: { keys: readonly object[] } | null;
  /** Readiness for GET /readyz (503 with the reasons when not ready); without it /readyz answers like /livez. */
  health?: Health;
  /** Counts requests in flight and ends open streams at the drain deadline (drainAndClose). */
  drain?: Drain;
  /** Observation: each pipeline call runs in a request scope whose summary feeds the access log, metrics, traces. */
  scopes?: Scopes;
  /** fastify's logger (pino); none: fastify logs nothing of its own. */
  logger?: FastifyBaseLogger;
  /** Pipeline calls in flight (a gauge). */
  inFlightGauge?: (delta: number) => void;
  /** Counts a request refused here before any stage ran (503 busy or draining, 408, malformed HTTP): never recorded. */
  transportRefused?: (code: TransportErrorCode) => void;
  /** Counts a request no route takes: 404 (route `other`: never the raw path) or 405 on a known path (that path). */
  unrouted?: (code: 'ERR_NOT_FOUND' | 'ERR_METHOD_NOT_ALLOWED', route: string) => void;
  /** The MCP proxy (docs/mcp.md): /mcp/{server} and its protected resource metadata; absent when not configured. */
  mcp?: McpProxy | null;
}

/** Probes answer while the server drains; everything else is refused then. */
const PROBES: ReadonlySet<string> = new Set(['/livez', '/readyz', '/healthz']);

/** A body's content-type must say JSON (or be absent): `application/json` or `application/<name>+json`, UTF-8 if a
 * charset is given. */
const JSON_TYPE = /^application\/(?:[a-z0-9.+-]+\+)?json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** An idle kept-alive connection is closed after this (fastify's default, set here to be seen): longer than the
 * 60 s idle timeout common to load balancers, so that Proctor never closes a connection one is about to reuse. Node
 * closes it about a second after this. */
const KEEP_ALIVE_MS = 72_000;

export function buildServer(deps: ServerDeps): FastifyInstance {
  const requestTimeout = deps.requestTimeoutMs ?? 30_000;
  const inFlightBytes = deps.bodyBytesInFlight ?? Math.max(32 * 2 ** 20, deps.bodyLimitBytes);
  const budget = createBodyBudget(
    inFlightBytes,
    deps.bodyBytesPerClient ?? defaultBodyShare(deps.bodyLimitBytes, inFlightBytes),
  );
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    // One access line per request is written once its reply has left (inFlight below; src/observability/logger.ts).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimitBytes,
    // A request past its deadline is answered 408 by the clientError handler. Node checks the deadline every
    // connectionsCheckingInterval, so it fires within a quarter past it (at most 30 s past it).
    requestTimeout,
    keepAliveTimeout: KEEP_ALIVE_MS,
    // No socket inactivity timeout (0): a request waiting for its upstream is quiet on its socket for as long as the
    // upstream's timeouts allow; the write deadline (exchange.ts) bounds a client that stops reading instead.
    connectionTimeout: 0,
    http: {
      requestTimeout,
      headersTimeout: Math.min(60_000, requestTimeout),
      connectionsCheckingInterval: Math.min(30_000, Math.max(1000, Math.ceil(requestTimeout / 4))),
    },
    genReqId: () => randomUUID(),
    // Never take the client's request id or forwarded-for as ours.
    requestIdHeader: false,
    trustProxy: false,
    // Malformed HTTP and smuggling attempts (Node's parser refuses them): the API's error shape, then the socket
    // closes.
    clientErrorHandler: (error, socket) => answerClientError(error, socket, deps.transportRefused),
    // A URL fastify cannot decode: the API's error shape, not fastify's default text.
    frameworkErrors: (error, request, reply) => {
      const notFound = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      if (notFound) deps.unrouted?.('ERR_NOT_FOUND', 'other');
      else deps.transportRefused?.('ERR_HTTP_MALFORMED');
      const path = pathOf(request.raw.url ?? '');
      const { status, body } = transportError(
        notFound ? 'ERR_NOT_FOUND' : 'ERR_HTTP_MALFORMED',
        notFound ? 'no such resource' : 'the request URL is malformed',
        path,
        request.id,
      );
      // fastify types this reply for a generic schema; it is the plain reply every route has.
      void (reply as unknown as FastifyReply)
        .code(status)
        .header('x-proctor-request-id', request.id)
        .type('application/json')
        .send(JSON.stringify(body));
    },
    routerOptions: { maxParamLength: 128 },
    // Requests arriving while the server drains are answered by the drain hook below, in the API's error shape.
    return503OnClosing: false,
  });

  const { health, drain } = deps;
  const writes: Writes = {
    shutdown: drain?.shutdown,
    timeoutMs: deps.clientWriteTimeoutMs ?? 30_000,
    ...(deps.clientMinReadBytesPerSecond === undefined ? {} : { minBytesPerSecond: deps.clientMinReadBytesPerSecond }),
    ...(deps.clientStalled ? { stalled: deps.clientStalled } : {}),
    ...(deps.writeClock ? { clock: deps.writeClock } : {}),
  };
  // Draining: new requests on kept-alive connections are refused (503, connection closed), probes still answer.
  // Both hooks take callbacks, not promises: they run on every request, and an async hook costs a promise and a
  // microtask each.
  app.addHook('onRequest', (request, reply, done) => {
    if (!health?.draining || PROBES.has(pathOf(request.url))) {
      done();
      return;
    }
    // Answered here: fastify runs no further hook or handler (done is not called).
    deps.transportRefused?.('ERR_SHUTTING_DOWN');
    refuse(request, reply, 'ERR_SHUTTING_DOWN', 'the server is shutting down; retry');
  });
  // Draining: every answer closes its connection, so that clients reconnect to another replica. Every answer must be
  // taken within the write deadline plus its size at the minimum pace.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (health?.draining) reply.header('connection', 'close');
    const bytes =
      typeof payload === 'string' ? Buffer.byteLength(payload) : payload instanceof Uint8Array ? payload.byteLength : 0;
    answerWithin(reply.raw, writes, bytes);
    done(null, payload);
  });
  /**
   * Runs one pipeline call as a request in flight: until its outcome is recorded and its stream ended, and, given its
   * reply, until that reply has left (or its connection closed). The request's summary (access line, metrics, trace)
   * then goes to the sinks after the reply, off its latency; the request counts as in flight until it has, so a drain
   * never closes the process before a request's access line.
   */
  const inFlight = async (
    request: FastifyRequest,
    api: string,
    run: () => Promise<Reply>,
    reply?: FastifyReply,
  ): Promise<Reply> => {
    const end = drain?.begin();
    deps.inFlightGauge?.(1);
    const ended = () => {
      deps.inFlightGauge?.(-1);
      end?.();
    };
    if (deps.scopes && reply) {
      const { raw } = reply;
      return deps.scopes.run(request.id, api, run, replyStatus, (report) => {
        const left = () => {
          report();
          ended();
        };
        // A stream has ended (or a client gone) by now; a plain answer is sent after this: its response closes
        // once the answer is taken (or the write deadline cut it).
        if (raw.writableFinished || raw.closed || raw.destroyed) left();
        else raw.once('close', left);
      });
    }
    try {
      return deps.scopes ? await deps.scopes.run(request.id, api, run, replyStatus) : await run();
    } finally {
      ended();
    }
  };

  app.removeAllContentTypeParsers();
  // Only the pipeline's routes hand a large body on as the intake's channel; every other route gets bytes.
  const intakeRoutes: ReadonlySet<string> = new Set(ROUTES.map((r) => r.url));
  // A body sent where no route is (a path, or a method its path does not take: fastify parses for its not-found
  // route too) is never read into the budget, no caller being identified there: it is read and dropped (at most the
  // body limit, none when its declared length passes it) and answered 404 or 405, its connection closed unless the
  // body was read whole.
  const dropped = new WeakSet<FastifyRequest>();
  app.addContentTypeParser('*', async (request: FastifyRequest, payload: IncomingMessage) => {
    if (request.is404) {
      await discard(request, payload, deps.bodyLimitBytes);
      if (!request.raw.complete) dropped.add(request);
      return new Uint8Array(0);
    }
    const spill = deps.intake && intakeRoutes.has(request.routeOptions.url ?? '') ? { spill: deps.intake } : {};
    const client = request.socket.remoteAddress ?? '';
    const body = await receiveBody(payload, { limitBytes: deps.bodyLimitBytes, budget, client, ...spill });
    const type = request.headers['content-type'];
    if (type === undefined || JSON_TYPE.test(type)) return body;
    if (!(body instanceof Uint8Array)) body.release();
    throw Object.assign(new Error('the request content-type is not JSON'), { code: 'PROCTOR_NOT_JSON_TYPE' });
  });

  for (const route of ROUTES) {
    const identified = identifyFirst(deps.handler, route.api, deps.bodyLimitBytes, inFlight, deps.scopes);
    app.post(route.url, { preParsing: identified.hook, preHandler: identified.recheck }, async (request, reply) => {
      const body = (request.body ?? new Uint8Array(0)) as IncomingRequest['body'];
      try {
        const result = await inFlight(
          request,
          route.api,
          () =>
            deps.handler.handle({
              requestId: request.id,
              api: route.api,
              headers: identityHeaders(request),
              body,
              principal: identified.principalOf(request),
              sink: createSink(reply, writes, deps.scopes?.current()),
            }),
          reply,
        );
        if (result.streamed) return reply;
        return send(reply, result);
      } finally {
        // The request is answered (a stream ended): what its channel still holds is freed.
        if (!(body instanceof Uint8Array)) body.release();
      }
    });
  }

  app.get('/v1/models', async (request, reply) =>
    send(
      reply,
      await inFlight(request, 'openai.models', () =>
        deps.handler.listModels({ requestId: request.id, headers: identityHeaders(request) }),
      ),
    ),
  );

  if (deps.mcp) routeMcp(app, deps.mcp, inFlight, writes);

  // Probes (docs/observability.md): live = the process answers; ready = able to take traffic (503 with reasons
  // otherwise, and from the start of a drain). /healthz is /livez under its older name.
  const live = async () => ({ status: 'ok' });
  app.get('/livez', live);
  app.get('/healthz', live);
  app.get('/readyz', async (_request, reply) => {
    if (!health) return live();
    const report = await health.readiness();
    if (report.ready) return { status: 'ready' };
    return reply.code(503).header('cache-control', 'no-store').send({ status: 'not_ready', reasons: report.reasons });
  });

  // Public by design: gateways verify Proctor's identity assertions (x-proctor-assertion) against this key set.
  const assertionJwks = deps.assertionJwks;
  if (assertionJwks) {
    const jwksBody = JSON.stringify(assertionJwks);
    app.get('/.well-known/proctor-assertion-jwks.json', async (_request, reply) =>
      reply
        .code(200)
        .header('content-type', 'application/jwk-set+json')
        .header('cache-control', 'public, max-age=300')
        .send(jwksBody),
    );
  }

  // Public by design: checkpoints are signed and hold no record contents; witnesses poll them.
  const latestCheckpoint = deps.latestCheckpoint;
  if (latestCheckpoint) {
    app.get<{ Params: { chain: string } }>('/v1/checkpoints/:chain/latest', async (request, reply) => {
      const note = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(request.params.chain)
        ? await latestCheckpoint(request.params.chain)
        : null;
      if (note === null)
        return reply.code(404).send(errorBody('ERR_NOT_FOUND', 'no checkpoint for this chain', request.id));
      return reply
        .code(200)
        .header('content-type', 'text/plain; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(note);
    });
  }

  // No route: 405 (with `allow`) on a known path, else 404; both invalid_request_error in the path's API shape.
  app.setNotFoundHandler(async (request, reply) => {
    const path = pathOf(request.url);
    const methods = METHODS.get(path);
    if (methods) deps.unrouted?.('ERR_METHOD_NOT_ALLOWED', path);
    else deps.unrouted?.('ERR_NOT_FOUND', 'other');
    const { status, body } = methods
      ? transportError('ERR_METHOD_NOT_ALLOWED', `${path} takes ${methods.join(', ')}`, path, request.id)
      : transportError('ERR_NOT_FOUND', 'no such resource', path, request.id);
    if (methods) reply.header('allow', methods.join(', '));
    if (dropped.has(request)) reply.header('connection', 'close');
    return reply
      .code(status)
      .header('x-proctor-request-id', request.id)
      .type('application/json')
      .send(JSON.stringify(body));
  });

  app.setErrorHandler(
    async (error: { code?: string; statusCode?: number }, request: FastifyRequest, reply: FastifyReply) => {
      if (error.code === 'PROCTOR_BODY_BUSY') {
        deps.transportRefused?.('ERR_SERVER_BUSY');
        return refuse(request, reply, 'ERR_SERVER_BUSY', 'too many request bytes are being received; retry');
      }
      if (deps.mcp && request.routeOptions.url === MCP_ROUTE) return rejectMcp(deps.mcp, error, request, reply);
      const route = ROUTES.find((r) => r.url === request.routeOptions.url);
      const incoming: Omit<IncomingRequest, 'body'> = {
        requestId: request.id,
        api: route?.api ?? 'openai.chat_completions',
        headers: identityHeaders(request),
      };
      const tooLarge = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
      const notJsonType = error.code === 'PROCTOR_NOT_JSON_TYPE';
      if (!tooLarge && !notJsonType)
        request.log.warn({ request_id: request.id, error: describeError(error) }, 'request body could not be read');
      const result = await inFlight(
        request,
        incoming.api,
        () =>
          deps.handler.reject(
            incoming,
            tooLarge ? 'ERR_REQUEST_TOO_LARGE' : 'ERR_REQUEST_NOT_JSON',
            tooLarge
              ? `request body exceeds ${deps.bodyLimitBytes} bytes`
              : notJsonType
                ? 'the request content-type must be application/json'
                : 'request body could not be read',
          ),
        reply,
      );
      return send(reply, result);
    },
  );

  return app;
}

/** A request refused by the transport before any stage ran (not recorded): 503 in the path's API shape, retry-after,
 * and its connection closed (so that the client reconnects, perhaps to another replica). */
function refuse(request: FastifyRequest, reply: FastifyReply, code: TransportErrorCode, message: string): FastifyReply {
  const { status, body } = transportError(code, message, pathOf(request.url), request.id);
  return reply
    .code(status)
    .header('connection', 'close')
    .header('retry-after', '1')
    .header('x-proctor-request-id', request.id)
    .type('application/json')
    .send(JSON.stringify(body));
}
