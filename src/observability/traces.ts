// Traces (OpenTelemetry): one span per request, named and attributed by the GenAI semantic conventions, with a child
// span per pipeline stage, built from the request's summary when it ends. Off unless the standard OTEL_* variables ask
// for an exporter (config: traces). Invariants: no attribute holds content (no prompt, answer, finding value or
// token): configured names, codes, counts and the model name as recorded; no global provider is registered (the app is
// buildable twice); export failures are the exporter's to report, never the request's.
import { context, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import type { RequestSink, RequestSummary } from './request-scope.ts';

export interface Tracing extends RequestSink {
  /** Exports what is buffered, then stops. */
  close(): Promise<void>;
}

export type TraceExporterKind = 'otlp' | 'console';

export interface TracingOptions {
  /** Where spans go: OTLP/HTTP (endpoint, headers and protocol from OTEL_EXPORTER_OTLP_*), the console, or a given
   * one. */
  exporter: TraceExporterKind | SpanExporter;
  serviceName: string;
  /** Export each span as it ends instead of in batches (tests). */
  immediate?: boolean;
}

/** GenAI operation names by API (gen_ai.operation.name). */
const OPERATIONS: Readonly<Record<string, string>> = {
  'openai.chat_completions': 'chat',
  'openai.completions': 'text_completion',
  'openai.embeddings': 'embeddings',
  'openai.responses': 'chat',
  'openai.models': 'list_models',
  'anthropic.messages': 'chat',
};

export function createTracing(options: TracingOptions): Tracing {
  const exporter =
    options.exporter === 'otlp'
      ? new OTLPTraceExporter()
      : options.exporter === 'console'
        ? new ConsoleSpanExporter()
        : options.exporter;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [options.immediate ? new SimpleSpanProcessor({ exporter }) : new BatchSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('proctor');

  return {
    requestEnded(s: RequestSummary) {
      const operation = OPERATIONS[s.api] ?? 'chat';
      const attributes: Attributes = {
        'gen_ai.system': s.api.split('.')[0] ?? 'unknown',
        'gen_ai.operation.name': operation,
        'http.response.status_code': s.status,
        'proctor.request_id': s.requestId,
        'proctor.api': s.api,
        'proctor.stream': s.stream,
        'proctor.attempts': s.attempts,
        ...(s.model === null ? {} : { 'gen_ai.request.model': s.model }),
        ...(s.usage
          ? { 'gen_ai.usage.input_tokens': s.usage.input, 'gen_ai.usage.output_tokens': s.usage.output }
          : {}),
        ...(s.decision === null ? {} : { 'proctor.decision': s.decision }),
        ...(s.stage === null ? {} : { 'proctor.stage': s.stage }),
        ...(s.upstream === null ? {} : { 'proctor.upstream': s.upstream }),
        ...(s.code === null ? {} : { 'error.type': s.code }),
      };
      const root = tracer.startSpan(s.model === null ? operation : `${operation} ${s.model}`, {
        kind: SpanKind.SERVER,
        startTime: s.startMs,
        attributes,
      });
      if (s.firstByteMs !== null) root.addEvent('first_byte', s.startMs + s.firstByteMs);
      if (s.code !== null) root.setStatus({ code: SpanStatusCode.ERROR, message: s.code });
      const parent = trace.setSpan(context.active(), root);
      for (const stage of s.stages) {
        if (stage.stage === 'first_byte') continue;
        const span = tracer.startSpan(
          `proctor.${stage.stage}`,
          {
            kind: SpanKind.INTERNAL,
            startTime: stage.startMs,
            attributes: {
              'proctor.stage': stage.stage,
              ...(stage.error === null ? {} : { 'error.type': stage.error }),
            },
          },
          parent,
        );
        if (stage.error !== null) span.setStatus({ code: SpanStatusCode.ERROR, message: stage.error });
        span.end(stage.startMs + stage.durationMs);
      }
      root.end(s.startMs + s.durationMs);
    },
    close: () => provider.shutdown(),
  };
}
