// Round 13 ops: what the ledger suites share: the oracle for a checkpoint's root, computed from audit_records alone
// (the record hashes are readable by anyone with the role: no key needed, which is what a database writer has).
import { type Sql, toBytes } from '../../src/db/index.ts';
import { CompactTree } from '../../src/ledger/merkle.ts';

/** The RFC 6962 root of `chain`'s first `size` records. */
export async function rootOf(sql: Sql, chain: string, size: number): Promise<Buffer> {
  const { rows } = await sql.query<{ hash: unknown }>(
    'SELECT hash FROM audit_records WHERE chain = $1 ORDER BY seq LIMIT $2',
    [chain, size],
  );
  const tree = new CompactTree();
  for (const r of rows) tree.append(toBytes(r.hash));
  return Buffer.from(tree.root());
}
