// The policy stage's public surface: bundles (open, verify, load), the engine (policy-input.v1 -> policy-decision.v1),
// the runtime that holds the active and shadow engines, and the updater that keeps them current.
// Loading throws PolicyError; deciding never throws, it denies (see PolicyEngine and PolicyRuntime).
export type {
  Decision,
  EngineReasonCode,
  FindingLocation,
  Limits,
  McpInput,
  Obligations,
  PolicyEngine,
  PolicyInput,
  PolicyVersion,
  Reason,
} from './types.ts';
export { PolicyError } from './errors.ts';
export type { PolicyErrorCode } from './errors.ts';
export { compileBundle, loadPolicyBundle, loadPolicyBundleBytes, openBundle } from './bundle.ts';
export type { BundleOptions, Manifest, OpenedBundle, SignatureStatus } from './bundle.ts';
export { parseVerificationKey, verifyBundleSignature } from './signature.ts';
export type { VerificationKey, VerifiedSignature } from './signature.ts';
export { bundleSource, isPlainRemoteHttp } from './source.ts';
export type { BundleSource, FetchedBundle, FetchLike, SourceOptions } from './source.ts';
export { isoTimeOf } from './iso-time.ts';
export { createPolicyRuntime } from './runtime.ts';
export type {
  ActivateCallback,
  InstalledPolicy,
  PolicyChanges,
  PolicyRuntime,
  RuntimeDecision,
  ShadowOutcome,
} from './runtime.ts';
export { createPolicyUpdater, loadCandidate } from './updater.ts';
export type { PolicyUpdater, SlotName, SlotReport, UpdaterOptions } from './updater.ts';
export { SMOKE_INPUT, smokeTest } from './smoke.ts';
export { startPolicy } from './setup.ts';
export type { PolicySettings, StartedPolicy } from './setup.ts';

/** The entrypoint the default bundle is built with (scripts/policy.sh). */
export const DEFAULT_POLICY_ENTRYPOINT = 'proctor/decision/result';
