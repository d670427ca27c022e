// Turns a loaded wasm policy into a PolicyEngine whose decide() never throws.
// Order per call: validate the input (policy-input.v1), evaluate, require exactly one result, validate it
// (policy-decision.v1), check it names only upstreams from the input, return a sorted copy. Any failure is a deny.
// A result the policy gives as JSON text (wasm-eval.ts) that passed every check on the result alone is remembered under
// that exact text, so a policy's usual answers are not parsed and validated again; the input's checks run every time.
import { isoTimeOf } from './iso-time.ts';
import { describeSchemaErrors, policyValidators } from './schemas.ts';
import type { Decision, EngineReasonCode, Limits, PolicyEngine, PolicyInput, PolicyVersion, Reason } from './types.ts';

/** The part of @open-policy-agent/opa-wasm's LoadedPolicy the engine uses; it may throw anything. */
export interface WasmPolicy {
  evaluate(input: unknown, entrypoint: string): unknown;
  /** The result set as the JSON text `evaluate` parses, when the policy can give it (the opa_eval path). */
  evaluateText?(input: unknown, entrypoint: string): string;
}

/** Result texts remembered per engine (the oldest out first), and the longest remembered. */
export const CHECKED_RESULTS = 256;
export const CHECKED_RESULT_MAX_CHARS = 4096;

const MAX_DETAIL = 300;
// With the u flag a surrogate pair is one code point, so \p{Cs} matches only lone surrogates.
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATE_ALL = /\p{Cs}/gu;

export function createPolicyEngine(policy: WasmPolicy, entrypoint: string, version: PolicyVersion): PolicyEngine {
  const validators = policyValidators();
  const frozenVersion: PolicyVersion = Object.freeze({ revision: version.revision, sha256: version.sha256 });
  /** Result texts that passed every check on the result alone, and the decision each holds (frozen). */
  const checked = new Map<string, Decision>();

  function evaluate(input: PolicyInput): Decision {
    if (!validators.input(input)) {
      return engineDeny('ERR_POLICY_INPUT_INVALID', `input ${describeSchemaErrors(validators.input.errors)}`);
    }
    const inputProblem = checkInput(input);
    if (inputProblem !== null) return engineDeny('ERR_POLICY_INPUT_INVALID', inputProblem);

    let resultSet: unknown;
    let text: string | undefined;
    let remembered: Decision | undefined;
    try {
      if (policy.evaluateText === undefined) resultSet = policy.evaluate(input, entrypoint);
      else {
        text = policy.evaluateText(input, entrypoint);
        remembered = checked.get(text);
        if (remembered === undefined) resultSet = JSON.parse(text);
      }
    } catch (err) {
      return engineDeny('ERR_POLICY_EVALUATION', `evaluation failed: ${describeThrown(err)}`);
    }
    if (remembered !== undefined) return inputChecked(input, remembered) ?? copyDecision(remembered);
    // opa-wasm returns [] when the entrypoint is undefined, [{ result }] otherwise.
    if (!Array.isArray(resultSet)) return engineDeny('ERR_POLICY_DECISION_INVALID', 'result set is not an array');
    if (resultSet.length === 0) return engineDeny('ERR_POLICY_UNDEFINED', `${entrypoint} is undefined`);
    if (resultSet.length > 1) return engineDeny('ERR_POLICY_DECISION_INVALID', 'more than one result');
    const entry: unknown = resultSet[0];
    if (typeof entry !== 'object' || entry === null || !Object.hasOwn(entry, 'result')) {
      return engineDeny('ERR_POLICY_DECISION_INVALID', 'result set entry has no result');
    }
    const result: unknown = (entry as { result: unknown }).result;
    if (!validators.decision(result)) {
      return engineDeny('ERR_POLICY_DECISION_INVALID', `decision ${describeSchemaErrors(validators.decision.errors)}`);
    }
    const denied = inputChecked(input, result);
    if (denied !== null) return denied;
    const o = result.obligations;
    const typeLists = [o.redact, o.response.redact, o.response.block];
    if (!result.reasons.every((r) => isWellFormed(r.message)) || !typeLists.every((list) => list.every(isWellFormed))) {
      return engineDeny('ERR_POLICY_DECISION_INVALID', 'decision holds a string that is not well-formed Unicode');
    }
    if (text !== undefined && text.length <= CHECKED_RESULT_MAX_CHARS) {
      if (checked.size >= CHECKED_RESULTS) checked.delete(checked.keys().next().value as string);
      checked.set(text, deepFreeze(result));
    }
    return copyDecision(result);
  }

  return {
    version: frozenVersion,
    decide(input: PolicyInput): Decision {
      try {
        return evaluate(input);
      } catch (err) {
        // Nothing above should throw (validators and copies included); if it does, it is still a deny.
        return engineDeny('ERR_POLICY_EVALUATION', `engine failed: ${describeThrown(err)}`);
      }
    },
  };
}

