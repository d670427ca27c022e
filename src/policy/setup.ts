// Start-up of the policy stage from settings: key, sources, runtime, first load, polling. Start-up MUST fail when
// the active bundle cannot be loaded (no server that only denies); a broken shadow bundle is logged and skipped,
// since a shadow never decides. After start-up, failures keep the last good bundle (see updater.ts).
import { PolicyError } from './errors.ts';
import { createPolicyRuntime } from './runtime.ts';
import type { ActivateCallback, PolicyRuntime } from './runtime.ts';
import { parseVerificationKey } from './signature.ts';
import { bundleSource, isPlainRemoteHttp } from './source.ts';
import type { FetchLike } from './source.ts';
import { createPolicyUpdater } from './updater.ts';
import type { PolicyUpdater, UpdaterOptions } from './updater.ts';

export interface PolicySettings {
  /** File path or http(s) URL. */
  bundle: string;
  shadowBundle: string | null;
  /** 0: load once. */
  pollIntervalSeconds: number;
  /** PEM SPKI or JWK text of the bundle signing key; null: bundles are not verified. */
  signingKeyPem: string | null;
}

export interface StartedPolicy {
  runtime: PolicyRuntime;
  updater: PolicyUpdater;
}

export async function startPolicy(
  settings: PolicySettings,
  deps: { activate: ActivateCallback; log?: UpdaterOptions['log']; fetch?: FetchLike },
): Promise<StartedPolicy> {
  const verificationKey = settings.signingKeyPem === null ? null : parseVerificationKey(settings.signingKeyPem);
  const active = bundleSource(settings.bundle, { fetch: deps.fetch });
  const shadow = settings.shadowBundle === null ? null : bundleSource(settings.shadowBundle, { fetch: deps.fetch });
  for (const source of [active, shadow]) {
    if (source !== null && verificationKey === null && isPlainRemoteHttp(source)) {
      throw new PolicyError(
        'ERR_POLICY_CONFIG',
        `${source.label}: an unsigned bundle over plain http is refused; use https or configure policy.signing_key`,
      );
    }
  }
  const runtime = createPolicyRuntime({ activate: deps.activate });
  const updater = createPolicyUpdater({
    runtime,
    active,
    shadow,
    verificationKey,
    pollIntervalMs: settings.pollIntervalSeconds * 1000,
    log: deps.log,
  });
  const reports = await updater.refresh();
  const first = reports.find((r) => r.slot === 'active');
  if (first?.outcome !== 'activated') {
    const detail = first?.outcome === 'rejected' ? `${first.code}: ${first.message}` : 'no bundle';
    throw new PolicyError(
      first?.outcome === 'rejected' ? first.code : 'ERR_POLICY_BUNDLE_UNAVAILABLE',
      `no valid policy bundle at start-up (${detail})`,
    );
  }
  updater.start();
  return { runtime, updater };
}
