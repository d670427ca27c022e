// One request's observation: the transport opens a scope around each pipeline call (AsyncLocalStorage, so the
// instrumented dependencies find it without being handed it), stages add their timings and the ledger's records add
// their summaries, and when the request ends every sink (access log, metrics, traces) gets the summary once.
// Invariants: a summary holds codes, configured names, counts, durations and the token's fingerprint, never content;
// a sink that throws is reported and never fails the request or another sink.
import { AsyncLocalStorage } from 'node:async_hooks';
import { describeError } from './errors.ts';

/** The stages timed: the pipeline's own words (the record's `stage`), and first_byte for a stream's first event. */
export type StageName =
  | 'identify'
  | 'classify'
  | 'decide'
  | 'reserve'
  | 'record'
  | 'forward'
  | 'screen'
  | 'first_byte'
  | 'outcome';

export interface StageTiming {
  stage: StageName;
  /** Wall-clock start, in epoch milliseconds (fractional). */
  startMs: number;
  durationMs: number;
  /** The stage's error code when it failed (thrown), else null. */
  error: string | null;
}

export interface RequestSummary {
  requestId: string;
  api: string;
  startMs: number;
  durationMs: number;
  status: number;
  /** The token's SHA-256 fingerprint (as in the record), null before identify. */
  principal: string | null;
  model: string | null;
  stream: boolean;
  decision: 'allow' | 'deny' | null;
  /** The failure code the client got (or the stream's end code); null on success. */
  code: string | null;
  /** The stage that decided (record `decision.stage`). */
  stage: string | null;
  upstream: string | null;
  attempts: number;
  usage: { input: number; output: number } | null;
  /** Findings per type: in the request (decision record) and in the answer (outcome record). */
  findings: { request: Record<string, number>; response: Record<string, number> };
  shadowDiffers: boolean;
  firstByteMs: number | null;
  stages: StageTiming[];
}

export interface RequestSink {
  requestEnded(summary: RequestSummary): void;
}

export interface RequestScope {
  readonly requestId: string;
  /** The decision record is committed: classifying from here on screens the answer. */
  readonly decided: boolean;
  /** Times `run` as `stage`; rethrows whatever it throws. Promise-returning work is timed to its settlement. */
  time<T>(stage: StageName, run: () => T): T;
  /** Adds a stage timed before the scope began: stage 1, run by the transport from the headers before the body was
   * read (src/http/identify-first.ts). */
  timedBefore(timing: StageTiming): void;
  /** Folds a ledger record body (decision or outcome) into the summary. */
  recorded(type: string, body: Readonly<Record<string, unknown>>): void;
  /** The first byte of a stream's body reached the client's socket. */
  firstByte(): void;
}

export interface Scopes {
  /** The scope of the request this async context serves, if any. */
  current(): RequestScope | undefined;
  /**
   * Runs a pipeline call in a fresh scope; `statusOf` reads the reply's status and error code when it settles. The
   * summary is taken when the call settles; the sinks get it then, or, with `deliver`, when `deliver` calls `report`
   * (once; later calls do nothing), so that a transport can hand it on after the reply has left. A caller passing
   * `deliver` MUST make it call `report` on every path, or the request's access line, metrics and trace are lost.
   */
  run<T>(
    requestId: string,
    api: string,
    fn: () => Promise<T>,
    statusOf: (result: T) => { status: number; code: string | null },
    deliver?: (report: () => void) => void,
  ): Promise<T>;
}

type Log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export function createScopes(sinks: readonly RequestSink[], log: Log): Scopes {
  const storage = new AsyncLocalStorage<ScopeState>();

  return {
    current: () => storage.getStore(),
    async run(requestId, api, fn, statusOf, deliver) {
      const scope = new ScopeState(requestId, api);
      let status = 500;
      let code: string | null = 'ERR_INTERNAL';
      try {
        const result = await storage.run(scope, fn);
        ({ status, code } = statusOf(result));
        return result;
      } finally {
        const summary = scope.finish(status, code);
        let reported = false;
        const report = () => {
          if (reported) return;
          reported = true;
          for (const sink of sinks) {
            try {
              sink.requestEnded(summary);
            } catch (error) {
              log('error', 'an observability sink failed', { request_id: requestId, error: describeError(error) });
            }
          }
        };
        if (deliver) deliver(report);
        else report();
      }
    },
  };
}

class ScopeState implements RequestScope {
  readonly requestId: string;
  decided = false;
  private readonly api: string;
  private readonly startMs = performance.timeOrigin + performance.now();
  private readonly stages: StageTiming[] = [];
  private readonly facts: Omit<
    RequestSummary,
    'requestId' | 'api' | 'startMs' | 'durationMs' | 'status' | 'code' | 'stages'
  > & { outcomeError: string | null; reasonCode: string | null } = {
    principal: null,
    model: null,
    stream: false,
    decision: null,
    stage: null,
    upstream: null,
    attempts: 0,
    usage: null,
    findings: { request: {}, response: {} },
    shadowDiffers: false,
    firstByteMs: null,
    outcomeError: null,
    reasonCode: null,
  };

