// Preloaded (--import) into Portkey's gateway by the side-by-side bench. Two things its 1.15.2 start script lacks:
// - a host: it listens on every interface; a listen() given a port and no host is held to loopback here.
// - streaming on Node: it appends headers to the immutable headers of the provider's fetch Response and answers 500
//   for every streamed chat completion (Portkey-AI/gateway#1389, #1550; test/integration/gateways-portkey.test.ts).
//   A streamed answer's Response is re-made here (same status, headers and body stream, mutable headers), as a
//   deployment on Node has to; plain answers are left as they are.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function loopbackListen(this: net.Server, ...args: unknown[]) {
  const [port, host] = args;
  const hostless = typeof port === 'number' && (host === undefined || typeof host === 'function');
  return listen.apply(this, (hostless ? [port, '127.0.0.1', ...args.slice(1)] : args) as never);
} as typeof listen;

const upstreamFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const response = await upstreamFetch(input, init);
  if (!response.headers.get('content-type')?.includes('text/event-stream')) return response;
  const { status, statusText, headers } = response;
  return new Response(response.body, { status, statusText, headers: new Headers(headers) });
};
