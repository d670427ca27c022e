// Outbound HTTP bodies read into memory under a byte limit (IdP metadata and key sets, policy bundles by URL, the
// upstreams' answers). The one bounded reader: every body Proctor reads whole from another server comes through here.
// Invariant: a body larger than the limit MUST be refused, its stream cancelled, never truncated, so a hostile or
// broken server cannot make Proctor buffer without bound. Callers map BodyTooLargeError to their own error codes.

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  readonly code = 'ERR_BODY_TOO_LARGE';
  readonly limit: number;
  constructor(limit: number) {
    super(`response body exceeds ${limit} bytes`);
    this.limit = limit;
  }
}

/** The whole body of a fetch Response, at most maxBytes (checked against Content-Length first, then while reading). */
export async function readBodyLimited(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new BodyTooLargeError(maxBytes);
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  return readChunksLimited(
    {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      },
    },
    maxBytes,
    () => void reader.cancel().catch(() => {}),
  );
}

/**
 * Chunks joined, at most maxBytes: past the limit `stop` is called (cancel the stream, destroy the socket) and
 * BodyTooLargeError thrown; errors while reading pass through unchanged, for the caller to map.
 */
export async function readChunksLimited(
  chunks: AsyncIterable<Uint8Array>,
  maxBytes: number,
  stop: () => void,
): Promise<Uint8Array> {
  const kept: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      stop();
      throw new BodyTooLargeError(maxBytes);
    }
    kept.push(chunk);
  }
  return Buffer.concat(kept);
}
