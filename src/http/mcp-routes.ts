// MCP over Streamable HTTP on fastify: the /mcp/{server} routes (the proxy answers everything, errors included), the
// protected resource metadata, and an MCP body the transport refused, answered in the proxy's shape. Nothing here
// decides: the proxy (src/mcp) does; this adapts its request and reply. As on the LLM APIs' routes, the server, the
// origin and the caller are checked from the request's head before a byte of its body is read (identify-first.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../identity/index.ts';
import type { McpHead, McpProxy } from '../mcp/index.ts';
import type { Reply } from '../pipeline/index.ts';
import { createSink, identityHeaders, type Writes } from './exchange.ts';
import { identifyHeadFirst } from './identify-first.ts';

export const MCP_ROUTE = '/mcp/:server';

/** The principal each MCP request was identified as from its head: the proxy, and rejectMcp, never identify again. */
const principals = new WeakMap<FastifyRequest, Principal>();

/** What the proxy is told of a request before its body (with its principal, once identified from the head). */
function headOf(request: FastifyRequest): McpHead {
  const principal = principals.get(request);
  return {
    requestId: request.id,
    server: (request.params as { server: string }).server,
    method: request.method as McpHead['method'],
    headers: identityHeaders(request),
    ...(principal ? { principal } : {}),
  };
}

/** An MCP body the transport refused (too large, not JSON): recorded and answered by the MCP proxy, in its shape. */
export async function rejectMcp(
  mcp: McpProxy,
  error: { code?: string },
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const tooLarge = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
  const answer = await mcp.reject(
    headOf(request),
    tooLarge ? 'ERR_REQUEST_TOO_LARGE' : 'ERR_REQUEST_NOT_JSON',
    tooLarge ? 'the request body is too large' : 'the request body could not be read as JSON',
  );
  reply.code(answer.status).headers(answer.headers);
  return 'body' in answer && answer.body !== null
    ? reply.type('application/json').send(JSON.stringify(answer.body))
    : reply.send();
}

/** MCP over Streamable HTTP: one route per method on /mcp/:server (the proxy answers everything, errors included), and
 * the protected resource metadata (RFC 9728), public by design. */
export function routeMcp(
  app: FastifyInstance,
  mcp: McpProxy,
  inFlight: (request: FastifyRequest, api: string, run: () => Promise<Reply>) => Promise<Reply>,
  writes: Writes,
): void {
  const document = JSON.stringify(mcp.metadata.document);
  for (const path of mcp.metadata.paths) {
    app.get(path, async (_request, reply) =>
      reply.code(200).header('cache-control', 'public, max-age=300').type('application/json').send(document),
    );
  }
  const identified = identifyHeadFirst(
    {
      identify: async (request) => {
        const principal = await mcp.identifyHead(headOf(request));
        principals.set(request, principal);
        return principal;
      },
      recheck: (principal) => mcp.recheckHead(principal),
      // A refusal of the head is never a stream.
      refuse: async (request, error) => (await mcp.refuseHead(headOf(request), error)) as Reply,
    },
    'mcp',
    // fastify sets its own default when none is given; 0 would close a refused request's connection unread
    app.initialConfig.bodyLimit ?? 0,
    inFlight,
    undefined,
  );
  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    // Bytes (the MCP routes are no intake routes: their bodies are never handed on as a channel).
    const body = request.body instanceof Uint8Array ? request.body : new Uint8Array(0);
    let stream: Extract<Awaited<ReturnType<McpProxy['handle']>>, { stream: unknown }> | null = null;
    const result = await inFlight(request, 'mcp', async () => {
      const answer = await mcp.handle({ ...headOf(request), body });
      if (!('stream' in answer)) return { status: answer.status, headers: answer.headers, body: answer.body };
      // An SSE answer: its decision is recorded; the events (and the outcome before the last one) are written here.
      stream = answer;
      const sink = createSink(reply, writes, undefined);
      sink.open(answer.status, answer.headers);
      try {
        await answer.stream((data) => sink.write(`event: message\ndata: ${data}\n\n`), sink.signal);
      } finally {
        sink.end(); // the stream's last event is its answer (or its error); headers are gone, nothing else can be sent
      }
      return { status: answer.status, headers: answer.headers, body: null, streamed: true };
    });
    if (stream !== null || result.streamed) return reply;
    reply.code(result.status).headers(result.headers);
    if (result.body === null) return reply.send();
    return reply.type('application/json').send(JSON.stringify(result.body));
  };
  const options = { preParsing: identified.hook, preHandler: identified.recheck };
  app.post(MCP_ROUTE, options, serve);
  app.get(MCP_ROUTE, options, serve);
  app.delete(MCP_ROUTE, options, serve);
}
