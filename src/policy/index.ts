// The policy stage's public surface: load a wasm bundle, then decide policy-input.v1 -> policy-decision.v1.
// Loading throws PolicyError (ERR_POLICY_BUNDLE_INVALID); deciding never throws, it denies (see PolicyEngine).
export type { Decision, EngineReasonCode, PolicyEngine, PolicyInput, PolicyVersion, Reason } from './types.ts';
export { PolicyError } from './errors.ts';
export type { PolicyErrorCode } from './errors.ts';
export { loadPolicyBundle, loadPolicyBundleBytes } from './bundle.ts';

/** The entrypoint the default bundle is built with (scripts/policy.sh). */
export const DEFAULT_POLICY_ENTRYPOINT = 'proctor/decision/result';
