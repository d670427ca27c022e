// Upstream settings and registries for tests that build the pipeline by hand (no config file).
import type { RoutingSettings, UpstreamSettings } from '../../src/config/index.ts';
import { createUpstreamRegistry, type AssertionSigner, type UpstreamRegistry } from '../../src/upstreams/index.ts';

export function upstreamSettings(overrides: Partial<UpstreamSettings> & { name: string }): UpstreamSettings {
  return {
    kind: 'openai-compatible',
    baseUrl: 'http://up.test/v1',
    credential: 'sk',
    models: ['*'],
    apis: ['openai'],
    region: null,
    baa: false,
    zeroDataRetention: false,
    timeouts: { connectMs: 1000, firstByteMs: 1000, totalMs: 5000 },
    headers: {},
    anthropicVersion: '2023-06-01',
    gateway: null,
    ...overrides,
  };
}

export const NO_RETRY: RoutingSettings['retry'] = { maxAttempts: 1, backoffMs: 0, maxRetryAfterMs: 0 };

export function registryOf(
  upstreams: UpstreamSettings[],
  routing: Partial<RoutingSettings> = {},
  assertions: AssertionSigner | null = null,
): UpstreamRegistry {
  return createUpstreamRegistry({
    upstreams,
    routing: { routes: [], default: null, retry: NO_RETRY, ...routing },
    assertions,
  });
}
