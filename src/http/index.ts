// HTTP transport: adapts fastify to the pipeline and does nothing else. Security order lives in the pipeline, not in
// hook registration order. Request bodies arrive as raw bytes so that parsing errors are the pipeline's (and so are
// recorded); transport failures (body too large, unreadable body) are handed to the pipeline to be recorded as well.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Api } from '../providers/index.ts';
import type { IncomingRequest, Reply, RequestHandler, StreamSink } from '../pipeline/index.ts';
import { errorBody } from '../pipeline/index.ts';

export interface ServerDeps {
  handler: RequestHandler;
  bodyLimitBytes: number;
  /** The newest signed checkpoint note of a chain, or null; serves GET /v1/checkpoints/<chain>/latest when given. */
  latestCheckpoint?: (chain: string) => Promise<string | null>;
  /** The public keys of the identity assertions sent to gateways (served as JWKS); absent when none is configured. */
  assertionJwks?: { keys: readonly object[] } | null;
}

/** One route per API; the adapter registry (src/providers) holds everything else about each. */
const ROUTES: readonly { url: string; api: Api }[] = [
  { url: '/v1/chat/completions', api: 'openai.chat_completions' },
  { url: '/v1/completions', api: 'openai.completions' },
  { url: '/v1/embeddings', api: 'openai.embeddings' },
  { url: '/v1/responses', api: 'openai.responses' },
  { url: '/v1/messages', api: 'anthropic.messages' },
];

export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: deps.bodyLimitBytes,
    genReqId: () => randomUUID(),
    // Never take the client's request id or forwarded-for as ours.
    requestIdHeader: false,
    trustProxy: false,
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  for (const route of ROUTES) {
    app.post(route.url, async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const result = await deps.handler.handle({ requestId: request.id, api: route.api, headers: request.headers, body, sink: createSink(reply) });
      if (result.streamed) return reply;
      return send(reply, result);
    });
  }

  app.get('/v1/models', async (request, reply) => send(reply, await deps.handler.listModels({ requestId: request.id, headers: request.headers })));

  app.get('/healthz', async () => ({ status: 'ok' }));

  // Public by design: gateways verify Proctor's identity assertions (x-proctor-assertion) against this key set.
  const assertionJwks = deps.assertionJwks;
  if (assertionJwks) {
    const jwksBody = JSON.stringify(assertionJwks);
    app.get('/.well-known/proctor-assertion-jwks.json', async (_request, reply) =>
      reply.code(200).header('content-type', 'application/jwk-set+json').header('cache-control', 'public, max-age=300').send(jwksBody));
  }

  // Public by design: checkpoints are signed and hold no record contents; witnesses poll them.
  const latestCheckpoint = deps.latestCheckpoint;
  if (latestCheckpoint) {
    app.get<{ Params: { chain: string } }>('/v1/checkpoints/:chain/latest', async (request, reply) => {
      const note = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(request.params.chain) ? await latestCheckpoint(request.params.chain) : null;
      if (note === null) return reply.code(404).send(errorBody('ERR_NOT_FOUND', 'no checkpoint for this chain', request.id));
      return reply.code(200).header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store').send(note);
    });
  }

  app.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send(errorBody('ERR_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`, request.id)),
  );

  app.setErrorHandler(async (error: { code?: string; statusCode?: number }, request: FastifyRequest, reply: FastifyReply) => {
    const route = ROUTES.find((r) => r.url === request.routeOptions.url);
    const incoming: Omit<IncomingRequest, 'body'> = { requestId: request.id, api: route?.api ?? 'openai.chat_completions', headers: request.headers };
    const tooLarge = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
    const result = await deps.handler.reject(
      incoming,
      tooLarge ? 'ERR_REQUEST_TOO_LARGE' : 'ERR_REQUEST_NOT_JSON',
      tooLarge ? `request body exceeds ${deps.bodyLimitBytes} bytes` : 'request body could not be read',
    );
    return send(reply, result);
  });

  return app;
}

/**
 * The response as a stream sink: headers go out on `open` (fastify steps aside: the reply is hijacked), each write
 * resolves when the socket has taken it (back-pressure reaches the relay, which stops reading the upstream), and a
 * client that goes away before the end aborts the signal, which aborts the upstream request.
 */
function createSink(reply: FastifyReply): StreamSink {
  const raw = reply.raw;
  const gone = new AbortController();
  raw.on('close', () => {
    if (!raw.writableFinished) gone.abort();
  });
  return {
    open(status, headers) {
      reply.hijack();
      raw.writeHead(status, headers);
      raw.flushHeaders();
    },
    write(text) {
      if (gone.signal.aborted || raw.destroyed) return Promise.resolve();
      if (raw.write(text)) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          raw.off('drain', done);
          raw.off('close', done);
          resolve();
        };
        raw.on('drain', done);
        raw.on('close', done);
      });
    },
    end() {
      if (!raw.destroyed) raw.end();
    },
    signal: gone.signal,
  };
}

function send(reply: FastifyReply, result: Reply): FastifyReply {
  return reply.code(result.status).headers(result.headers).type('application/json').send(JSON.stringify(result.body));
}
