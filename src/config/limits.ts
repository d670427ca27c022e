// The limits section (docs/limits.md): the pricing table (the shipped one by default), how long a reservation is held,
// the output tokens reserved when nothing caps them, and the configured default limits. Checked beyond the JSON
// Schema: a reservation outlives every upstream's total timeout, and only a group default names its bucket.
import { fileURLToPath } from 'node:url';
import type { LimitsDocument } from './schema.ts';
import type { UpstreamSettings } from './upstreams.ts';

export interface LimitsSettings {
  pricingFile: string;
  reservationTtlSeconds: number;
  defaultMaxTokens: number;
  defaults: NonNullable<LimitsDocument['defaults']>;
}

/** limits: the shipped pricing table by default; a reservation MUST outlive every upstream request it covers. */
export function resolveLimits(
  doc: LimitsDocument | undefined,
  resolvePath: (p: string) => string,
  upstreams: readonly UpstreamSettings[],
  problems: string[],
): LimitsSettings {
  const reservationTtlSeconds = doc?.reservation_ttl_seconds ?? 900;
  for (const u of upstreams) {
    if (u.timeouts.totalMs > reservationTtlSeconds * 1000) {
      problems.push(
        `/limits/reservation_ttl_seconds: ${reservationTtlSeconds}s is shorter than upstream '${u.name}' total ` +
          `timeout (${u.timeouts.totalMs} ms); a reservation must outlive the request`,
      );
    }
  }
  (doc?.defaults ?? []).forEach((d, i) => {
    if (d.name !== undefined && d.scope !== 'group')
      problems.push(`/limits/defaults/${i}/name: only a group default can name its bucket`);
  });
  return {
    pricingFile:
      doc?.pricing === undefined
        ? fileURLToPath(new URL('../../config/pricing.v1.yaml', import.meta.url))
        : resolvePath(doc.pricing),
    reservationTtlSeconds,
    defaultMaxTokens: doc?.default_max_tokens ?? 4096,
    defaults: (doc?.defaults ?? []).map((d) => ({ ...d })),
  };
}