  constructor(requestId: string, api: string) {
    this.requestId = requestId;
    this.api = api;
  }

  timedBefore(timing: StageTiming): void {
    this.stages.push(timing);
  }

  time<T>(stage: StageName, run: () => T): T {
    const start = performance.now();
    const done = (error: unknown) => {
      const code = error === null ? null : (error as { code?: unknown } | null)?.code;
      this.stages.push({
        stage,
        startMs: performance.timeOrigin + start,
        durationMs: performance.now() - start,
        error: error === null ? null : typeof code === 'string' ? code : 'ERR_INTERNAL',
      });
    };
    let result: T;
    try {
      result = run();
    } catch (error) {
      done(error);
      throw error;
    }
    if (result instanceof Promise) {
      return result.then(
        (value: unknown) => {
          done(null);
          return value;
        },
        (error: unknown) => {
          done(error);
          throw error;
        },
      ) as T;
    }
    done(null);
    return result;
  }

  recorded(type: string, body: Readonly<Record<string, unknown>>): void {
    const f = this.facts;
    if (type === 'decision') {
      this.decided = true;
      const principal = objectAt(body, 'principal');
      const request = objectAt(body, 'request');
      const decision = objectAt(body, 'decision');
      f.principal = stringAt(principal, 'token_fingerprint') ?? f.principal;
      // The model name is client text: kept only once classification has passed it (a finding in it nulls it).
      f.model = objectAt(body, 'classification') === null ? null : stringAt(request, 'model');
      f.stream = request?.stream === true;
      f.decision = decision?.allow === true ? 'allow' : decision ? 'deny' : null;
      f.stage = stringAt(decision, 'stage');
      const reasons = Array.isArray(decision?.reasons) ? decision.reasons : [];
      f.reasonCode = stringAt(objectOf(reasons[0]), 'code');
      f.upstream = stringAt(objectAt(body, 'route'), 'upstream') ?? f.upstream;
      f.findings.request = countsAt(objectAt(body, 'classification'));
      f.shadowDiffers = objectAt(body, 'shadow') !== null;
    } else if (type === 'outcome') {
      f.upstream = stringAt(body, 'upstream') ?? f.upstream;
      f.attempts = Array.isArray(body.attempts) ? body.attempts.length : f.attempts;
      f.outcomeError = stringAt(body, 'error');
      const usage = objectAt(body, 'usage');
      const input = usage?.prompt_tokens;
      const output = usage?.completion_tokens;
      f.usage = typeof input === 'number' && typeof output === 'number' ? { input, output } : f.usage;
      f.findings.response = countsAt(objectAt(body, 'response_classification'));
    }
  }

  firstByte(): void {
    if (this.facts.firstByteMs !== null) return;
    this.facts.firstByteMs = performance.timeOrigin + performance.now() - this.startMs;
    this.stages.push({ stage: 'first_byte', startMs: this.startMs, durationMs: this.facts.firstByteMs, error: null });
  }

  finish(status: number, replyCode: string | null): RequestSummary {
    const { outcomeError, reasonCode, ...facts } = this.facts;
    // The client's code when it got an error reply; a stream's end code (its status is 200); a denial's own code.
    const code = replyCode ?? outcomeError ?? (facts.decision === 'deny' ? reasonCode : null);
    return {
      requestId: this.requestId,
      api: this.api,
      startMs: this.startMs,
      status,
      code,
      durationMs: performance.timeOrigin + performance.now() - this.startMs,
      stages: this.stages,
      ...facts,
    };
  }
}

function objectOf(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function objectAt(value: Readonly<Record<string, unknown>> | null, key: string): Record<string, unknown> | null {
  return value !== null && Object.hasOwn(value, key) ? objectOf(value[key]) : null;
}

function stringAt(value: Readonly<Record<string, unknown>> | null, key: string): string | null {
  const v = value !== null && Object.hasOwn(value, key) ? value[key] : null;
  return typeof v === 'string' ? v : null;
}

function countsAt(classification: Record<string, unknown> | null): Record<string, number> {
  const types = objectAt(classification, 'types');
  const counts: Record<string, number> = {};
  for (const [type, n] of Object.entries(types ?? {})) if (typeof n === 'number' && n > 0) counts[type] = n;
  return counts;
}

/** Global (not per-request) events the metrics want from the pipeline's calls (pipeline/instrument.ts sends them). */
export interface PipelineEvents {
  appended(type: string, waitMs: number, ok: boolean): void;
  reserved(result: 'held' | 'exceeded' | 'failed'): void;
}
