// The configuration document's shape (schemas/config.schema.json) and its validator. Ajv runs in strict mode with
// every error collected, so one run of `proctor check-config` lists every problem with its JSON path.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: under Node's ESM interop its function arrives as the module's `default`.
const addFormats = addFormatsModule.default;

export type SecretRef = { env: string } | { file: string };
export type LogLevelName = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface ConfigDocument {
  server?: {
    host?: string;
    port?: number;
    body_limit_bytes?: number;
    max_body_bytes_in_flight?: number;
    max_body_bytes_per_client?: number;
    request_timeout_ms?: number;
    client_write_timeout_ms?: number;
    client_min_read_bytes_per_second?: number;
    max_connections_per_address?: number;
    max_connections?: number;
    drain_seconds?: number;
    log_level?: LogLevelName;
  };
  metrics?: { host?: string; port: number };
  database: {
    url?: SecretRef;
    pglite_dir?: string;
    connect_timeout_ms?: number;
    statement_timeout_ms?: number;
    idle_in_transaction_timeout_ms?: number;
    pool_size?: number;
    migrations?: 'apply' | 'check';
  };
  ledger: {
    chain: string;
    signing_key: SecretRef;
    batch?: { max_records?: number; max_wait_ms?: number };
    outcome_commit?: 'durable' | 'flush_deferred';
    checkpoints?: { every_records?: number; every_seconds?: number; sink_path?: string; origin?: string };
    retention_months?: number;
    witnesses?: { url: string; key: string; timeout_ms?: number }[];
    witness_quorum?: number;
  };
  identity: {
    issuers: {
      issuer: string;
      audience: string[];
      algorithms?: string[];
      clock_skew_seconds?: number;
      required_typ?: string;
      claims?: { subject?: string; groups?: string | string[]; tenant?: string | null };
      audience_policy?: 'exactly-ours' | 'any';
      max_token_age_seconds?: number;
      max_token_lifetime_seconds?: number;
      max_token_bytes?: number;
      allowed_clients?: string[];
      jwks?: { cache_max_age_seconds?: number; cooldown_seconds?: number; timeout_ms?: number };
      introspection?: { client_id: string; client_secret: SecretRef; cache_seconds?: number; token_prefix?: string };
      dpop?: { algorithms?: string[]; proof_max_age_seconds?: number; origins?: string[]; required?: boolean };
      allow_insecure_http?: boolean;
    }[];
  };
  classification: {
    fingerprint_key: SecretRef;
    recognizers?: CustomRecognizerDocument[];
    max_findings?: number;
    threads?: number;
    queue_limit?: number;
    thread_startup_timeout_ms?: number;
  };
  policy: { bundle: string; shadow_bundle?: string; poll_interval_seconds?: number; signing_key?: SecretRef };
  upstreams: UpstreamDocument[];
  routing?: RoutingDocument;
  assertions?: { issuer?: string; signing_key: SecretRef; ttl_seconds?: number };
  limits?: LimitsDocument;
  mcp?: McpDocument;
}

/** mcp as written in the file (schemas/config.schema.json, docs/mcp.md). */
export interface McpDocument {
  resource: string;
  authorization_servers?: string[];
  scopes_supported?: string[];
  max_sessions?: number;
  session_idle_seconds?: number;
  servers: {
    name: string;
    url: string;
    credential?: SecretRef;
    attributes?: { region?: string | null; baa?: boolean; zero_data_retention?: boolean };
    timeout_ms?: number;
    limits?: { per: 'caller' | 'everyone'; tool?: string; requests_per_minute: number }[];
  }[];
}

/** limits as written in the file (schemas/config.schema.json, docs/limits.md). */
export interface LimitsDocument {
  pricing?: string;
  reservation_ttl_seconds?: number;
  default_max_tokens?: number;
  defaults?: ({ scope: 'subject' | 'group' | 'tenant' | 'client'; name?: string } & Partial<
    Record<
      'tokens_per_minute' | 'requests_per_minute' | 'spend_micro_usd_per_day' | 'spend_micro_usd_per_month',
      number | null
    >
  >)[];
}

/** upstreams[] as written in the file; `provider` and `timeout_ms` are the deprecated names of `kind`, timeouts. */
export interface UpstreamDocument {
  name: string;
  kind?: 'openai' | 'anthropic' | 'openai-compatible' | 'gateway';
  provider?: 'openai';
  base_url: string;
  credential?: SecretRef;
  models: string[];
  apis?: ('openai' | 'anthropic')[];
  attributes?: { region?: string | null; baa?: boolean; zero_data_retention?: boolean };
  timeouts?: { connect_ms?: number; first_byte_ms?: number; total_ms?: number };
  timeout_ms?: number;
  headers?: Record<string, string | SecretRef>;
  anthropic_version?: string;
  gateway?: {
    decision_id?: boolean;
    assertion?: boolean;
    subject_header?: string;
    product?: 'litellm' | 'portkey' | 'kong' | 'generic';
    served_by_headers?: Partial<
      Record<
        'provider' | 'model' | 'provider_model' | 'deployment' | 'api_base' | 'cost_usd' | 'attempts' | 'trace_id',
        string
      >
    >;
  };
}

export interface RoutingDocument {
  routes?: { model: string; api?: 'openai' | 'anthropic'; upstreams: string[] }[];
  default?: string[];
  retry?: { max_attempts?: number; backoff_ms?: number; max_retry_after_ms?: number };
}

/** classification.recognizers[] as written in the file (snake_case); see schemas/config.schema.json. */
export interface CustomRecognizerDocument {
  type: string;
  category: 'PII' | 'PHI' | 'PCI' | 'SECRET' | 'CUSTOM';
  pattern: string;
  group?: number;
  validator?: string;
  normalizer?: string;
  context_words?: string[];
  require_context?: boolean;
  base_score: number;
  context_score?: number;
  partial?: string;
}

type Validator = ((data: unknown) => boolean) & {
  errors?: { instancePath: string; message?: string; params: Record<string, unknown> }[] | null;
};

let compiled: Validator | undefined;

function validator(): Validator {
  if (!compiled) {
    const schema: unknown = JSON.parse(
      readFileSync(new URL('../../schemas/config.schema.json', import.meta.url), 'utf8'),
    );
    // strictRequired is off because database.oneOf names keys that are defined beside it, not inside it.
    const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true, useDefaults: false });
    addFormats(ajv);
    compiled = ajv.compile(schema as object) as Validator;
  }
  return compiled;
}

/** Returns the document typed, or throws what `fail` builds from the list of `<path>: <problem>` lines. */
export function validateConfigDocument(document: unknown, fail: (problems: string[]) => Error): ConfigDocument {
  const validate = validator();
  if (validate(document)) return document as ConfigDocument;
  const problems = (validate.errors ?? []).map((e) => {
    const where = e.instancePath === '' ? '/' : e.instancePath;
    const extra = typeof e.params.additionalProperty === 'string' ? ` '${e.params.additionalProperty}'` : '';
    return `${where}: ${e.message ?? 'is invalid'}${extra}`;
  });
  throw fail([...new Set(problems)]);
}
