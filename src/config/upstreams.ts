// The upstream registry's configuration: upstreams (kind, credential, attributes, timeouts, headers), routing and
// the identity-assertion key, checked beyond what the JSON Schema can say. Every problem names its path; the
// deprecated `provider`/`timeout_ms` keys of older files keep working. No secret value is ever put in a message.
import type { SecretRef, ConfigDocument, UpstreamDocument } from './schema.ts';
import {
  KINDS,
  RESERVED_HEADERS,
  DEFAULT_ANTHROPIC_VERSION,
  modelPatternMatches,
  servesModel,
  type ApiFamily,
  type UpstreamKind,
  type UpstreamSettings,
  type RouteSettings,
  type RoutingSettings,
} from '../upstreams/index.ts';
import { attributionHeaders } from '../upstreams/attribution.ts';

export type { UpstreamSettings, RouteSettings, RoutingSettings } from '../upstreams/index.ts';

export interface AssertionSettings {
  issuer: string;
  signingKeyPem: string;
  ttlSeconds: number;
}

export interface UpstreamConfig {
  upstreams: UpstreamSettings[];
  routing: RoutingSettings;
  assertions: AssertionSettings | null;
}

type Secret = (ref: SecretRef, at: string) => string;

export function resolveUpstreams(
  doc: Pick<ConfigDocument, 'upstreams' | 'routing' | 'assertions'>,
  secret: Secret,
  problems: string[],
): UpstreamConfig {
  const names = new Set<string>();
  const upstreams = doc.upstreams.map((u, i) => {
    if (names.has(u.name)) problems.push(`/upstreams/${i}/name: duplicate upstream name '${u.name}'`);
    names.add(u.name);
    return resolveUpstream(u, `/upstreams/${i}`, secret, problems, doc.assertions !== undefined);
  });
  const byName = new Map(upstreams.map((u) => [u.name, u]));

  const checkList = (list: readonly string[], at: string, api: ApiFamily | null, model: string | null): void => {
    list.forEach((name, j) => {
      const upstream = byName.get(name);
      if (!upstream) {
        problems.push(`${at}/${j}: unknown upstream '${name}' (configured: ${[...byName.keys()].join(', ')})`);
        return;
      }
      if (api !== null && !upstream.apis.includes(api)) {
        problems.push(
          `${at}/${j}: upstream '${name}' (kind ${upstream.kind}) does not serve the ${api} API ` +
            `(it serves: ${upstream.apis.join(', ')})`,
        );
      }
      // A literal model can be checked against the upstream's list; a pattern is filtered per request instead.
      if (model !== null && !model.includes('*') && !servesModel(upstream, model)) {
        problems.push(
          `${at}/${j}: upstream '${name}' does not serve model '${model}' (its models: ${upstream.models.join(', ')})`,
        );
      }
    });
  };
  const routes = (doc.routing?.routes ?? []).map((r, i): RouteSettings => {
    checkList(r.upstreams, `/routing/routes/${i}/upstreams`, r.api ?? null, r.model);
    const shadowedBy = (doc.routing?.routes ?? [])
      .slice(0, i)
      .findIndex(
        (earlier) =>
          (earlier.api === undefined || earlier.api === r.api) && modelPatternMatches(earlier.model, r.model),
      );
    if (shadowedBy >= 0) {
      const earlier = `route ${shadowedBy} ('${doc.routing?.routes?.[shadowedBy]?.model}')`;
      problems.push(`/routing/routes/${i}/model: never used: ${earlier} matches every model this one does`);
    }
    return { model: r.model, api: r.api ?? null, upstreams: [...r.upstreams] };
  });
  const fallbackList = doc.routing?.default ?? null;
  if (fallbackList !== null) checkList(fallbackList, '/routing/default', null, null);
  const retry = doc.routing?.retry;

  let assertions: AssertionSettings | null = null;
  if (doc.assertions) {
    assertions = {
      issuer: doc.assertions.issuer ?? 'proctor',
      signingKeyPem: secret(doc.assertions.signing_key, '/assertions/signing_key'),
      ttlSeconds: doc.assertions.ttl_seconds ?? 60,
    };
  }
  return {
    upstreams,
    routing: {
      routes,
      default: fallbackList === null ? null : [...fallbackList],
      retry: {
        maxAttempts: retry?.max_attempts ?? 3,
        backoffMs: retry?.backoff_ms ?? 100,
        maxRetryAfterMs: retry?.max_retry_after_ms ?? 2000,
      },
    },
    assertions,
  };
}

