// Shutdown's parts, closed in order: what startProctor opened, then the logger and the traces (flushing). Invariant:
// a part that fails to close is logged with its cause and every part after it still closes.
import { type createLogger, describeError } from '../observability/index.ts';
import type { Log } from '../pipeline/index.ts';

/** One part to close at shutdown, named for the log line that reports it failing. */
export interface Closer {
  part: string;
  close(): Promise<void>;
}

/** Last of all: the lines written while closing reach stderr. */
export function flushing(
  logger: ReturnType<typeof createLogger> | null,
  tracing: { close(): Promise<void> } | null,
): Closer[] {
  return [
    ...(tracing ? [{ part: 'traces', close: () => tracing.close() }] : []),
    ...(logger
      ? [
          {
            part: 'logger',
            close: () =>
              new Promise<void>((resolve, reject) => logger.flush((error) => (error ? reject(error) : resolve()))),
          },
        ]
      : []),
  ];
}

/** Closes every part in order; a part that fails to close is logged with its cause and the rest still close. */
export async function closeAll(closers: readonly Closer[], log: Log): Promise<void> {
  for (const { part, close } of closers) {
    try {
      await close();
    } catch (error) {
      // Every committed record is already durable; what failed to close is reported, never dropped.
      log('error', 'a part failed to close', { part, error: describeError(error) });
    }
  }
}
