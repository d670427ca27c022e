// Where a bundle comes from: a file path, or an HTTP(S) URL fetched with If-None-Match (ETag) so an unchanged
// bundle costs a 304. A fetch MUST either return the complete bytes (within the size limit and timeout) or throw
// PolicyError ERR_POLICY_BUNDLE_UNAVAILABLE; `label` is what records and logs show (no credentials, no query).
// Userinfo in the URL is sent as HTTP Basic authentication, never logged.
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MAX_BUNDLE_BYTES } from './bundle.ts';
import { PolicyError } from './errors.ts';
import { BodyTooLargeError, readBodyLimited } from '../outbound/index.ts';

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export interface FetchedBundle {
  bytes: Uint8Array;
  /** The response's ETag (URL sources), to send back as If-None-Match; null for files. */
  etag: string | null;
}

export interface BundleSource {
  /** The bundle reference as it may be recorded: a resolved path, or a URL without userinfo, query or fragment. */
  readonly label: string;
  readonly kind: 'file' | 'url';
  /** Fetches the bundle; null when the server answered 304 to `etag`. */
  fetch(etag: string | null): Promise<FetchedBundle | null>;
}

export interface SourceOptions {
  fetch?: FetchLike;
  timeoutMs?: number;
  maxBytes?: number;
}

/** A reference with a scheme is a URL (http: and https: only); anything else is a file path. */
export function bundleSource(reference: string, options: SourceOptions = {}): BundleSource {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(reference)) return fileSource(resolve(reference));
  let url: URL;
  try {
    url = new URL(reference);
  } catch (err) {
    throw new PolicyError('ERR_POLICY_CONFIG', 'policy bundle URL is not a valid URL', { cause: err });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new PolicyError(
      'ERR_POLICY_CONFIG',
      `policy bundle URL scheme ${url.protocol} is not supported (http: or https:)`,
    );
  }
  return urlSource(url, options);
}

/** Whether a URL source travels in the clear to another machine (an unsigned bundle that way is refused). */
export function isPlainRemoteHttp(source: BundleSource): boolean {
  if (source.kind !== 'url') return false;
  const url = new URL(source.label);
  return url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

function fileSource(path: string): BundleSource {
  return {
    label: path,
    kind: 'file',
    async fetch() {
      try {
        // Checked before reading, so a huge file is refused without being loaded (loadCandidate checks again).
        const { size } = await stat(path);
        if (size > MAX_BUNDLE_BYTES) throw new Error(`${size} bytes; the limit is ${MAX_BUNDLE_BYTES}`);
        return { bytes: await readFile(path), etag: null };
      } catch (err) {
        throw unavailable(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`, err);
      }
    },
  };
}

function urlSource(url: URL, options: SourceOptions): BundleSource {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxBytes ?? MAX_BUNDLE_BYTES;
  const label = `${url.protocol}//${url.host}${url.pathname}`;
  // fetch() refuses URLs with userinfo: credentials in the reference become HTTP Basic authentication instead.
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  const authorization =
    url.username === '' && url.password === '' ? null : `Basic ${Buffer.from(credentials).toString('base64')}`;
  const target = new URL(url.href);
  target.username = '';
  target.password = '';
  return {
    label,
    kind: 'url',
    async fetch(etag) {
      let response: Response;
      try {
        response = await fetchImpl(target.href, {
          headers: {
            ...(etag === null ? {} : { 'if-none-match': etag }),
            ...(authorization === null ? {} : { authorization }),
          },
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw unavailable(`cannot fetch ${label}: ${err instanceof Error ? err.message : String(err)}`, err);
      }
      if (response.status === 304 && etag !== null) {
        await response.body?.cancel();
        return null;
      }
      if (response.status !== 200) {
        await response.body?.cancel();
        throw unavailable(`${label} answered HTTP ${response.status}`);
      }
      const bytes = await readLimited(response, maxBytes, label);
      return { bytes, etag: response.headers.get('etag') };
    },
  };
}

/** The body up to maxBytes; a larger one is refused, never truncated. */
async function readLimited(response: Response, maxBytes: number, label: string): Promise<Uint8Array> {
  try {
    return await readBodyLimited(response, maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw unavailable(`${label} exceeds the ${maxBytes}-byte limit`);
    throw unavailable(`reading ${label} failed: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}

function unavailable(message: string, cause?: unknown): PolicyError {
  return new PolicyError('ERR_POLICY_BUNDLE_UNAVAILABLE', message, cause === undefined ? undefined : { cause });
}
