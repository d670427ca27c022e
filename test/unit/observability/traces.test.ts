// Traces: a request's summary becomes one GenAI-named span with a child per stage, attributes by the GenAI semantic
// conventions and never a subject or a token fingerprint; tracing is off unless the OTEL_* variables ask for it.
import { describe, expect, it } from 'vitest';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { createTracing, type RequestSummary } from '../../../src/observability/index.ts';
import { resolveConfig } from '../../../src/config/index.ts';

const summary: RequestSummary = {
  requestId: 'req-1',
  api: 'openai.chat_completions',
  startMs: 1_700_000_000_000,
  durationMs: 120,
  status: 200,
  principal: 'f'.repeat(64),
  model: 'gpt-4o-mini',
  stream: true,
  decision: 'allow',
  code: null,
  stage: 'decide',
  upstream: 'openai',
  attempts: 1,
  usage: { input: 12, output: 34 },
  findings: { request: { EMAIL_ADDRESS: 1 }, response: {} },
  shadowDiffers: false,
  firstByteMs: 40,
  stages: [
    { stage: 'identify', startMs: 1_700_000_000_001, durationMs: 2, error: null },
    { stage: 'decide', startMs: 1_700_000_000_005, durationMs: 1, error: null },
    { stage: 'forward', startMs: 1_700_000_000_010, durationMs: 30, error: 'ERR_UPSTREAM_TIMEOUT' },
    { stage: 'first_byte', startMs: 1_700_000_000_000, durationMs: 40, error: null },
  ],
};

describe('traces', () => {
  it('writes one GenAI span per request with a child per stage and no principal', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = createTracing({ exporter, serviceName: 'proctor-test', immediate: true });
    tracing.requestEnded(summary);
    const spans = exporter.getFinishedSpans();
    const root = spans.find((s) => s.name === 'chat gpt-4o-mini');
    expect(root?.attributes).toMatchObject({
      'gen_ai.system': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 34,
      'http.response.status_code': 200,
      'proctor.upstream': 'openai',
    });
    expect(root?.events.map((e) => e.name)).toEqual(['first_byte']);
    expect(spans.map((s) => s.name).sort()).toEqual([
      'chat gpt-4o-mini',
      'proctor.decide',
      'proctor.forward',
      'proctor.identify',
    ]);
    const forward = spans.find((s) => s.name === 'proctor.forward');
    expect(forward?.parentSpanContext?.spanId).toBe(root?.spanContext().spanId);
    expect(forward?.attributes['error.type']).toBe('ERR_UPSTREAM_TIMEOUT');
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain('f'.repeat(64));
    await tracing.close();
  });

  it('is off by default and on when an OTLP endpoint or an exporter is named', () => {
    const document = {
      database: { pglite_dir: 'x' },
      ledger: { chain: 'c', signing_key: { env: 'KEY' } },
      identity: { issuers: [{ issuer: 'https://idp.example', audience: ['a'] }] },
      classification: { fingerprint_key: { env: 'FP' } },
      policy: { bundle: 'b.tar.gz' },
      upstreams: [{ name: 'u', kind: 'openai-compatible', base_url: 'https://api.example/v1', models: ['*'] }],
    };
    const env = { KEY: 'k', FP: 'f'.repeat(32) };
    const traces = (extra: Record<string, string>) =>
      resolveConfig(document, { env: { ...env, ...extra }, baseDir: '/' }).traces;
    expect(traces({})).toBeNull();
    expect(traces({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({
      exporter: 'otlp',
      serviceName: 'proctor',
    });
    expect(traces({ OTEL_TRACES_EXPORTER: 'console', OTEL_SERVICE_NAME: 'gw' })).toEqual({
      exporter: 'console',
      serviceName: 'gw',
    });
    expect(traces({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBeNull();
    expect(() => traces({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }),
    );
  });
});
