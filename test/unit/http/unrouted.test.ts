// Requests no route takes (src/http/index.ts): 404 and 405 are answered by the transport in the path's API shape and
// never recorded, so they are counted (proctor_unrouted_requests_total) by code and route: a 405 by the known path it
// was asked of (from the route table), a 404 as `other`, never by the path a client sent.
import { describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/http/index.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import type { RequestHandler } from '../../../src/pipeline/index.ts';

describe('404 and 405 answers', () => {
  it('are counted by code and a bounded route, never by the requested path', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const app = buildServer({
      handler: {} as RequestHandler,
      bodyLimitBytes: 1024,
      unrouted: (code, route) => metrics.unrouted(code, route),
      transportRefused: (code) => metrics.transportRefused(code),
    });
    try {
      const answers = await Promise.all([
        app.inject({ method: 'GET', url: '/v1/chat/completions' }),
        app.inject({ method: 'DELETE', url: '/v1/models' }),
        app.inject({ method: 'GET', url: '/v1/secret-probe-alice@example.com' }),
        app.inject({ method: 'POST', url: '/admin' }),
      ]);
      expect(answers.map((a) => a.statusCode)).toEqual([405, 405, 404, 404]);
      const text = await metrics.registry.metrics();
      const counts = [...text.matchAll(/^proctor_unrouted_requests_total\{(.*)\} (\d+)$/gm)].map((m) => [m[1], m[2]]);
      expect(counts).toEqual([
        ['code="ERR_METHOD_NOT_ALLOWED",route="/v1/chat/completions"', '1'],
        ['code="ERR_METHOD_NOT_ALLOWED",route="/v1/models"', '1'],
        ['code="ERR_NOT_FOUND",route="other"', '2'],
      ]);
      expect(text).not.toContain('secret-probe');
      expect(text).not.toContain('/admin');
    } finally {
      await app.close();
    }
  });

  it('a raw path handed to the metric is never a label: it becomes other', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.unrouted('ERR_NOT_FOUND', '/v1/Alice Smith');
    expect(await metrics.registry.metrics()).toContain(
      'proctor_unrouted_requests_total{code="ERR_NOT_FOUND",route="other"} 1',
    );
  });
});
