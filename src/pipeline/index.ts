// The pipeline stage joins all others: one function runs a request through every stage in order (handle-request.ts).
export { createRequestHandler, type RequestHandler } from './handle-request.ts';
export {
  FAILURES,
  errorBody,
  failureShape,
  shapeReply,
  type FailureCode,
  type TransportErrorCode,
} from './failures.ts';
export type { IncomingRequest, Log, LogLevel, PipelineDeps, Reply } from './types.ts';
export type { StreamSink } from './stream-relay.ts';
export { createIntake, INTAKE_WORKER, type Intake } from './intake.ts';
