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
export { instrumentPipeline } from './instrument.ts';
export type { StreamSink } from './stream-relay.ts';
export { createIntake, INTAKE_WORKER, type BodyChannel, type ChannelIntake, type Intake } from './intake.ts';
// For the MCP proxy (src/mcp), which records and screens in the same formats.
export {
  classificationRecord,
  decidedFields,
  decisionIndex,
  emptyDecisionBody,
  toJsonObject,
  type DecisionBody,
  type OutcomeBody,
} from './records.ts';
export { classificationInput, isPlainToolName, principalInput, WITHHELD_TOOL_NAME } from './policy-input.ts';
export { screenResponse, type ResponseScreen } from './response-screen.ts';
export { documentPlaces } from './answer-document-order.ts';
export { reservationRecord, settleFor } from './limits-stage.ts';
export { LIMIT_REFUSALS, limitRefusal, type LimitRefusal, type LimitRefusalCode } from './limit-refusal.ts';
export { classifyDenial } from './denial.ts';
