// A fetch wrapper for IdP metadata and key sets: the response body is read into memory up to a byte limit.
// Invariant: a response larger than the limit MUST be rejected (and its stream cancelled), never truncated,
// so a hostile or broken IdP cannot make Proctor buffer an unbounded key set.

import { BodyTooLargeError, readBodyLimited } from '../outbound/index.ts';

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  readonly code = 'ERR_RESPONSE_TOO_LARGE';
}

export function boundedFetch(fetchImpl: FetchLike, maxBytes: number): FetchLike {
  return async (url, init) => {
    const response = await fetchImpl(url, init);
    let body: Uint8Array;
    try {
      body = await readBodyLimited(response, maxBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        throw new ResponseTooLargeError(`response from ${new URL(url).origin} exceeds ${maxBytes} bytes`);
      throw error;
    }
    // Status 204/205/304 forbid a body in the Response constructor; an IdP answering those fails later anyway.
    const nullBody = response.status === 204 || response.status === 205 || response.status === 304;
    return new Response(nullBody ? null : body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
