// The MCP proxy's configuration (docs/mcp.md): the protected resource Proctor is to MCP clients (RFC 9728, RFC 8707)
// and the upstream MCP servers it fronts, each with Proctor's own credential. Checked beyond the JSON Schema: server
// names unique, URLs http(s) (http only to a loopback host), the resource an absolute https URL (http only on
// loopback). No secret value is ever put in a message.
import type { ConfigDocument, SecretRef } from './schema.ts';

export interface McpServerSettings {
  name: string;
  url: string;
  /** Proctor's own credential for this server (sent as `Authorization: Bearer`); the caller's token never is. */
  credential: string | null;
  /** Attributes the policy sees (input.upstreams[0] and input.mcp). */
  region: string | null;
  baa: boolean;
  zeroDataRetention: boolean;
  /** One upstream call's deadline, progress notifications included. */
  timeoutMs: number;
  /** Request limits per minute on this server's calls (docs/mcp.md#limits); a tool's apply to tools/call of it. */
  limits: McpCallLimit[];
}

export interface McpCallLimit {
  per: 'caller' | 'everyone';
  /** null: every call to the server. */
  tool: string | null;
  requestsPerMinute: number;
}

export interface McpSettings {
  /** The resource identifier tokens MUST be issued for (their `aud`), e.g. https://proctor.example.com/mcp. */
  resource: string;
  /** Authorization servers named in the protected resource metadata (default: every configured issuer). */
  authorizationServers: string[];
  scopesSupported: string[];
  servers: McpServerSettings[];
  /** Sessions held at once (a new one past this is refused) and how long an idle one lives. */
  maxSessions: number;
  sessionIdleSeconds: number;
}

type McpDocument = NonNullable<ConfigDocument['mcp']>;

export function resolveMcp(
  doc: McpDocument | undefined,
  issuers: readonly string[],
  secret: (ref: SecretRef, at: string) => string,
  problems: string[],
): McpSettings | null {
  if (doc === undefined) return null;
  const resource = new URL(doc.resource);
  if (!(resource.protocol === 'https:' || (resource.protocol === 'http:' && isLoopback(resource.hostname))))
    problems.push('/mcp/resource: must be https (http only for a loopback host)');
  if (resource.search !== '' || resource.hash !== '')
    problems.push('/mcp/resource: must have no query and no fragment (RFC 8707)');
  const seen = new Set<string>();
  const servers = doc.servers.map((s, i): McpServerSettings => {
    if (seen.has(s.name)) problems.push(`/mcp/servers/${i}/name: '${s.name}' is used twice`);
    seen.add(s.name);
    const url = new URL(s.url);
    if (!(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))))
      problems.push(`/mcp/servers/${i}/url: must be https (http only for a loopback host)`);
    return {
      name: s.name,
      url: url.href,
      credential: s.credential === undefined ? null : secret(s.credential, `/mcp/servers/${i}/credential`),
      region: s.attributes?.region ?? null,
      baa: s.attributes?.baa ?? false,
      zeroDataRetention: s.attributes?.zero_data_retention ?? false,
      timeoutMs: s.timeout_ms ?? 60_000,
      limits: callLimits(s.limits ?? [], `/mcp/servers/${i}/limits`, problems),
    };
  });
  return {
    resource: resource.href.replace(/\/$/, ''),
    authorizationServers: doc.authorization_servers ?? [...issuers],
    scopesSupported: doc.scopes_supported ?? [],
    servers,
    maxSessions: doc.max_sessions ?? 10_000,
    sessionIdleSeconds: doc.session_idle_seconds ?? 3600,
  };
}

/** One bucket each: a second limit on the same bucket (per, tool) is a problem, not a silent choice. */
function callLimits(
  limits: NonNullable<McpDocument['servers'][number]['limits']>,
  at: string,
  problems: string[],
): McpCallLimit[] {
  const seen = new Set<string>();
  return limits.map((l, i) => {
    const bucket = JSON.stringify([l.per, l.tool ?? null]);
    if (seen.has(bucket)) problems.push(`${at}/${i}: a second limit for the same per and tool`);
    seen.add(bucket);
    return { per: l.per, tool: l.tool ?? null, requestsPerMinute: l.requests_per_minute };
  });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
