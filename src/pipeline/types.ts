// The pipeline's seams: the dependencies it is given (as interfaces, so tests pass real parts or fakes) and the
// transport-neutral request and reply it works on. The HTTP layer adapts fastify to these and nothing else.
import type { Api } from '../providers/index.ts';
import type { Principal } from '../identity/index.ts';
import type { Classification, TextSegment } from '../classification/index.ts';
import type { PolicyRuntime } from '../policy/index.ts';
import type { Ledger } from '../ledger/index.ts';
import type { Forwarder } from '../forwarding/index.ts';
import type { UpstreamSettings } from '../config/index.ts';

export type LogLevel = 'info' | 'warn' | 'error';
/** Structured log sink. MUST NOT be given prompt text, tokens or finding values. */
export type Log = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export interface PipelineDeps {
  authenticator: { authenticate(headers: IncomingRequest['headers']): Promise<Principal> };
  classifier: { classify(segments: readonly TextSegment[]): Classification };
  /** The policy runtime: decides with the active bundle (and the shadow, if any); bundle swaps happen inside it. */
  policy: Pick<PolicyRuntime, 'decide'>;
  ledger: Ledger;
  forwarder: Forwarder;
  upstreams: readonly UpstreamSettings[];
  clock: { now(): Date };
  log?: Log;
}

export interface IncomingRequest {
  requestId: string;
  api: Api;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Uint8Array;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}
