// Identify before a body is read: on the pipeline's routes and the MCP routes, stage 1 runs from the request's headers
// in fastify's preParsing hook, before the content-type parser takes a byte of the body from the shared budget
// (body.ts). The principal is handed to the pipeline (or the MCP proxy), which does not identify again (one call: the
// cached-token fast path and a DPoP proof's single use stand). A request stage 1 refuses is recorded as the pipeline
// (handler.refuseIdentity) or the MCP proxy (refuseHead) records it and answered in the API's shape with its
// connection closed; its body is never held: read and dropped as it arrives (no more than the body limit, no longer
// than request_timeout_ms) so that the client, still sending, reads the answer instead of a reset, and closed at once
// when its declared length passes the limit. Invariant: no request whose credential failed holds a byte of the budget.
// Once the body has arrived (fastify's preHandler hook) the principal's token is checked again against the clock: one
// that expired while the body arrived is refused (401 ERR_TOKEN_EXPIRED) and recorded the same way, its body released,
// nothing forwarded.
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../identity/index.ts';
import type { Scopes, StageTiming } from '../observability/index.ts';
import type { IncomingRequest, Reply, RequestHandler } from '../pipeline/index.ts';
import type { Api } from '../providers/index.ts';
import { identityHeaders, send } from './exchange.ts';

/** The preParsing hook of one pipeline route, and the principal it identified for a request. */
export interface IdentifyFirst {
  hook(request: FastifyRequest, reply: FastifyReply, payload: Readable): Promise<unknown>;
  /** The preHandler hook: the principal's token again, once the body has arrived; an expired one is refused. */
  recheck(request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void;
  /** The request's principal; in a request scope, stage 1's timing is added to it. */
  principalOf(request: FastifyRequest): Principal | undefined;
}

/** Stage 1 from a request's head, and the recorded refusal of a request it refused. */
export interface HeadIdentity {
  identify(request: FastifyRequest): Promise<Principal>;
  /** Throws (what `refuse` takes) when the principal's token has expired since `identify`; absent: not checked. */
  recheck?(principal: Principal): void;
  refuse(request: FastifyRequest, error: unknown): Promise<Reply>;
}

/** The pipeline's routes: its handler identifies, and records a refusal as stage 1's denial. */
export function identifyFirst(
  handler: Pick<RequestHandler, 'identify' | 'refuseIdentity'> & Partial<Pick<RequestHandler, 'recheckIdentity'>>,
  api: Api,
  bodyLimitBytes: number,
  inFlight: (request: FastifyRequest, api: string, run: () => Promise<Reply>) => Promise<Reply>,
  scopes: Scopes | undefined,
): IdentifyFirst {
  const identity: HeadIdentity = {
    identify: (request) => handler.identify(identityHeaders(request)),
    ...(handler.recheckIdentity ? { recheck: handler.recheckIdentity } : {}),
    refuse: (request, error) =>
      handler.refuseIdentity({ requestId: request.id, api, headers: identityHeaders(request) }, error),
  };
  return identifyHeadFirst(identity, api, bodyLimitBytes, inFlight, scopes);
}

export function identifyHeadFirst(
  identity: HeadIdentity,
  api: string,
  bodyLimitBytes: number,
  inFlight: (request: FastifyRequest, api: string, run: () => Promise<Reply>) => Promise<Reply>,
  scopes: Scopes | undefined,
): IdentifyFirst {
  const identified = new WeakMap<FastifyRequest, { principal: Principal; timing: StageTiming }>();
  /** Stage 1 ran before the request's scope began (inFlight): its timing joins the scope once it has. */
  const timed = (timing: StageTiming) => scopes?.current()?.timedBefore(timing);
  return {
    async hook(request, reply, payload) {
      const start = performance.now();
      const timing = (error: unknown): StageTiming => {
        const code = (error as { code?: unknown } | null)?.code;
        const failed = error === null ? null : typeof code === 'string' ? code : 'ERR_INTERNAL';
        return {
          stage: 'identify',
          startMs: performance.timeOrigin + start,
          durationMs: performance.now() - start,
          error: failed,
        };
      };
      let refused: unknown;
      try {
        const principal = await identity.identify(request);
        identified.set(request, { principal, timing: timing(null) });
        return payload;
      } catch (error) {
        refused = error;
      }
      const failed = timing(refused);
      const result = await inFlight(request, api, () => {
        timed(failed);
        return identity.refuse(request, refused);
      });
      await discard(request, payload, bodyLimitBytes);
      reply.header('connection', 'close');
      return send(reply, result);
    },
    recheck(request, reply, done) {
      const found = identified.get(request);
      if (found === undefined || identity.recheck === undefined) {
        done();
        return;
      }
      try {
        identity.recheck(found.principal);
        done();
        return;
      } catch (error) {
        // The route's handler does not run: the body it would have released is released here.
        const body = request.body as IncomingRequest['body'] | undefined;
        if (body !== undefined && !(body instanceof Uint8Array)) body.release();
        identified.delete(request);
        inFlight(request, api, () => identity.refuse(request, error)).then(
          (result) => send(reply, result),
          (failure: Error) => done(failure),
        );
      }
    },
    principalOf(request) {
      const found = identified.get(request);
      if (found) timed(found.timing);
      return found?.principal;
    },
  };
}

/** Reads and drops a body until it ends, the client leaves, or more than `limitBytes` arrived (declared or read):
 * nothing is kept, and Node's request deadline (request_timeout_ms) ends a body that stops arriving. Used too for a
 * body sent where no route is (index.ts): it takes nothing from the body budget. */
export function discard(request: FastifyRequest, payload: Readable, limitBytes: number): Promise<void> {
  const { raw } = request;
  if (raw.complete || payload.destroyed || Number(raw.headers['content-length']) > limitBytes) return Promise.resolve();
  return new Promise((resolve) => {
    let received = 0;
    const done = () => {
      payload.off('data', onData);
      payload.off('end', done);
      payload.off('close', done);
      payload.off('error', done);
      payload.pause();
      resolve();
    };
    const onData = (chunk: Buffer | string) => {
      received += chunk.length;
      if (received > limitBytes) done();
    };
    payload.on('data', onData);
    payload.on('end', done);
    payload.on('close', done);
    payload.on('error', done);
    payload.resume();
  });
}
