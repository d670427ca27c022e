// The policy in force: the active engine plus an optional shadow (candidate) engine evaluated on the same input.
// Invariants: a swap is one reference change, made only AFTER the injected activate() callback resolved (the caller
// records policy_activated there), so no decision is ever made by an engine whose activation is not recorded; a
// failed callback leaves the old engines in place. With no active engine every request is denied.
import { engineDeny } from './engine.ts';
import { PolicyError } from './errors.ts';
import type { Decision, PolicyEngine, PolicyInput, PolicyVersion } from './types.ts';

/** An engine and where its bundle came from (a path or a credential-free URL). */
export interface InstalledPolicy {
  engine: PolicyEngine;
  source: string;
}

export interface ShadowOutcome {
  version: PolicyVersion;
  decision: Decision;
}

export interface RuntimeDecision {
  decision: Decision;
  /** The version that decided; null only when no policy is active (the decision is then a deny). */
  version: PolicyVersion | null;
  /** The shadow's decision, only when a shadow is installed and its decision differs from the active one. */
  shadow: ShadowOutcome | null;
}

/** MUST resolve only once the activation is durably recorded; a rejection cancels the swap. */
export type ActivateCallback = (
  version: PolicyVersion,
  source: string,
  shadowVersion: PolicyVersion | null,
) => Promise<void>;

export interface PolicyRuntime {
  /** Never throws. Reads the installed engines once, so one request never sees two different policies. */
  decide(input: PolicyInput): RuntimeDecision;
  current(): {
    active: { version: PolicyVersion; source: string } | null;
    shadow: { version: PolicyVersion; source: string } | null;
  };
  /** Records, then swaps in a new active engine (the shadow stays). Throws ERR_POLICY_ACTIVATION_FAILED. */
  install(active: InstalledPolicy): Promise<void>;
  /** Records, then swaps in a new shadow engine, or removes it (null). */
  installShadow(shadow: InstalledPolicy | null): Promise<void>;
  /** Swaps in every given slot at once, behind ONE activation record (e.g. active and shadow at start-up). */
  installChanges(changes: PolicyChanges): Promise<void>;
}

/** The slots to replace; an absent key keeps that slot's engine. */
export interface PolicyChanges {
  active?: InstalledPolicy;
  shadow?: InstalledPolicy | null;
}

interface State {
  active: InstalledPolicy | null;
  shadow: InstalledPolicy | null;
}

export function createPolicyRuntime(options: { activate: ActivateCallback }): PolicyRuntime {
  let state: State = { active: null, shadow: null };
  // Installs run one at a time, in call order, so the recorded activations follow the swaps exactly.
  let queue: Promise<unknown> = Promise.resolve();

  function swap(next: (current: State) => State): Promise<void> {
    const run = queue.then(async () => {
      const proposed = next(state);
      // Without an active policy nothing decides, so there is nothing to record yet; the shadow waits for one.
      if (proposed.active !== null) {
        try {
          await options.activate(
            proposed.active.engine.version,
            proposed.active.source,
            proposed.shadow?.engine.version ?? null,
          );
        } catch (err) {
          throw new PolicyError(
            'ERR_POLICY_ACTIVATION_FAILED',
            `the policy activation could not be recorded: ${err instanceof Error ? err.message : String(err)}`,
            { cause: err },
          );
        }
      }
      state = proposed;
    });
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    decide(input) {
      const { active, shadow } = state;
      if (active === null) {
        return {
          decision: engineDeny('ERR_POLICY_UNAVAILABLE', 'no valid policy bundle is active'),
          version: null,
          shadow: null,
        };
      }
      const decision = active.engine.decide(input);
      if (shadow === null) return { decision, version: active.engine.version, shadow: null };
      const candidate = shadow.engine.decide(input);
      const differs = JSON.stringify(candidate) !== JSON.stringify(decision);
      return {
        decision,
        version: active.engine.version,
        shadow: differs ? { version: shadow.engine.version, decision: candidate } : null,
      };
    },
    current() {
      const view = (p: InstalledPolicy | null) => (p === null ? null : { version: p.engine.version, source: p.source });
      return { active: view(state.active), shadow: view(state.shadow) };
    },
    install(active) {
      return installChanges({ active });
    },
    installShadow(shadow) {
      return installChanges({ shadow });
    },
    installChanges,
  };

  function installChanges(changes: PolicyChanges): Promise<void> {
    return swap((current) => ({
      active: changes.active ?? current.active,
      shadow: changes.shadow === undefined ? current.shadow : changes.shadow,
    }));
  }
}
