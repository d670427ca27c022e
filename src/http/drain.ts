// Graceful shutdown of the listener: stop taking requests, let those in flight finish until the drain deadline, then
// end those still open (their shutdown signal aborts the upstream exchange: a 503 or a stream's error event, and an
// outcome record, src/pipeline/stream-complete.ts), then close every connection. Invariants: no request is dropped
// without its outcome path running; every step's failure is reported with its cause; the deadline bounds how long a
// stream can hold shutdown.
import type { FastifyInstance } from 'fastify';

export interface Drain {
  /** Counts a request in flight; call the returned function once when it ends. */
  begin(): () => void;
  readonly inFlight: number;
  /** Aborted when the drain deadline passes: open requests and streams end with ERR_SHUTTING_DOWN. */
  readonly shutdown: AbortSignal;
  /** Resolves true once nothing is in flight, false if `ms` passes first (ms <= 0: at once). */
  idle(ms: number): Promise<boolean>;
  /** Ends the requests and streams still open. */
  cut(): void;
}

export function createDrain(): Drain {
  let inFlight = 0;
  const waiters = new Set<() => void>();
  const cutter = new AbortController();
  return {
    begin() {
      inFlight += 1;
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        inFlight -= 1;
        if (inFlight === 0) for (const wake of [...waiters]) wake();
      };
    },
    get inFlight() {
      return inFlight;
    },
    shutdown: cutter.signal,
    idle(ms) {
      if (inFlight === 0) return Promise.resolve(true);
      if (ms <= 0) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        const done = (idle: boolean) => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(idle);
        };
        const wake = () => done(true);
        const timer = setTimeout(() => done(false), ms);
        waiters.add(wake);
      });
    },
    cut() {
      cutter.abort();
    },
  };
}

export interface DrainOptions {
  /** How long requests in flight get to finish before they are ended. */
  deadlineMs: number;
  /** After they were told to end: how long their outcome records and error events get before sockets close. */
  graceMs: number;
  /** Marks the server not ready (readiness answers 503 from here on). */
  startDrain(): void;
  log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
}

/** Stops accepting, drains, cuts, then closes the app (fastify's onClose hooks included). */
export async function drainAndClose(app: FastifyInstance, drain: Drain, options: DrainOptions): Promise<void> {
  options.startDrain();
  // fastify stops listening and closes idle keep-alive sockets; requests on busy ones are answered 503 by the
  // transport's drain hook (src/http/index.ts) until their sockets close.
  const closed = app.close();
  const pending = drain.inFlight;
  if (pending > 0) options.log('info', 'draining', { in_flight: pending, deadline_ms: options.deadlineMs });
  if (!(await drain.idle(options.deadlineMs))) {
    options.log('warn', 'drain deadline passed; ending open requests', { in_flight: drain.inFlight });
    drain.cut();
    if (!(await drain.idle(options.graceMs))) {
      options.log('error', 'requests still open after the drain grace; closing their connections', {
        in_flight: drain.inFlight,
      });
      app.server.closeAllConnections();
    }
  }
  // Kept-alive connections whose last response ended during the drain are idle now: closed, or close() never ends.
  app.server.closeIdleConnections();
  await closed;
}
