// Liveness and readiness. Live: the process answers. Ready: not draining, and every check (database, chain lease,
// active policy, issuers' keys) passes within its deadline. Invariants: a check that hangs fails at its deadline and
// never holds the probe; concurrent probes share one evaluation; reasons carry stable codes and configured names only
// (never a credential or a request's content); every change of readiness is logged once, with its causes.
import { describeError } from './errors.ts';

/** One readiness condition. `run` resolves with the problems it found (empty: fine) or throws (one problem: its
 * code). */
export interface ReadinessCheck {
  name: string;
  run(): Promise<readonly ReadinessReason[]>;
}

export interface ReadinessReason {
  check: string;
  code: string;
  /** A configured name the reason is about (an issuer URL), never a secret. */
  subject?: string;
}

export interface ReadinessReport {
  ready: boolean;
  reasons: ReadinessReason[];
}

export interface Health {
  readonly draining: boolean;
  /** From now on readiness answers not ready (ERR_SHUTTING_DOWN). */
  startDrain(): void;
  readiness(): Promise<ReadinessReport>;
}

export interface HealthOptions {
  checks: readonly ReadinessCheck[];
  /** Per check: past this a check counts as failed (ERR_CHECK_TIMEOUT). */
  timeoutMs: number;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

export function createHealth(options: HealthOptions): Health {
  let draining = false;
  let pending: Promise<ReadinessReport> | null = null;
  let lastReady: boolean | null = null;

  async function runCheck(check: ReadinessCheck): Promise<ReadinessReason[]> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<ReadinessReason[]>((resolve) => {
      timer = setTimeout(() => resolve([{ check: check.name, code: 'ERR_CHECK_TIMEOUT' }]), options.timeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([check.run().then((r) => [...r]), deadline]);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      options.log?.('warn', 'readiness check failed', { check: check.name, error: describeError(error) });
      return [{ check: check.name, code: typeof code === 'string' ? code : 'ERR_CHECK_FAILED' }];
    } finally {
      clearTimeout(timer);
    }
  }

  async function evaluate(): Promise<ReadinessReport> {
    // Draining: not ready whatever the checks say (and the parts they probe are about to close).
    const reasons = draining
      ? [{ check: 'drain', code: 'ERR_SHUTTING_DOWN' }]
      : (await Promise.all(options.checks.map(runCheck))).flat();
    const ready = reasons.length === 0;
    if (ready !== lastReady) {
      options.log?.(ready ? 'info' : 'warn', ready ? 'ready' : 'not ready', { reasons });
      lastReady = ready;
    }
    return { ready, reasons };
  }

  return {
    get draining() {
      return draining;
    },
    startDrain() {
      draining = true;
    },
    readiness() {
      pending ??= evaluate().finally(() => {
        pending = null;
      });
      return pending;
    },
  };
}
