// The policy stage's error family. Loading, verifying and fetching bundles throw PolicyError; evaluation never
// throws, it denies (see PolicyEngine.decide). Codes are stable: they reach logs, CLI exit messages and tests.

export type PolicyErrorCode =
  /** The archive, manifest, wasm or data is unusable (corrupt, missing, over a limit). */
  | 'ERR_POLICY_BUNDLE_INVALID'
  /** A signing key is configured and the bundle carries no .signatures.json. */
  | 'ERR_POLICY_SIGNATURE_MISSING'
  /** The signature does not verify, or a file's hash differs from the signed one, or a file is unsigned. */
  | 'ERR_POLICY_SIGNATURE_INVALID'
  /** The bundle could not be read or downloaded (I/O, HTTP status, timeout, size limit). */
  | 'ERR_POLICY_BUNDLE_UNAVAILABLE'
  /** The bundle loaded but its smoke evaluation did not produce a valid decision (e.g. the wasm traps). */
  | 'ERR_POLICY_SMOKE_FAILED'
  /** A configuration value (bundle reference, key) is unusable; found at start-up. */
  | 'ERR_POLICY_CONFIG'
  /** The activation callback (the policy_activated record) failed, so the bundle was not swapped in. */
  | 'ERR_POLICY_ACTIVATION_FAILED';

export class PolicyError extends Error {
  readonly code: PolicyErrorCode;

  constructor(code: PolicyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PolicyError';
    this.code = code;
  }
}
