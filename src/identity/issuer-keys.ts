// Signing keys of one trusted issuer: OIDC discovery (openid-client), then a remote JWKS (jose), both lazy.
// Invariants: discovery runs on first use, is shared by concurrent callers, cached once it succeeds and retried
// on the next call after it fails (an IdP down at start-up must not stop Proctor). A failure that repeats pauses the
// next attempt (discovery and key-set fetches alike: 1 s, doubling, at most the JWKS cooldown; a success ends it), and
// callers meanwhile get the failure again: made-up tokens naming a trusted issuer, sent while its IdP is down, reach
// it at most once a pause, never one fetch a token. The discovered issuer MUST equal the configured one exactly;
// key-set fetch failures surface as ERR_IDP_UNAVAILABLE (503), never as a 401.

import { createRemoteJWKSet, customFetch as joseCustomFetch, errors as joseErrors } from 'jose';
import type { JWTVerifyGetKey } from 'jose';
import { allowInsecureRequests, customFetch as oidcCustomFetch, discovery } from 'openid-client';
import type { Configuration } from 'openid-client';
import { boundedFetch } from './bounded-fetch.ts';
import type { FetchLike } from './bounded-fetch.ts';
import { isAllowedTransport } from './config.ts';
import type { ResolvedIssuer } from './config.ts';
import { IdentityError } from './errors.ts';

/** Resource-server identity used for discovery; Proctor never acts as an OAuth client of the IdP here. */
const DISCOVERY_CLIENT_ID = 'proctor';
const MAX_METADATA_BYTES = 64 * 1024;
const MAX_JWKS_BYTES = 256 * 1024;

export interface IssuerKeysOptions {
  fetch: FetchLike;
  /** Discovery and JWKS fetch timeout. */
  timeoutMs: number;
  /** How long a fetched key set is used before it is fetched again (then: fail closed if the IdP is down). */
  jwksCacheMaxAgeMs: number;
  /** Minimum time between re-fetches triggered by an unknown `kid`; also the longest pause after failed fetches. */
  jwksCooldownMs: number;
  /** Milliseconds since the epoch (the authenticator's clock): when a paused fetch may be tried again. */
  now(): number;
}

export interface IssuerKeys {
  /** The key resolver for jwtVerify. MUST reject with IdentityError ERR_IDP_UNAVAILABLE when discovery fails. */
  resolver(): Promise<JWTVerifyGetKey>;
  /** The discovered openid-client Configuration: its server metadata names the introspection_endpoint. */
  configuration(): Promise<Configuration>;
}

interface Discovered {
  configuration: Configuration;
  resolver: JWTVerifyGetKey;
}

/** jose errors that describe the token, not the IdP; they pass through to the token-error mapping. */
const TOKEN_KEY_ERRORS: ReadonlySet<string> = new Set([
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JOSE_NOT_SUPPORTED',
]);

type IssuerTransport = Pick<ResolvedIssuer, 'issuer' | 'allowInsecureHttp'>;

function unavailable(config: IssuerTransport, what: string, cause: unknown): IdentityError {
  return new IdentityError('ERR_IDP_UNAVAILABLE', `identity provider ${config.issuer}: ${what}`, { cause });
}

const FIRST_PAUSE_MS = 1000;

/**
 * Failed fetches in a row: the first is retried by the next call, each one after it pauses the next attempt (1 s,
 * doubling, at most maxMs) and hands callers its error meanwhile without a fetch. A success ends the pause.
 */
function createRetryPause(maxMs: number, now: () => number) {
  let failures = 0;
  let until = 0;
  let last: unknown;
  return {
    /** Throws the last failure while a pause runs. */
    check(): void {
      if (failures > 1 && now() < until) throw last;
    },
    failed(error: unknown): void {
      failures += 1;
      last = error;
      if (failures > 1) until = now() + Math.min(maxMs, FIRST_PAUSE_MS * 2 ** Math.min(failures - 2, 16));
    },
    succeeded(): void {
      failures = 0;
    },
  };
}

export function createIssuerKeys(config: IssuerTransport, opts: IssuerKeysOptions): IssuerKeys {
  let discovered: Discovered | undefined;
  let pending: Promise<Discovered> | undefined;
  const maxPauseMs = Math.max(FIRST_PAUSE_MS, opts.jwksCooldownMs);
  const discoveryPause = createRetryPause(maxPauseMs, opts.now);

  async function discover(): Promise<Discovered> {
    let configuration: Configuration;
    try {
      configuration = await discovery(new URL(config.issuer), DISCOVERY_CLIENT_ID, undefined, undefined, {
        execute: config.allowInsecureHttp ? [allowInsecureRequests] : [],
        timeout: Math.max(1, Math.ceil(opts.timeoutMs / 1000)),
        [oidcCustomFetch]: boundedFetch(opts.fetch, MAX_METADATA_BYTES),
      });
    } catch (cause) {
      throw unavailable(config, 'discovery failed', cause);
    }
    const metadata = configuration.serverMetadata();
    // openid-client compares normalised URLs; tokens are checked against the exact string, so discovery must be too.
    if (metadata.issuer !== config.issuer) {
      throw unavailable(config, 'discovered issuer differs from the configured issuer', undefined);
    }
    const jwksUri = metadata.jwks_uri;
    if (
      typeof jwksUri !== 'string' ||
      !URL.canParse(jwksUri) ||
      !isAllowedTransport(new URL(jwksUri), config.allowInsecureHttp)
    ) {
      throw unavailable(config, 'discovery document has no acceptable jwks_uri', undefined);
    }
    const remote = createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: opts.timeoutMs,
      cacheMaxAge: opts.jwksCacheMaxAgeMs,
      cooldownDuration: opts.jwksCooldownMs,
      [joseCustomFetch]: boundedFetch(opts.fetch, MAX_JWKS_BYTES),
    });
    const keysPause = createRetryPause(maxPauseMs, opts.now);
    const resolver: JWTVerifyGetKey = async (header, token) => {
      keysPause.check();
      try {
        const key = await remote(header, token);
        keysPause.succeeded();
        return key;
      } catch (error) {
        if (error instanceof joseErrors.JOSEError && TOKEN_KEY_ERRORS.has(error.code)) throw error;
        const failure = unavailable(config, 'signing keys could not be fetched', error);
        keysPause.failed(failure);
        throw failure;
      }
    };
    return { configuration, resolver };
  }

  async function ready(): Promise<Discovered> {
    if (discovered !== undefined) return discovered;
    if (pending === undefined) discoveryPause.check();
    pending ??= discover().then(
      (value) => {
        discovered = value;
        pending = undefined;
        discoveryPause.succeeded();
        return value;
      },
      (error: unknown) => {
        pending = undefined; // the next request retries, or the one after the pause when failures repeat
        discoveryPause.failed(error);
        throw error;
      },
    );
    return pending;
  }

  return {
    resolver: async () => (await ready()).resolver,
    configuration: async () => (await ready()).configuration,
  };
}
