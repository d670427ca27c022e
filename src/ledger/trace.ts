// The ledger's timeline, for benchmarks and tracers: node:diagnostics_channel `proctor:ledger` gets { event, type,
// records } when an append is queued, a batch starts, is sealed and signed, and is committed (or fails). Nothing is
// published, or allocated, while no one subscribes; a message names a step, a record type and a count, never content.
import { channel } from 'node:diagnostics_channel';

export type LedgerStep = 'enqueue' | 'batch' | 'sealed' | 'committed' | 'failed';

export interface LedgerTraceMessage {
  event: LedgerStep;
  /** The record type (enqueue), or the first record's type in the batch. */
  type: string;
  records: number;
}

export const LEDGER_CHANNEL = 'proctor:ledger';
const ledgerChannel = channel(LEDGER_CHANNEL);

export function traceLedger(event: LedgerStep, type: string, records = 1): void {
  if (ledgerChannel.hasSubscribers) ledgerChannel.publish({ event, type, records } satisfies LedgerTraceMessage);
}
