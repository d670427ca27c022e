// Transport failures in the API's own error shape: bytes that are not one well-formed HTTP/1.1 request (malformed
// request line or headers, Content-Length beside Transfer-Encoding, bad chunked framing, headers too large, a request
// that never finished), a bad URL, no route, a wrong method. Invariants: never Node's or fastify's default text; a
// connection with a framing error is always closed (nothing after it on that socket is read as a request); no pipeline
// stage runs, so nothing is forwarded and no record is written (there is no request to attribute it to).
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Api } from '../providers/index.ts';
import { errorBody, failureShape, shapeReply, type TransportErrorCode } from '../pipeline/index.ts';

/** One route per API; the adapter registry (src/providers) holds everything else about each. */
export const ROUTES: readonly { url: string; api: Api }[] = [
  { url: '/v1/chat/completions', api: 'openai.chat_completions' },
  { url: '/v1/completions', api: 'openai.completions' },
  { url: '/v1/embeddings', api: 'openai.embeddings' },
  { url: '/v1/responses', api: 'openai.responses' },
  { url: '/v1/messages', api: 'anthropic.messages' },
];

/** The methods each known path answers (405 names them in `allow`). */
export const METHODS: ReadonlyMap<string, readonly string[]> = new Map([
  ...ROUTES.map((r): [string, readonly string[]] => [r.url, ['POST']]),
  ['/v1/models', ['GET', 'HEAD']],
  ['/healthz', ['GET', 'HEAD']],
  ['/livez', ['GET', 'HEAD']],
  ['/readyz', ['GET', 'HEAD']],
]);

/** The API whose error shape a path gets: Anthropic's under /v1/messages (count_tokens, batches), else OpenAI's. */
export function apiForPath(path: string): Api {
  return path === '/v1/messages' || path.startsWith('/v1/messages/') || path.startsWith('/v1/messages?')
    ? 'anthropic.messages'
    : 'openai.chat_completions';
}

export function pathOf(url: string): string {
  const end = url.search(/[?#]/);
  return end < 0 ? url : url.slice(0, end);
}

/** A transport error as a reply body and status, in the shape of the API the path belongs to. */
export function transportError(
  code: TransportErrorCode,
  message: string,
  path: string,
  requestId: string,
): { status: number; body: unknown } {
  const { status } = failureShape(code);
  const reply = shapeReply(apiForPath(path), { status, headers: {}, body: errorBody(code, message, requestId) });
  return { status, body: reply.body };
}

/** Node's parser error codes, as what the client did wrong. Everything not named here is malformed HTTP. */
function classify(error: { code?: string }): { code: TransportErrorCode; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'ERR_HEADERS_TOO_LARGE', message: 'the request headers are too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'ERR_REQUEST_TIMEOUT', message: 'the request was not received in time' };
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return {
        code: 'ERR_HTTP_MALFORMED',
        message: 'the request framing is ambiguous (Content-Length with Transfer-Encoding, or an unknown coding)',
      };
    case 'HPE_INVALID_CHUNK_SIZE':
    case 'HPE_STRICT':
    case 'HPE_LF_EXPECTED':
    case 'HPE_CR_EXPECTED':
      return { code: 'ERR_HTTP_MALFORMED', message: 'the request body framing is malformed' };
    default:
      return { code: 'ERR_HTTP_MALFORMED', message: 'the request is not well-formed HTTP/1.1' };
  }
}

/**
 * The server's 'clientError' handler (fastify's clientErrorHandler): answers in the API's shape, then closes the
 * connection; `answered` is told each answer's code (the transport's refusals are counted, never recorded). A response
 * still under way on the socket (a good request pipelined before the bad one) finishes first; the answer is never
 * interleaved with it.
 */
export function answerClientError(
  error: Error & { code?: string; rawPacket?: unknown },
  socket: Socket,
  answered?: (code: TransportErrorCode) => void,
): void {
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || socket.destroyed) return;
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  const answer = () => writeAnswer(error, socket, answered);
  // Wait only for the answer to a request that was received whole; one whose body failed to parse gets this answer.
  if (inFlight && !inFlight.writableFinished && inFlight.req.complete) {
    inFlight.once('finish', answer);
    inFlight.once('close', () => {
      if (!inFlight.writableFinished) socket.destroy();
    });
    return;
  }
  answer();
}

function writeAnswer(
  error: Error & { code?: string; rawPacket?: unknown },
  socket: Socket,
  answered: ((code: TransportErrorCode) => void) | undefined,
): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const requestId = randomUUID();
  const { code, message } = classify(error);
  answered?.(code);
  const { status, body } = transportError(code, message, requestLinePath(error.rawPacket), requestId);
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(text)}\r\n` +
      `x-proctor-request-id: ${requestId}\r\nconnection: close\r\n\r\n${text}`,
  );
  // Node's parser stays failed for this connection, so whatever follows (a smuggled request) is never read as one.
  // The socket is closed once the peer has had a moment to read the answer (closing at once could reset it away).
  const timer = setTimeout(() => socket.destroy(), 1000);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** The path of the request line in the bytes the parser failed on, when it can be read; '' otherwise. */
function requestLinePath(raw: unknown): string {
  if (!Buffer.isBuffer(raw)) return '';
  const line = /^[A-Z]{1,16} (\/[^ \r\n]{0,2048}) HTTP\//.exec(raw.subarray(0, 2100).toString('latin1'));
  return line?.[1] ? pathOf(line[1]) : '';
}
