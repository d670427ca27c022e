// Proctor as an OAuth 2.1 protected resource for MCP clients: the Protected Resource Metadata document (RFC 9728)
// and the WWW-Authenticate challenge that points to it. The document is public by design (no token needed) and
// names the one resource identifier tokens must be issued for (RFC 8707: the token's audience).
import type { McpSettings } from '../config/index.ts';

export interface ResourceMetadata {
  /** Paths it is served at: the RFC 9728 well-known URI for the resource, and the bare one for clients that probe
   * it. */
  paths: string[];
  url: string;
  document: Record<string, unknown>;
}

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

export function resourceMetadata(settings: McpSettings): ResourceMetadata {
  const resource = new URL(settings.resource);
  const suffix = resource.pathname === '/' ? '' : resource.pathname.replace(/\/$/, '');
  const path = `${WELL_KNOWN}${suffix}`;
  return {
    paths: suffix === '' ? [WELL_KNOWN] : [path, WELL_KNOWN],
    url: `${resource.origin}${path}`,
    document: {
      resource: settings.resource,
      authorization_servers: [...settings.authorizationServers],
      bearer_methods_supported: ['header'],
      ...(settings.scopesSupported.length > 0 ? { scopes_supported: [...settings.scopesSupported] } : {}),
      resource_name: 'Proctor MCP proxy',
    },
  };
}

/** The 401 challenge (RFC 6750 §3, RFC 9728 §5.1): no error attribute when no token was sent at all. */
export function challenge(metadataUrl: string, code: string): string {
  const error = code === 'ERR_TOKEN_MISSING' ? '' : ', error="invalid_token"';
  return `Bearer resource_metadata="${metadataUrl}"${error}`;
}
