// Prometheus metrics (src/observability/metrics.ts): a request the HTTP transport refused before any stage ran is
// counted by its code (the sockets that produce them: test/unit/http/body-budget.test.ts), and a label is a code or
// "other", never the text it was given.
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/observability/index.ts';

describe('transport refusals', () => {
  it('are counted by code; a value that is not a code is counted as other', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.transportRefused('ERR_SERVER_BUSY');
    metrics.transportRefused('ERR_SERVER_BUSY');
    metrics.transportRefused('ERR_REQUEST_TIMEOUT');
    metrics.transportRefused('GET /v1/x?token=sk-live-abc');
    const counted = await metrics.registry.getSingleMetric('proctor_transport_refusals_total')?.get();
    expect(Object.fromEntries(counted?.values.map((v) => [v.labels.code, v.value]) ?? [])).toEqual({
      ERR_SERVER_BUSY: 2,
      ERR_REQUEST_TIMEOUT: 1,
      other: 1,
    });
    expect(await metrics.registry.metrics()).not.toContain('sk-live');
  });
});
