// The identity section (docs/identity.md): each trusted OIDC issuer with its defaults filled in. Checked beyond the
// JSON Schema: an issuer is https (http only for a loopback issuer with allow_insecure_http). The introspection
// client secret is resolved through the loader's secret reader; no secret value is ever put in a message.
import type { ConfigDocument, SecretRef } from './schema.ts';

export interface IssuerSettings {
  issuer: string;
  audience: string[];
  algorithms: string[];
  clockSkewSeconds: number;
  requiredTyp: string | null;
  groupsClaim: string | string[];
  tenantClaim: string | null;
  allowInsecureHttp: boolean;
  /** The identity knobs below are documented with their defaults in docs/identity.md. */
  subjectClaim: string;
  audiencePolicy: 'exactly-ours' | 'any';
  maxTokenAgeSeconds: number;
  maxTokenLifetimeSeconds: number;
  maxTokenBytes: number;
  allowedClients: string[] | null;
  jwks: { cacheMaxAgeSeconds: number; cooldownSeconds: number; timeoutMs: number };
  introspection: { clientId: string; clientSecret: string; cacheSeconds: number; tokenPrefix: string | null } | null;
  dpop: { algorithms: string[]; proofMaxAgeSeconds: number; origins: string[]; required: boolean };
}

/** identity.issuers, in the order written; problems collects every check that fails. */
export function resolveIssuers(
  doc: ConfigDocument['identity'],
  secret: (ref: SecretRef, at: string) => string,
  problems: string[],
): IssuerSettings[] {
  return doc.issuers.map((s, i): IssuerSettings => {
    const allowInsecureHttp = s.allow_insecure_http ?? false;
    const url = new URL(s.issuer);
    if (url.protocol !== 'https:' && !(allowInsecureHttp && isLoopback(url.hostname))) {
      problems.push(
        `/identity/issuers/${i}/issuer: must be https (http only for a loopback issuer with allow_insecure_http)`,
      );
    }
    return {
      issuer: s.issuer,
      audience: [...s.audience],
      algorithms: [...(s.algorithms ?? ['RS256', 'PS256', 'ES256', 'EdDSA'])],
      clockSkewSeconds: s.clock_skew_seconds ?? 30,
      requiredTyp: s.required_typ ?? null,
      groupsClaim: typeof s.claims?.groups === 'object' ? [...s.claims.groups] : (s.claims?.groups ?? 'groups'),
      tenantClaim: s.claims?.tenant ?? null,
      allowInsecureHttp,
      subjectClaim: s.claims?.subject ?? 'sub',
      audiencePolicy: s.audience_policy ?? 'exactly-ours',
      maxTokenAgeSeconds: s.max_token_age_seconds ?? 86_400,
      maxTokenLifetimeSeconds: s.max_token_lifetime_seconds ?? 86_400,
      maxTokenBytes: s.max_token_bytes ?? 8192,
      allowedClients: s.allowed_clients === undefined ? null : [...s.allowed_clients],
      jwks: {
        cacheMaxAgeSeconds: s.jwks?.cache_max_age_seconds ?? 600,
        cooldownSeconds: s.jwks?.cooldown_seconds ?? 30,
        timeoutMs: s.jwks?.timeout_ms ?? 5000,
      },
      introspection:
        s.introspection === undefined
          ? null
          : {
              clientId: s.introspection.client_id,
              clientSecret: secret(s.introspection.client_secret, `/identity/issuers/${i}/introspection/client_secret`),
              cacheSeconds: s.introspection.cache_seconds ?? 30,
              tokenPrefix: s.introspection.token_prefix ?? null,
            },
      dpop: {
        algorithms: [...(s.dpop?.algorithms ?? ['ES256', 'EdDSA', 'Ed25519', 'PS256', 'RS256'])],
        proofMaxAgeSeconds: s.dpop?.proof_max_age_seconds ?? 60,
        origins: [...(s.dpop?.origins ?? [])],
        required: s.dpop?.required ?? false,
      },
    };
  });
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
