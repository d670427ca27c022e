// Proctor's readiness conditions, each against the narrowest interface it needs: the database answers a trivial
// query, this writer holds its chain's lease (taken again if its connection died), a policy is active, and every
// issuer's discovery (its key source) succeeds. Invariant: checks only read; none writes a record.
import type { ReadinessCheck, ReadinessReason } from './health.ts';

export interface ReadinessParts {
  sql: { query(text: string): Promise<unknown> };
  ledger: { holdsLease?(): Promise<boolean> };
  policy: { current(): { active: unknown } };
  authenticator: { checkIssuers?(): Promise<readonly { issuer: string; error: { code: string } | null }[]> };
}

export function readinessChecks(parts: ReadinessParts): ReadinessCheck[] {
  const none: readonly ReadinessReason[] = [];
  return [
    {
      name: 'database',
      run: async () => {
        await parts.sql.query('SELECT 1');
        return none;
      },
    },
    {
      name: 'ledger',
      run: async () =>
        (await (parts.ledger.holdsLease?.() ?? true)) ? none : [{ check: 'ledger', code: 'ERR_CHAIN_LEASE_LOST' }],
    },
    {
      name: 'policy',
      run: async () =>
        parts.policy.current().active === null ? [{ check: 'policy', code: 'ERR_POLICY_UNAVAILABLE' }] : none,
    },
    {
      name: 'identity',
      run: async () =>
        (await (parts.authenticator.checkIssuers?.() ?? Promise.resolve([])))
          .filter((i) => i.error !== null)
          .map((i) => ({ check: 'identity', code: i.error?.code ?? 'ERR_IDP_UNAVAILABLE', subject: i.issuer })),
    },
  ];
}
