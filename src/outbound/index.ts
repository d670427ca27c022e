// Outbound HTTP bodies read into memory under a byte limit (IdP metadata and key sets, policy bundles by URL).
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
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (response.body !== null) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw new BodyTooLargeError(maxBytes);
      }
      chunks.push(value);
    }
  }
  return Buffer.concat(chunks);
}
