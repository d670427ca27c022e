// A log sink that keeps what the pipeline logs, for tests that assert on it (and so that no test needs the pipeline's
// log to be optional). Entries are kept as given: a test can check that no prompt text reached the log.
import type { Log, LogLevel } from '../../src/pipeline/index.ts';

export interface LogEntry {
  level: LogLevel;
  message: string;
  fields: Record<string, unknown>;
}

export function createLogSink(): { log: Log; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return { log: (level, message, fields = {}) => entries.push({ level, message, fields }), entries };
}
