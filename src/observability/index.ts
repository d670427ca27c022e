// Observability's public surface: health (liveness, readiness, drain state), error fields for logs, and (in the
// files beside this) logs, metrics and traces. Invariant: nothing here sees a request's content; every field and label
// is a configured name, a stable code, a count or a duration.
export {
  createHealth,
  type Health,
  type HealthOptions,
  type ReadinessCheck,
  type ReadinessReason,
  type ReadinessReport,
} from './health.ts';
export { readinessChecks, type ReadinessParts } from './readiness.ts';
export { describeError, type ErrorFields } from './errors.ts';
export {
  createScopes,
  type RequestScope,
  type RequestSink,
  type RequestSummary,
  type Scopes,
  type StageName,
  type StageTiming,
  type PipelineEvents,
} from './request-scope.ts';
export { createMetrics, type Metrics } from './metrics.ts';
export { startMetricsServer, type MetricsServer } from './metrics-server.ts';
export {
  accessLog,
  createLogger,
  logTo,
  REDACT_PATHS,
  terminalLog,
  withRequestId,
  type LogFunction,
} from './logger.ts';
export { createTracing, type TraceExporterKind, type Tracing, type TracingOptions } from './traces.ts';
