// The policy stage's error family. Loading a bundle is the only thing that throws; evaluation turns every failure
// into a deny decision instead (see PolicyEngine.decide).

export type PolicyErrorCode = 'ERR_POLICY_BUNDLE_INVALID';

export class PolicyError extends Error {
  readonly code: PolicyErrorCode;

  constructor(code: PolicyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PolicyError';
    this.code = code;
  }
}
