// Keeps the runtime's engines current: fetch (ETag for URLs), verify, compile, smoke-test, then install. A bundle
// that fails any step is rejected and the last good one stays; its failure is reported, never swallowed. An ETag or
// digest is remembered only after a final verdict, so a failed download or a failed activation record is retried.
// The new bundles of one refresh (active and shadow) are installed together, behind one policy_activated record.
import { hash } from 'node:crypto';
import { compileBundle, openBundle } from './bundle.ts';
import { PolicyError } from './errors.ts';
import type { InstalledPolicy, PolicyChanges, PolicyRuntime } from './runtime.ts';
import type { VerificationKey } from './signature.ts';
import { smokeTest } from './smoke.ts';
import type { BundleSource } from './source.ts';
import type { PolicyEngine } from './types.ts';

export type SlotName = 'active' | 'shadow';

export type SlotReport =
  | { slot: SlotName; outcome: 'activated'; revision: string; sha256: string }
  | { slot: SlotName; outcome: 'unchanged' }
  | { slot: SlotName; outcome: 'rejected'; code: PolicyError['code']; message: string };

/** A new bundle that passed every check and waits to be installed with the rest of its round. */
interface Prepared {
  slot: SlotName;
  source: BundleSource;
  installed: InstalledPolicy;
  etag: string | null;
  sha256: string;
}

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
export async function loadCandidate(
  bytes: Uint8Array,
  verificationKey: VerificationKey | null = null,
): Promise<PolicyEngine> {
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

  /** Fetches and judges one slot's bundle; a good new one is returned for installing, anything else is reported. */
  async function prepareSlot(slot: SlotName, source: BundleSource): Promise<Prepared | SlotReport> {
    const memory = seen[slot];
    try {
      const fetched = await source.fetch(memory.etag);
      if (fetched === null) return { slot, outcome: 'unchanged' };
      const sha256 = hash('sha256', fetched.bytes, 'hex');
      if (sha256 === memory.sha256) {
        memory.etag = fetched.etag;
        return { slot, outcome: 'unchanged' };
      }
      try {
        const engine = await loadCandidate(fetched.bytes, key);
        return { slot, source, installed: { engine, source: source.label }, etag: fetched.etag, sha256 };
      } catch (err) {
        // A verdict on these bytes: do not fetch and judge them again until they change.
        Object.assign(memory, { etag: fetched.etag, sha256 });
        throw err;
      }
    } catch (err) {
      return rejected(slot, source, err);
    }
  }

  function rejected(slot: SlotName, source: BundleSource, err: unknown): SlotReport {
    const code = err instanceof PolicyError ? err.code : 'ERR_POLICY_BUNDLE_INVALID';
    const message = err instanceof Error ? err.message : String(err);
    options.log?.('error', `policy ${slot} bundle rejected; the previous one stays`, {
      code,
      message,
      source: source.label,
    });
    return { slot, outcome: 'rejected', code, message };
  }

  async function refreshAll(): Promise<SlotReport[]> {
    const slots: [SlotName, BundleSource][] = [['active', options.active]];
    if (options.shadow) slots.push(['shadow', options.shadow]);
    const results: (Prepared | SlotReport)[] = [];
    for (const [slot, source] of slots) results.push(await prepareSlot(slot, source));
    const ready = results.filter((r): r is Prepared => 'installed' in r);
    if (ready.length === 0) return results as SlotReport[];
    // Every new bundle of this round goes in with one swap, so one policy_activated record names them all.
    const changes: PolicyChanges = {};
    for (const p of ready) changes[p.slot] = p.installed;
    let failure: unknown = null;
    try {
      await runtime.installChanges(changes);
    } catch (err) {
      failure = err;
    }
    return results.map((r) => {
      if (!('installed' in r)) return r;
      const { source } = r;
      // A failed record is not a verdict on the bundle: its digest is not remembered, so the next round retries.
      if (failure !== null) return rejected(r.slot, source, failure);
      Object.assign(seen[r.slot], { etag: r.etag, sha256: r.sha256 });
      const { revision, sha256 } = r.installed.engine.version;
      options.log?.('info', `policy ${r.slot} bundle activated`, { revision, sha256, source: source.label });
      return { slot: r.slot, outcome: 'activated', revision, sha256 };
    });
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
