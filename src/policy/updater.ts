// Keeps the runtime's engines current: fetch (ETag for URLs), verify, compile, smoke-test, then install. A bundle
// that fails any step is rejected and the last good one stays; its failure is reported, never swallowed. An ETag or
// digest is remembered only after a final verdict, so a failed download or a failed activation record is retried.
import { hash } from 'node:crypto';
import { compileBundle, openBundle } from './bundle.ts';
import { PolicyError } from './errors.ts';
import type { PolicyRuntime } from './runtime.ts';
import type { VerificationKey } from './signature.ts';
import { smokeTest } from './smoke.ts';
import type { BundleSource } from './source.ts';
import type { PolicyEngine } from './types.ts';

export type SlotName = 'active' | 'shadow';

export type SlotReport =
  | { slot: SlotName; outcome: 'activated'; revision: string; sha256: string }
  | { slot: SlotName; outcome: 'unchanged' }
  | { slot: SlotName; outcome: 'rejected'; code: PolicyError['code']; message: string };

export interface UpdaterOptions {
  runtime: PolicyRuntime;
  active: BundleSource;
  shadow?: BundleSource | null;
  verificationKey?: VerificationKey | null;
  /** 0 disables polling: bundles are loaded once by refresh(). */
  pollIntervalMs?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

export interface PolicyUpdater {
  /** Checks every source once; resolves with what happened to each, never rejects. */
  refresh(): Promise<SlotReport[]>;
  start(): void;
  stop(): void;
}

/** Verify, compile and smoke-test bundle bytes; throws PolicyError. The exact path the proxy loads bundles by. */
export async function loadCandidate(bytes: Uint8Array, verificationKey: VerificationKey | null = null): Promise<PolicyEngine> {
  const engine = await compileBundle(await openBundle(bytes, { verificationKey }));
  smokeTest(engine);
  return engine;
}

export function createPolicyUpdater(options: UpdaterOptions): PolicyUpdater {
  const { runtime } = options;
  const key = options.verificationKey ?? null;
  const seen: Record<SlotName, { etag: string | null; sha256: string | null }> = {
    active: { etag: null, sha256: null },
    shadow: { etag: null, sha256: null },
  };
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<SlotReport[]> | null = null;

  async function refreshSlot(slot: SlotName, source: BundleSource): Promise<SlotReport> {
    const memory = seen[slot];
    try {
      const fetched = await source.fetch(memory.etag);
      if (fetched === null) return { slot, outcome: 'unchanged' };
      const sha256 = hash('sha256', fetched.bytes, 'hex');
      if (sha256 === memory.sha256) {
        memory.etag = fetched.etag;
        return { slot, outcome: 'unchanged' };
      }
      let engine: PolicyEngine;
      try {
        engine = await loadCandidate(fetched.bytes, key);
      } catch (err) {
        // A verdict on these bytes: do not fetch and judge them again until they change.
        Object.assign(memory, { etag: fetched.etag, sha256 });
        throw err;
      }
      const installed = { engine, source: source.label };
      await (slot === 'active' ? runtime.install(installed) : runtime.installShadow(installed));
      Object.assign(memory, { etag: fetched.etag, sha256 });
      options.log?.('info', `policy ${slot} bundle activated`, { revision: engine.version.revision, sha256: engine.version.sha256, source: source.label });
      return { slot, outcome: 'activated', revision: engine.version.revision, sha256: engine.version.sha256 };
    } catch (err) {
      const code = err instanceof PolicyError ? err.code : 'ERR_POLICY_BUNDLE_INVALID';
      const message = err instanceof Error ? err.message : String(err);
      options.log?.('error', `policy ${slot} bundle rejected; the previous one stays`, { code, message, source: source.label });
      return { slot, outcome: 'rejected', code, message };
    }
  }

  async function refreshAll(): Promise<SlotReport[]> {
    const reports = [await refreshSlot('active', options.active)];
    if (options.shadow) reports.push(await refreshSlot('shadow', options.shadow));
    return reports;
  }

  function refresh(): Promise<SlotReport[]> {
    // One refresh at a time: a slow download must not overlap the next poll.
    running ??= refreshAll().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    refresh,
    start() {
      const interval = options.pollIntervalMs ?? 0;
      if (interval <= 0 || timer !== null) return;
      timer = setInterval(() => void refresh(), interval);
      timer.unref();
    },
    stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
    },
  };
}