/** The decision's check against this input: it names only upstreams the input offers. A deny, or null. */
function inputChecked(input: PolicyInput, result: Decision): Decision | null {
  const known = new Set(input.upstreams.map((u) => u.name));
  const unknown = result.obligations.upstreams.find((name) => !known.has(name));
  if (unknown === undefined) return null;
  return engineDeny('ERR_POLICY_DECISION_INVALID', 'decision names an upstream that is not in the input');
}

/** A remembered decision is read by every later call with the same result text: nothing may change it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Invariants the schema cannot state. Returns what is wrong, or null. */
function checkInput(input: PolicyInput): string | null {
  const names = new Set<string>();
  for (const upstream of input.upstreams) {
    if (names.has(upstream.name)) return 'input /upstreams names an upstream twice';
    names.add(upstream.name);
  }
  if (isoTimeOf(input.time.unix_ms) !== input.time.iso) {
    return 'input /time/iso is not the same instant as /time/unix_ms';
  }
  const { tools } = input.request;
  if (tools.count !== tools.names.length) return 'input /request/tools/count is not the number of /request/tools/names';
  const c = input.classification;
  for (const field of ['types', 'categories', 'where'] as const) {
    if (sum(Object.values(c[field])) !== c.finding_count)
      return `input /classification/${field} does not add up to /classification/finding_count`;
  }
  if (c.finding_count === 0 && c.max_confidence !== 0)
    return 'input /classification/max_confidence must be 0 without findings';
  return null;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

export function engineDeny(code: EngineReasonCode, message: string): Decision {
  return {
    allow: false,
    reasons: [{ code, message: truncate(message) }],
    obligations: { upstreams: [], max_tokens: null, redact: [], response: { redact: [], block: [] }, limits: null },
  };
}

function copyDecision(decision: Decision): Decision {
  const reasons: Reason[] = decision.reasons.map((r) => ({ code: r.code, message: r.message }));
  reasons.sort((a, b) => compare(a.code, b.code) || compare(a.message, b.message));
  return {
    allow: decision.allow,
    reasons,
    obligations: {
      upstreams: [...decision.obligations.upstreams],
      max_tokens: decision.obligations.max_tokens,
      redact: [...decision.obligations.redact],
      response: { redact: [...decision.obligations.response.redact], block: [...decision.obligations.response.block] },
      limits: copyLimits(decision.obligations.limits),
    },
  };
}

/** The decision's limits as validated (policy-decision.v1), scoped entries included: a field dropped here would be a
 * limit the policy set and nothing enforced. */
function copyLimits(limits: Limits | null): Limits | null {
  if (limits === null) return null;
  const { tokens_per_minute, requests_per_minute, spend_micro_usd_per_day, spend_micro_usd_per_month } = limits;
  const copy: Limits = { tokens_per_minute, requests_per_minute, spend_micro_usd_per_day, spend_micro_usd_per_month };
  if (limits.scoped !== undefined) copy.scoped = limits.scoped.map((entry) => ({ ...entry }));
  return copy;
}

/** Code-unit order, independent of locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** opa-wasm throws strings, plain objects with a message, and Errors (e.g. a RangeError when memory is full). */
function describeThrown(err: unknown): string {
  if (typeof err === 'string') return err;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  if (typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string') {
    return err.message;
  }
  return `non-error value thrown (${typeof err})`;
}

/** Audit records accept only well-formed Unicode: a lone surrogate would make the whole record unwritable. */
function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** Bounded, well-formed detail for an engine reason (it may quote an error thrown from inside the wasm). */
function truncate(message: string): string {
  const text = message.length > 0 ? message.replace(LONE_SURROGATE_ALL, '\uFFFD') : 'no detail';
  if (text.length <= MAX_DETAIL) return text;
  return `${text.slice(0, MAX_DETAIL - 1).replace(LONE_SURROGATE_ALL, '')}…`;
}
