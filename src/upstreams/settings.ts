// What the upstream registry is built from: each upstream's resolved settings and the routing, as the configuration
// loader (src/config/upstreams.ts) resolves them. Types only; they live with the registry that reads them, so the
// registry needs nothing from src/config.
import type { AttributionHeaders, GatewayProduct } from './attribution.ts';
import type { ApiFamily, UpstreamKind } from './kinds.ts';

export interface UpstreamSettings {
  name: string;
  kind: UpstreamKind;
  baseUrl: string;
  credential: string | null;
  /** Exact model names or "*" (the policy sees this list). */
  models: string[];
  apis: ApiFamily[];
  region: string | null;
  baa: boolean;
  zeroDataRetention: boolean;
  timeouts: { connectMs: number; firstByteMs: number; totalMs: number };
  /** Extra headers, secrets resolved; never one of the reserved names. */
  headers: Record<string, string>;
  anthropicVersion: string;
  /** Attribution for kind gateway; null for every other kind. */
  gateway: {
    decisionId: boolean;
    assertion: boolean;
    subjectHeader: string | null;
    /** Which gateway it is, for the response headers that say who served (upstreams/attribution.ts). */
    product: GatewayProduct;
    /** The response headers read for `served_by`: the product's, with the configured ones over them. */
    servedBy: AttributionHeaders;
  } | null;
}

export interface RouteSettings {
  model: string;
  api: ApiFamily | null;
  upstreams: string[];
}

export interface RoutingSettings {
  routes: RouteSettings[];
  /** null: every upstream that serves the model, in configuration order. */
  default: string[] | null;
  retry: { maxAttempts: number; backoffMs: number; maxRetryAfterMs: number };
}
