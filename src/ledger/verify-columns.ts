// The query columns stored beside a record (subject, decision, policy_version), derived from its signed bytes, and
// the check of the stored columns against them. A column MUST be NULL (not indexed: records appended without an
// index) or exactly what the bytes say; any other value is a relabelling. An outcome's bytes hold no principal:
// its columns are derived from the decision its decision_hash names. Shared by verify and by export, which both
// refuse a column that disagrees with the bytes (docs/auditing.md).
import type { JsonValue } from './canonical.ts';

export interface QueryColumns {
  subject: string | null;
  decision: string | null;
  policy_version: string | null;
}

export const QUERY_COLUMNS = ['subject', 'decision', 'policy_version'] as const;

const NONE: QueryColumns = { subject: null, decision: null, policy_version: null };

/** What the columns of a record say, from its bytes; null for an outcome (its decision's columns apply). */
export function queryColumns(record: Record<string, JsonValue>): QueryColumns | null {
  if (record.type === 'outcome') return null;
  if (record.type !== 'decision') return NONE;
  const principal = asObject(record.principal);
  const decision = asObject(record.decision);
  const policy = asObject(record.policy);
  return {
    subject: typeof principal?.sub === 'string' ? principal.sub : null,
    decision: decision?.allow === true ? 'allow' : decision?.allow === false ? 'deny' : null,
    policy_version:
      typeof policy?.revision === 'string' && typeof policy.sha256 === 'string'
        ? `${policy.revision}@sha256:${policy.sha256}`
        : null,
  };
}

/** Names of the stored columns that are neither NULL nor the derived value; `stored` undefined: the source has none. */
export function columnsDiffer(derived: QueryColumns, stored: Partial<QueryColumns>): string[] {
  const out: string[] = [];
  for (const name of QUERY_COLUMNS) {
    const value = stored[name];
    if (value !== undefined && value !== null && value !== derived[name]) out.push(name);
  }
  return out;
}

function asObject(v: JsonValue | undefined): Record<string, JsonValue> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : null;
}
