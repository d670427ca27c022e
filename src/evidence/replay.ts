// Replay: re-evaluates recorded decisions — the recorded policy_input against the bundle whose SHA-256 the record
// names — and reports every decision that does not reproduce (allow, reasons and obligations, compared canonically).
// Only decisions the policy made (stage "decide", with an input and a version) can be replayed; the rest are counted
// as skipped by stage. A record whose bundle is not at hand is never guessed at: it is reported as missing.
import { hash as digest } from 'node:crypto';
import { canonicalString } from '../ledger/index.ts';
import type { JsonValue } from '../ledger/index.ts';
import { loadPolicyBundleBytes } from '../policy/index.ts';
import type { PolicyEngine, PolicyInput } from '../policy/index.ts';
import { asObject } from './select.ts';

export interface ReplayMismatch {
  chain: string;
  seq: number;
  request_id: string | null;
  /** active: the deciding policy; shadow: the candidate recorded beside it. */
  slot: 'active' | 'shadow';
  policy: { revision: string; sha256: string };
  recorded: { allow: boolean; reasons: string[] };
  replayed: { allow: boolean; reasons: string[] };
  /** Which parts differ: allow, reasons, obligations. */
  differs: string[];
}

export interface ReplayReport {
  decisions: number;
  replayed: number;
  reproduced: number;
  mismatches: ReplayMismatch[];
  /** Decisions that could not be replayed, by why (e.g. "stage identify", "no policy input"). */
  skipped: Record<string, number>;
  /** Bundle SHA-256s some record names that were not available, with how many decisions needed each. */
  missing_bundles: { sha256: string; revision: string; decisions: number }[];
}

/** Bundles by the SHA-256 of their bytes. */
export function indexBundles(bundles: Iterable<Uint8Array>): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const b of bundles) out.set(digest('sha256', b, 'hex'), b);
  return out;
}

export async function replayDecisions(
  records: Iterable<Record<string, JsonValue>>,
  bundles: Map<string, Uint8Array>,
): Promise<ReplayReport> {
  const engines = new Map<string, Promise<PolicyEngine>>();
  const report: ReplayReport = {
    decisions: 0,
    replayed: 0,
    reproduced: 0,
    mismatches: [],
    skipped: {},
    missing_bundles: [],
  };
  const missing = new Map<string, { revision: string; decisions: number }>();
  const skip = (why: string) => {
    report.skipped[why] = (report.skipped[why] ?? 0) + 1;
  };

  const run = async (
    record: Record<string, JsonValue>,
    slot: 'active' | 'shadow',
    policy: Record<string, JsonValue>,
    recorded: Record<string, JsonValue>,
    input: PolicyInput,
  ) => {
    const sha256 = String(policy.sha256);
    const revision = String(policy.revision);
    const bytes = bundles.get(sha256);
    if (bytes === undefined) {
      const m = missing.get(sha256) ?? { revision, decisions: 0 };
      m.decisions++;
      missing.set(sha256, m);
      return;
    }
    let engine = engines.get(sha256);
    if (engine === undefined) {
      engine = loadPolicyBundleBytes(bytes);
      engines.set(sha256, engine);
    }
    const decision = (await engine).decide(input);
    report.replayed++;
    const differs: string[] = [];
    if (decision.allow !== recorded.allow) differs.push('allow');
    if (canonicalString(decision.reasons) !== canonicalString(recorded.reasons ?? null)) differs.push('reasons');
    if (canonicalString(decision.obligations) !== canonicalString(recorded.obligations ?? null))
      differs.push('obligations');
    if (differs.length === 0) {
      report.reproduced++;
      return;
    }
    report.mismatches.push({
      chain: String(record.chain),
      seq: Number(record.seq),
      request_id: typeof record.request_id === 'string' ? record.request_id : null,
      slot,
      policy: { revision, sha256 },
      recorded: { allow: recorded.allow === true, reasons: reasonCodes(recorded.reasons) },
      replayed: { allow: decision.allow, reasons: decision.reasons.map((r) => r.code) },
      differs,
    });
  };

  for (const record of records) {
    if (record.type !== 'decision') continue;
    report.decisions++;
    const decision = asObject(record.decision);
    const policy = asObject(record.policy);
    const input = asObject(record.policy_input);
    if (decision === null || decision.stage !== 'decide') {
      skip(`stage ${typeof decision?.stage === 'string' ? decision.stage : 'unknown'}`);
      continue;
    }
    if (input === null || policy === null || typeof policy.sha256 !== 'string') {
      skip('no policy input or version');
      continue;
    }
    await run(record, 'active', policy, decision, input as unknown as PolicyInput);
    const shadow = asObject(record.shadow);
    const shadowDecision = asObject(shadow?.decision);
    if (shadow !== null && shadowDecision !== null && typeof shadow.sha256 === 'string') {
      await run(record, 'shadow', shadow, shadowDecision, input as unknown as PolicyInput);
    }
  }
  report.missing_bundles = [...missing]
    .map(([sha256, m]) => ({ sha256, ...m }))
    .sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1));
  return report;
}

function reasonCodes(reasons: JsonValue | undefined): string[] {
  return Array.isArray(reasons) ? reasons.map((r) => String(asObject(r)?.code ?? '')) : [];
}
