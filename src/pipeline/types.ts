// The pipeline's seams: the dependencies it is given (as interfaces, so tests pass real parts or fakes) and the
// transport-neutral request and reply it works on. The HTTP layer adapts fastify to these and nothing else.
import type { Api } from '../providers/index.ts';
import type { StreamSink } from './stream-relay.ts';
import type { Principal } from '../identity/index.ts';
import type { Classification, ClassifyOptions, TextSegment } from '../classification/index.ts';
import type { PolicyRuntime } from '../policy/index.ts';
import type { Ledger } from '../ledger/index.ts';
import type { Forwarder } from '../forwarding/index.ts';
import type { Limiter } from '../limits/index.ts';
import type { UpstreamRegistry } from '../upstreams/index.ts';
import type { BodyChannel, Intake } from './intake.ts';

export type LogLevel = 'info' | 'warn' | 'error';
/** Structured log sink. MUST NOT be given prompt text, tokens or finding values. */
export type Log = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export interface PipelineDeps {
  authenticator: {
    authenticate(headers: IncomingRequest['headers']): Promise<Principal>;
    /** Throws IdentityError once the principal's token has expired (identity/authenticator.ts); absent: not checked. */
    recheck?(principal: Principal): void;
  };
  classifier: { classify(segments: readonly TextSegment[], options?: ClassifyOptions): Classification };
  /** Classifies requests (large ones off the event loop: classification/worker-pool.ts); default `classifier`. It MAY
   * reject with ClassificationError ERR_CLASSIFIER_BUSY (answered 503 with retry-after). */
  requestClassifier?: {
    classify(segments: readonly TextSegment[], options?: ClassifyOptions): Classification | Promise<Classification>;
  };
  /** Parses and classifies a large body on a classification thread (intake.ts); returns null for a body it leaves
   * to the in-process stages. */
  intake?: Intake;
  /** Findings kept per request in memory and in its decision record (default 256); counts are always exact. */
  maxFindings?: number;
  /** The policy runtime: decides with the active bundle (and the shadow, if any); bundle swaps happen inside it. */
  policy: Pick<PolicyRuntime, 'decide'>;
  ledger: Ledger;
  forwarder: Forwarder;
  /** The upstream registry: routing, per-attempt targets (credentials, attribution headers), the retry budget. */
  upstreams: UpstreamRegistry;
  clock: { now(): Date };
  /** The limits stage: admit, reserve before forwarding, settle after (tests pass an in-memory one). */
  limits: Limiter;
  /** Key of request.body_hmac_sha256 (ledger bodyDigestKey of the fingerprint key). startProctor always passes it;
   * without one the handler draws a random key, and its records' body digests cannot be reproduced. */
  bodyDigestKey?: Uint8Array;
  /** How long one request may wait on the database in all (usage read, reservation, decision record) before it is
   * answered 503 with nothing forwarded; startProctor passes database.statement_timeout_ms. Default: the ledger's own
   * per-record deadline only. */
  databaseBudgetMs?: number;
  log: Log;
}

export interface IncomingRequest {
  requestId: string;
  api: Api;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body's bytes, or (a large body received over HTTP) the intake's channel it was written to as it arrived. */
  body: Uint8Array | BodyChannel;
  /** Where a streamed answer is written as it arrives; without one, a stream=true request fails with ERR_INTERNAL. */
  sink?: StreamSink;
  /** Stage 1's principal when the transport identified the request from its headers before reading its body
   * (handler.identify); absent, stage 1 identifies it. */
  principal?: Principal;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** True when the answer was already written to the request's sink (a stream); the transport sends nothing more. */
  streamed?: boolean;
}
