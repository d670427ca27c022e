// Proctor's configuration for the suites that start it in-process (startProctor): what every such suite writes the
// same way (listening on 127.0.0.1 at any port, the checked-in policy bundle, the ledger's signing key and the
// fingerprint key through the environment) once, and what a suite varies passed in. The issuer entries of the two
// token sources the suites use (the development issuer, the OIDC provider) and the usual echo upstream are here too.
import { fileURLToPath } from 'node:url';
import { type Config, resolveConfig } from '../../src/config/index.ts';
import { generateSigningKey } from '../../src/ledger/index.ts';

/** The checked-in default policy bundle. */
export const DEFAULT_BUNDLE = fileURLToPath(new URL('../../bundles/default.tar.gz', import.meta.url));

export interface ProctorConfigParts {
  /** The server section beyond host 127.0.0.1 and port 0. */
  server?: Record<string, unknown>;
  database: Record<string, unknown>;
  /** The ledger section but its signing key (SIGNING_KEY). */
  ledger: { chain: string } & Record<string, unknown>;
  issuers: readonly Record<string, unknown>[];
  /** Default: the checked-in bundle. */
  policy?: Record<string, unknown>;
  upstreams: readonly Record<string, unknown>[];
  /** The document's other sections (metrics, routing, limits, assertions…) as they are. */
  sections?: Record<string, unknown>;
  /** The variables the document names beyond SIGNING_KEY and FINGERPRINT_KEY (DATABASE_URL, credentials…). */
  env?: Record<string, string>;
  /** The ledger's key (a suite that verifies the chain trusts its public half); default: a fresh one. */
  signingKeyPem?: string;
  /** Relative paths in the document resolve from here; default: the working directory. */
  baseDir?: string;
}

export function proctorConfig(parts: ProctorConfigParts): Config {
  return resolveConfig(
    {
      server: { host: '127.0.0.1', port: 0, ...parts.server },
      database: parts.database,
      ledger: { ...parts.ledger, signing_key: { env: 'SIGNING_KEY' } },
      identity: { issuers: parts.issuers },
      classification: { fingerprint_key: { env: 'FINGERPRINT_KEY' } },
      policy: parts.policy ?? { bundle: DEFAULT_BUNDLE },
      upstreams: parts.upstreams,
      ...parts.sections,
    },
    {
      env: {
        SIGNING_KEY: parts.signingKeyPem ?? generateSigningKey().privateKeyPem,
        FINGERPRINT_KEY: 'f'.repeat(32),
        ...parts.env,
      },
      baseDir: parts.baseDir ?? process.cwd(),
    },
  );
}

/** The development issuer's entry (src/dev/dev-issuer.ts: ES256 or EdDSA access tokens, typ at+jwt, over http). */
export function devIssuerEntry(issuer: string, audience: string): Record<string, unknown> {
  return {
    issuer,
    audience: [audience],
    algorithms: ['ES256', 'EdDSA'],
    required_typ: 'at+jwt',
    allow_insecure_http: true,
  };
}

/** The OIDC provider's entry (helpers/oidc-provider.ts, over http), every algorithm it may sign with. */
export function oidcIssuerEntry(issuer: string, audience: string): Record<string, unknown> {
  return { issuer, audience: [audience], algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'], allow_insecure_http: true };
}

/** What a suite varies in the echo upstream's entry. */
export interface EchoUpstreamOptions {
  /** Default: openai-compatible. */
  kind?: 'openai' | 'openai-compatible';
  /** The variable holding the key Proctor sends the upstream; default: none. */
  credentialEnv?: string;
  /** Default: every model. */
  models?: readonly string[];
  /** Default: local, without a BAA, with zero data retention. */
  attributes?: Record<string, unknown>;
}

/**
 * `echo`: an upstream serving every model, with zero data retention, local and without a BAA, unless told otherwise.
 */
export function echoUpstream(baseUrl: string, options: EchoUpstreamOptions = {}): Record<string, unknown> {
  return {
    name: 'echo',
    kind: options.kind ?? 'openai-compatible',
    base_url: baseUrl,
    ...(options.credentialEnv === undefined ? {} : { credential: { env: options.credentialEnv } }),
    models: options.models ?? ['*'],
    attributes: options.attributes ?? { region: 'local', baa: false, zero_data_retention: true },
  };
}
