// Prometheus metrics (prom-client) in a registry of their own (buildable twice in one process). Invariants: every
// label value is bounded: an API name, a stage, a configured upstream or recognizer type, a stable code (anything else
// becomes "other"); no label ever holds a subject, a token fingerprint, a model name sent by a client, or content.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PipelineEvents } from './request-scope.ts';
import type { RequestSink, RequestSummary } from './request-scope.ts';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
/** A route's path from the transport's table (never a raw request path: the transport passes `other` for those). */
const ROUTE = /^\/[a-z0-9][a-z0-9/._-]{0,62}$/;

export interface Metrics extends RequestSink, PipelineEvents {
  readonly registry: Registry;
  /** After each committed ledger batch: its size and the chain head it reached. */
  ledgerBatch(records: number, headSeq: number): void;
  policyActivated(): void;
  inFlight(delta: number): void;
  /** A request the HTTP transport refused before any stage ran (not recorded): its code (ERR_SERVER_BUSY,
   * ERR_REQUEST_TIMEOUT, ERR_HTTP_MALFORMED, ...). */
  transportRefused(code: string): void;
  /** A client cut for not taking a write within server.client_write_timeout_ms (bound write_timeout) or for reading
   * below server.client_min_read_bytes_per_second (min_rate): a stream's or a plain answer's. */
  clientStalled(what: 'stream' | 'answer', bound: 'write_timeout' | 'min_rate'): void;
  /** A request no route takes, answered by the transport (never recorded): 404 ERR_NOT_FOUND (route `other`), or 405
   * ERR_METHOD_NOT_ALLOWED on a known route's path (that path, from the route table). */
  unrouted(code: 'ERR_NOT_FOUND' | 'ERR_METHOD_NOT_ALLOWED', route: string): void;
  /** A connection closed as it was accepted for passing server.max_connections_per_address (cap per_address) or
   * server.max_connections (total); never labelled with the address. */
  connectionRefused(cap: 'per_address' | 'total'): void;
  /** A checkpoint or witness problem the lease holder reported (ERR_CHECKPOINT_ROW_REFUSED: a stored row it would not
   * resume its tree from; ERR_WITNESS_ROLLBACK, ERR_WITNESS_QUORUM_MISSING, ...; a value not shaped as a code: other). */
  checkpointProblem(code: string): void;
}