function resolveUpstream(
  u: UpstreamDocument,
  at: string,
  secret: Secret,
  problems: string[],
  haveAssertionKey: boolean,
): UpstreamSettings {
  let kind: UpstreamKind = 'openai';
  if (u.kind !== undefined && u.provider !== undefined)
    problems.push(`${at}/provider: the deprecated name of 'kind'; give only 'kind'`);
  else if (u.kind !== undefined) kind = u.kind;
  else if (u.provider === undefined) problems.push(`${at}: must have required property 'kind'`);

  const traits = KINDS[kind];
  const apis = u.apis ? [...u.apis] : [...traits.defaultApis];
  apis.forEach((api, j) => {
    if (!(traits.canServe as readonly string[]).includes(api))
      problems.push(`${at}/apis/${j}: an upstream of kind ${kind} cannot serve the ${api} API`);
  });

  if (u.timeouts?.first_byte_ms !== undefined && u.timeout_ms !== undefined)
    problems.push(`${at}/timeout_ms: the deprecated name of timeouts.first_byte_ms; give only one`);
  const timeouts = {
    connectMs: u.timeouts?.connect_ms ?? 10_000,
    firstByteMs: u.timeouts?.first_byte_ms ?? u.timeout_ms ?? 120_000,
    totalMs: u.timeouts?.total_ms ?? 600_000,
  };
  if (timeouts.firstByteMs > timeouts.totalMs)
    problems.push(`${at}/timeouts: first_byte_ms (${timeouts.firstByteMs}) exceeds total_ms (${timeouts.totalMs})`);

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(u.headers ?? {})) {
    if (RESERVED_HEADERS.has(name) || name.startsWith('x-proctor-')) {
      problems.push(`${at}/headers/${name}: Proctor sets this header itself; it cannot be configured`);
      continue;
    }
    headers[name] = typeof value === 'string' ? value : secret(value, `${at}/headers/${name}`);
  }

  if (u.anthropic_version !== undefined && kind !== 'anthropic')
    problems.push(`${at}/anthropic_version: only an upstream of kind anthropic takes it`);
  let gateway: UpstreamSettings['gateway'] = null;
  if (kind === 'gateway') {
    gateway = {
      decisionId: u.gateway?.decision_id ?? true,
      assertion: u.gateway?.assertion ?? false,
      subjectHeader: u.gateway?.subject_header ?? null,
      product: u.gateway?.product ?? 'generic',
      servedBy: attributionHeaders(u.gateway?.product ?? 'generic', u.gateway?.served_by_headers ?? {}),
    };
    const subjectHeader = gateway.subjectHeader;
    if (
      subjectHeader !== null &&
      (RESERVED_HEADERS.has(subjectHeader) ||
        subjectHeader.startsWith('x-proctor-') ||
        subjectHeader in (u.headers ?? {}))
    ) {
      problems.push(
        `${at}/gateway/subject_header: '${subjectHeader}' is a header Proctor or this upstream's headers already set`,
      );
    }
    if (gateway.assertion && !haveAssertionKey)
      problems.push(`${at}/gateway/assertion: needs /assertions (the key that signs the assertion)`);
  } else if (u.gateway !== undefined) {
    problems.push(`${at}/gateway: only an upstream of kind gateway forwards attribution headers`);
  }

  return {
    name: u.name,
    kind,
    baseUrl: u.base_url.replace(/\/+$/, ''),
    credential: u.credential ? secret(u.credential, `${at}/credential`) : null,
    models: [...u.models],
    apis,
    region: u.attributes?.region ?? null,
    baa: u.attributes?.baa ?? false,
    zeroDataRetention: u.attributes?.zero_data_retention ?? false,
    timeouts,
    headers,
    anthropicVersion: u.anthropic_version ?? DEFAULT_ANTHROPIC_VERSION,
    gateway,
  };
}
