// A real, standards-compliant OIDC provider (panva/oidc-provider v9) on 127.0.0.1 for integration tests.
// Tokens are RFC 9068 JWT access tokens from the client_credentials grant with a resource indicator (= audience),
// obtained by a real HTTP POST to its token endpoint. `sub` defaults to the client id (what client_credentials
// yields); a natural-person `sub`, groups and tenant are set through the provider's own extension points
// (formats.customizers.jwt, extraTokenClaims) from extra token-request parameters only this test client sends.
// It also issues opaque (reference) tokens, answers RFC 7662 introspection for Proctor's own resource-server client,
// and binds tokens to a DPoP key (RFC 9449) when the token request carries a proof.

import { generateKeyPairSync } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OidcProviderOptions {
  /** Fixed port (e.g. to restart an IdP at the same issuer); 0 or absent = any free port. */
  port?: number;
  /**
   * Private signing JWKs (with kid, alg); absent = one fresh RS256 key. Pass `signingKeys` of a previous run to reuse.
   */
  signingKeys?: JsonWebKey[];
}

export interface TokenRequest {
  audience: string;
  groups?: string[];
  /** Natural-person subject; absent = the client id (client_credentials semantics). */
  sub?: string;
  tenant?: string;
  /** Access token lifetime in seconds (default 300). */
  ttlSeconds?: number;
  /** 'opaque' for a reference token that only introspection can resolve (default 'jwt'). */
  format?: 'jwt' | 'opaque';
  /** A DPoP proof for POST <issuer>/token: the token is then bound to its key (cnf.jkt). */
  dpopProof?: string;
}

export interface RunningOidcProvider {
  issuer: string;
  port: number;
  clientId: string;
  /** Proctor's resource-server client, allowed to introspect (client_secret_basic). */
  introspectionClient: { clientId: string; clientSecret: string };
  signingKeys: JsonWebKey[];
  tokenFor(request: TokenRequest): Promise<string>;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
interface ProviderInstance {
  callback(): Handler;
}
type ProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;

const CLIENT_ID = 'proctor-test-client';
const CLIENT_SECRET = 'proctor-test-client-secret-0123456789abcdef';
const RS_CLIENT_ID = 'proctor-resource-server';
const RS_CLIENT_SECRET = 'proctor-resource-server-secret-0123456789abcdef';

async function loadProvider(): Promise<ProviderConstructor> {
  const specifier = 'oidc-provider'; // untyped package: imported by a non-literal specifier
  const mod: unknown = await import(specifier);
  const ctor = (mod as { default?: unknown }).default;
  if (typeof ctor !== 'function') throw new TypeError('oidc-provider has no default export');
  return ctor as ProviderConstructor;
}

function freshSigningKey(): JsonWebKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: `rsa-${Date.now().toString(36)}`, alg: 'RS256', use: 'sig' };
}

/** The raw token-request body oidc-provider parsed (it keeps parameters it does not know). */
function requestBody(ctx: unknown): Record<string, string | undefined> {
  const body = (ctx as { oidc?: { body?: unknown } }).oidc?.body;
  return typeof body === 'object' && body !== null ? (body as Record<string, string | undefined>) : {};
}

/** A minimal in-memory adapter (the built-in one is fine too, but warns on every start). */
function memoryAdapter(): new (name: string) => object {
  const store = new Map<string, unknown>();
  return class MemoryAdapter {
    readonly #name: string;
    constructor(name: string) {
      this.#name = name;
    }
    async upsert(id: string, payload: unknown): Promise<void> {
      store.set(`${this.#name}:${id}`, payload);
    }
    async find(id: string): Promise<unknown> {
      return store.get(`${this.#name}:${id}`);
    }
    async findByUid(): Promise<undefined> {
      return undefined;
    }
    async findByUserCode(): Promise<undefined> {
      return undefined;
    }
    async consume(): Promise<void> {}
    async destroy(id: string): Promise<void> {
      store.delete(`${this.#name}:${id}`);
    }
    async revokeByGrantId(): Promise<void> {}
  };
}

export async function startOidcProvider(opts: OidcProviderOptions = {}): Promise<RunningOidcProvider> {
  const Provider = await loadProvider();
  const signingKeys = opts.signingKeys ?? [freshSigningKey()];
  let handler: Handler = (_req, res) => {
    res.writeHead(503).end();
  };
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    adapter: memoryAdapter(),
    jwks: { keys: signingKeys },
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
      },
      {
        client_id: RS_CLIENT_ID,
        client_secret: RS_CLIENT_SECRET,
        grant_types: [],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    ttl: {
      ClientCredentials: (_ctx: unknown, token: { resourceServer?: { accessTokenTTL?: number } }) =>
        token.resourceServer?.accessTokenTTL ?? 300,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // Only Proctor's resource-server client may introspect (the default policy warns on every start).
        allowedPolicy: (_ctx: unknown, client: { clientId: string }) => client.clientId === RS_CLIENT_ID,
      },
      dPoP: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        getResourceServerInfo: (ctx: unknown, resource: string) => ({
          scope: 'api',
          audience: resource,
          accessTokenFormat: requestBody(ctx)['x_format'] === 'opaque' ? 'opaque' : 'jwt',
          accessTokenTTL: Number(requestBody(ctx)['x_ttl'] ?? '300'),
        }),
      },
    },
    extraTokenClaims: (ctx: unknown) => {
      const body = requestBody(ctx);
      return {
        // An opaque token's introspection answer has no sub for client_credentials: the test names one here.
        ...(body['x_sub'] === undefined || body['x_format'] !== 'opaque' ? {} : { sub: body['x_sub'] }),
        ...(body['x_groups'] === undefined ? {} : { groups: JSON.parse(body['x_groups']) as unknown }),
        ...(body['x_tenant'] === undefined ? {} : { tenant: body['x_tenant'] }),
      };
    },
    formats: {
      customizers: {
        jwt: (ctx: unknown, _token: unknown, jwt: { payload: Record<string, unknown> }) => {
          const sub = requestBody(ctx)['x_sub'];
          if (sub !== undefined) jwt.payload['sub'] = sub;
        },
      },
    },
  });
  handler = provider.callback();

  async function tokenFor(request: TokenRequest): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', resource: request.audience });
    if (request.groups !== undefined) form.set('x_groups', JSON.stringify(request.groups));
    if (request.sub !== undefined) form.set('x_sub', request.sub);
    if (request.tenant !== undefined) form.set('x_tenant', request.tenant);
    if (request.ttlSeconds !== undefined) form.set('x_ttl', String(request.ttlSeconds));
    if (request.format !== undefined) form.set('x_format', request.format);
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        ...(request.dpopProof === undefined ? {} : { dpop: request.dpopProof }),
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
      },
      body: form,
    });
    const body = (await response.json()) as { access_token?: unknown; error?: unknown; error_description?: unknown };
    if (response.status !== 200 || typeof body.access_token !== 'string') {
      throw new Error(
        `token endpoint answered ${response.status}: ${String(body.error)} ${String(body.error_description)}`,
      );
    }
    return body.access_token;
  }

  return {
    issuer,
    port,
    clientId: CLIENT_ID,
    introspectionClient: { clientId: RS_CLIENT_ID, clientSecret: RS_CLIENT_SECRET },
    signingKeys,
    tokenFor,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