export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'proctor_' });
  const registers = [registry];
  const requests = new Counter({
    name: 'proctor_requests_total',
    help: 'Requests by API, decision, failure code (none on success) and upstream.',
    labelNames: ['api', 'decision', 'code', 'upstream'] as const,
    registers,
  });
  const stages = new Histogram({
    name: 'proctor_stage_duration_seconds',
    help: "Time spent in each pipeline stage; first_byte: to a stream's first event; total: the whole request.",
    labelNames: ['stage'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const ttft = new Histogram({
    name: 'proctor_stream_ttft_seconds',
    help: 'Streams: from the request to the first event written to the client.',
    labelNames: ['api'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const cut = new Counter({
    name: 'proctor_streams_cut_total',
    help: 'Streams that ended without their final event, by end code.',
    labelNames: ['code'] as const,
    registers,
  });
  const findings = new Counter({
    name: 'proctor_findings_total',
    help: 'Classifier findings by type, in requests and in answers.',
    labelNames: ['type', 'where'] as const,
    registers,
  });
  const shadow = new Counter({
    name: 'proctor_policy_shadow_disagreements_total',
    help: 'Requests the shadow policy decided differently.',
    labelNames: ['api'] as const,
    registers,
  });
  const activations = new Counter({
    name: 'proctor_policy_activations_total',
    help: 'Policy activations recorded (start-up included).',
    registers,
  });
  const reservations = new Counter({
    name: 'proctor_reservations_total',
    help: 'Limit reservations by result: held, exceeded (429) or failed.',
    labelNames: ['result'] as const,
    registers,
  });
  const limited = new Counter({
    name: 'proctor_rate_limited_total',
    help: 'Requests answered 429 (a limit reached, at admission or reservation).',
    labelNames: ['api'] as const,
    registers,
  });
  const records = new Counter({
    name: 'proctor_ledger_records_total',
    help: 'Ledger records committed (rate: records/s).',
    registers,
  });
  const batch = new Histogram({
    name: 'proctor_ledger_batch_records',
    help: 'Records per committed group-commit batch.',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096],
    registers,
  });
  const commitWait = new Histogram({
    name: 'proctor_ledger_commit_wait_seconds',
    help: 'From append to commit (or refusal), by record type and result.',
    labelNames: ['type', 'result'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const head = new Gauge({
    name: 'proctor_ledger_chain_head',
    help: 'Sequence number of the chain head this writer last committed.',
    registers,
  });
  const refused = new Counter({
    name: 'proctor_transport_refusals_total',
    help: 'Requests the HTTP transport refused before any stage ran (not recorded), by code.',
    labelNames: ['code'] as const,
    registers,
  });
  const stalled = new Counter({
    name: 'proctor_client_write_timeouts_total',
    help:
      'Connections closed because the client did not take a write within the write deadline or read below the ' +
      'minimum pace, by what was written and the bound it missed.',
    labelNames: ['what', 'bound'] as const,
    registers,
  });
  const unrouted = new Counter({
    name: 'proctor_unrouted_requests_total',
    help:
      'Requests no route takes (404, or 405 on a known path), answered by the transport, never recorded; ' +
      'by code and route.',
    labelNames: ['code', 'route'] as const,
    registers,
  });
  const connections = new Counter({
    name: 'proctor_connections_refused_total',
    help:
      'Connections closed as they were accepted, before any request was read, by the cap they passed ' +
      '(per_address, total).',
    labelNames: ['cap'] as const,
    registers,
  });
  const checkpointProblems = new Counter({
    name: 'proctor_ledger_checkpoint_problems_total',
    help:
      'Checkpoint and witness problems the lease holder reported (a stored row refused at start, a witness rollback, ' +
      'a missing quorum, a checkpoint not written), by code.',
    labelNames: ['code'] as const,
    registers,
  });
  const inFlight = new Gauge({
    name: 'proctor_requests_in_flight',
    help: 'Pipeline calls in flight (streams until their last event).',
    registers,
  });

  return {
    registry,
    requestEnded(s: RequestSummary) {
      requests.inc({
        api: s.api,
        decision: s.decision ?? 'none',
        code: s.code === null ? 'none' : bounded(s.code, CODE),
        upstream: s.upstream === null ? 'none' : bounded(s.upstream, NAME),
      });
      for (const stage of s.stages) stages.observe({ stage: stage.stage }, stage.durationMs / 1000);
      stages.observe({ stage: 'total' }, s.durationMs / 1000);
      if (s.stream && s.firstByteMs !== null) ttft.observe({ api: s.api }, s.firstByteMs / 1000);
      if (s.stream && s.decision === 'allow' && s.status === 200 && s.code !== null)
        cut.inc({ code: bounded(s.code, CODE) });
      for (const [where, counts] of Object.entries(s.findings)) {
        for (const [type, n] of Object.entries(counts)) findings.inc({ type: bounded(type, NAME), where }, n);
      }
      if (s.shadowDiffers) shadow.inc({ api: s.api });
      if (s.status === 429) limited.inc({ api: s.api });
    },
    appended(type, waitMs, ok) {
      commitWait.observe(
        { type: bounded(type, /^[a-z_]{1,32}$/), result: ok ? 'committed' : 'refused' },
        waitMs / 1000,
      );
    },
    reserved(result) {
      reservations.inc({ result });
    },
    ledgerBatch(count, headSeq) {
      records.inc(count);
      batch.observe(count);
      head.set(headSeq);
    },
    policyActivated() {
      activations.inc();
    },
    inFlight(delta) {
      inFlight.inc(delta);
    },
    transportRefused(code) {
      refused.inc({ code: bounded(code, CODE) });
    },
    clientStalled(what, bound) {
      stalled.inc({ what, bound });
    },
    unrouted(code, route) {
      unrouted.inc({ code, route: bounded(route, ROUTE) });
    },
    connectionRefused(cap) {
      connections.inc({ cap });
    },
    checkpointProblem(code) {
      checkpointProblems.inc({ code: bounded(code, CODE) });
    },
  };
}

/** A label value that matches its shape, else "other": a label never carries free text. */
function bounded(value: string, shape: RegExp): string {
  return shape.test(value) ? value : 'other';
}
