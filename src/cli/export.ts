// `proctor export`: writes a signed evidence packet (docs/auditing.md) for the records a query selects. The packet
// is written atomically (temporary file, then rename) and never over an existing file. Exit 0 written and the
// pre-signing check is clean, 1 the export failed or the written packet does not verify, 2 usage error.
import { createPrivateKey, hash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { connectPostgres, openPglite } from '../db/index.ts';
import type { Sql } from '../db/index.ts';
import { EvidenceError, exportPacket, verdictLabel } from '../evidence/index.ts';
import type { PacketQuery } from '../evidence/index.ts';
import type { KeyWindow, RecordType } from '../ledger/index.ts';
import { CliUsageError, parseCommandLine } from './usage-error.ts';
import { readTrustFile } from './verify-packet.ts';

export interface ExportIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
  /** Tests pass the database in; the CLI opens --db / --pglite. */
  openSql?: () => Promise<Sql>;
}

const USAGE = `usage: proctor export (--db <url> | --pglite <dir>) --key <exporter private key PEM> --exported-by \
<who> --out <packet.tar.gz> [filters]

filters (repeatable ones match any of their values; different filters must all match), applied to the signed
record content; every record is read and its columns checked against it (a relabelled ledger is refused):
  --subject <sub>          principal subject (repeatable)
  --group <group>          principal group (repeatable)
  --tenant <tenant>        principal tenant (repeatable)
  --client <client id>     OAuth client (azp / client_id) (repeatable)
  --request-id <id>        request id (repeatable)
  --from <RFC 3339>        records at or after this instant
  --to <RFC 3339>          records before this instant
  --decision allow|deny    decisions with this verdict (and their outcomes)
  --policy-version <v>     bundle revision, bundle sha256, or revision@sha256:<hex> (repeatable)
  --type <type>            decision, outcome, policy_activated, key_rotated, chain_opened (repeatable; default \
decision, outcome)
                           (the key_rotated records of every exported chain are always included, whatever the filters)
options:
  --until-checkpoint       leave out matching records newer than their chain's latest signed checkpoint
  --include-bundles <dir>  include the policy bundles (*.tar.gz) from this directory that decided the records
  --trust <file>           pinned ledger key or keyring to check the packet with before signing (repeatable)
  --exported-at <RFC 3339> the export time written into the packet (default: now); same inputs, same bytes
  --max-records <n>        refuse selections larger than this (default 100000)

exit: 0 written and verified, 1 export failed or the packet does not verify, 2 usage error
`;

export /** The policy stage refuses larger bundles (src/policy/bundle.ts); reading them would be wasted. */
const MAX_BUNDLE_BYTES = 32 * 1024 * 1024;

const TYPES: readonly RecordType[] = ['chain_opened', 'decision', 'outcome', 'policy_activated', 'key_rotated'];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export async function runExport(args: string[], io: ExportIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(USAGE);
    return 0;
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args, io.env, io.openSql !== undefined);
  } catch (err) {
    if (!(err instanceof CliUsageError)) throw err;
    io.stderr(`proctor export: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  let sql: Sql | undefined;
  try {
    sql = io.openSql
      ? await io.openSql()
      : parsed.pglite !== undefined
        ? await openPglite(parsed.pglite)
        : connectPostgres(parsed.db ?? '', { max: 2 });
    const result = await exportPacket({
      sql,
      exporterKey: parsed.key,
      exportedBy: parsed.exportedBy,
      exportedAt: parsed.exportedAt,
      query: parsed.query,
      ...(parsed.bundles ? { bundles: parsed.bundles } : {}),
      ...(parsed.trust ? { trust: parsed.trust } : {}),
      maxRecords: parsed.maxRecords,
      packetName: path.basename(parsed.out),
    });
    const tmp = `${parsed.out}.partial-${process.pid}`;
    writeFileSync(tmp, result.bytes, { flag: 'wx', mode: 0o644 });
    renameSync(tmp, parsed.out);
    const c = result.manifest.counts;
    const label = verdictLabel(result.verdict);
    const leftOut =
      c.excluded_uncheckpointed > 0
        ? `; ${c.excluded_uncheckpointed} newer record(s) left out (not yet checkpointed)`
        : '';
    io.stdout(
      `wrote ${parsed.out}: ${c.records} records (${c.decisions} decisions: ${c.allowed} allowed, ${c.denied} ` +
        `denied; ${c.outcomes} outcomes) from ${c.chains} chain(s), ${c.checkpoints} checkpoint(s)${leftOut}\n` +
        `check before signing: ${label}\n`,
    );
    for (const sha of result.missingBundles)
      io.stderr(
        `proctor export: no bundle with sha256 ${sha} in --include-bundles; only its manifest entry is included\n`,
      );
    for (const f of result.verdict.findings)
      io.stderr(
        `${f.severity.toUpperCase()} ${f.code}` +
          `${f.chain ? ` (chain ${f.chain}${f.seq === null ? '' : ` seq ${f.seq}`})` : ''}: ${f.message}\n`,
      );
    return label === 'FAILED' ? 1 : 0;
  } catch (err) {
    if (err instanceof EvidenceError) {
      io.stderr(`proctor export: ${err.code}: ${err.message}\n`);
      return 1;
    }
    const code = (err as { code?: unknown }).code;
    io.stderr(
      `proctor export: the ledger could not be read (${typeof code === 'string' ? code : 'ERR_AUDIT_UNAVAILABLE'}); ` +
        `nothing was written\n`,
    );
    return 1;
  } finally {
    if (!io.openSql) await sql?.close().catch(() => undefined);
  }
}

function parse(args: string[], env: Record<string, string | undefined>, injectedSql: boolean) {
  const { values } = parseCommandLine(args, {
    db: { type: 'string' },
    pglite: { type: 'string' },
    key: { type: 'string' },
    'exported-by': { type: 'string' },
    'exported-at': { type: 'string' },
    out: { type: 'string' },
    subject: { type: 'string', multiple: true },
    group: { type: 'string', multiple: true },
    tenant: { type: 'string', multiple: true },
    client: { type: 'string', multiple: true },
    'request-id': { type: 'string', multiple: true },
    from: { type: 'string' },
    to: { type: 'string' },
    decision: { type: 'string' },
    'policy-version': { type: 'string', multiple: true },
    type: { type: 'string', multiple: true },
    'until-checkpoint': { type: 'boolean' },
    'include-bundles': { type: 'string' },
    trust: { type: 'string', multiple: true },
    'max-records': { type: 'string' },
  });
  if (values.db !== undefined && values.pglite !== undefined)
    throw new CliUsageError('--db and --pglite exclude each other');
  const db = values.pglite === undefined ? (values.db ?? env.DATABASE_URL) : undefined;
  if (values.pglite !== undefined && !existsSync(path.join(values.pglite, 'PG_VERSION')))
    throw new CliUsageError(`--pglite: no database in ${values.pglite}`);
  if (values.pglite === undefined && db === undefined && !injectedSql)
    throw new CliUsageError('--db (or $DATABASE_URL) or --pglite is required');
  if (db !== undefined && !/^postgres(ql)?:\/\//.test(db)) throw new CliUsageError('--db must be a postgres:// URL');
  if (!values.key) throw new CliUsageError('--key <exporter private key PEM> is required');
  const key = readKey(values.key);
  const exportedBy = values['exported-by']?.trim() ?? '';
  if (exportedBy === '' || exportedBy.length > 256)
    throw new CliUsageError('--exported-by <who> is required (1..256 characters): the person or role exporting');
  if (!values.out) throw new CliUsageError('--out <packet.tar.gz> is required');
  if (!values.out.endsWith('.tar.gz')) throw new CliUsageError('--out must name a .tar.gz file');
  if (existsSync(values.out)) throw new CliUsageError(`--out: ${values.out} exists; an export never overwrites a file`);
  const instant = (flag: string, v: string | undefined): string | null => {
    if (v === undefined) return null;
    if (!ISO.test(v) || Number.isNaN(Date.parse(v)))
      throw new CliUsageError(`${flag} must be an RFC 3339 date-time, got '${v}'`);
    return new Date(v).toISOString();
  };
  const from = instant('--from', values.from);
  const to = instant('--to', values.to);
  if (from !== null && to !== null && from >= to) throw new CliUsageError('--from must be before --to');
  const decision = values.decision ?? null;
  if (decision !== null && decision !== 'allow' && decision !== 'deny')
    throw new CliUsageError(`--decision must be allow or deny, got '${decision}'`);
  const types = values.type ?? ['decision', 'outcome'];
  for (const t of types)
    if (!TYPES.includes(t as RecordType))
      throw new CliUsageError(`--type must be one of ${TYPES.join(', ')}, got '${t}'`);
  const maxRecords = values['max-records'] === undefined ? 100_000 : Number(values['max-records']);
  if (!Number.isSafeInteger(maxRecords) || maxRecords < 1)
    throw new CliUsageError(`--max-records must be a positive integer, got '${values['max-records']}'`);
  const exportedAt = new Date(instant('--exported-at', values['exported-at']) ?? Date.now());
  const windows = new Map<string, KeyWindow>();
  const trustKeys = (values.trust ?? []).flatMap((f) => readTrustFile('--trust', f, windows));
  const query: PacketQuery = {
    subjects: values.subject ?? [],
    groups: values.group ?? [],
    tenants: values.tenant ?? [],
    clients: values.client ?? [],
    request_ids: values['request-id'] ?? [],
    from,
    to,
    decision,
    policy_versions: values['policy-version'] ?? [],
    types: [...new Set(types as RecordType[])].sort(),
    until_checkpoint: values['until-checkpoint'] ?? false,
  };
  return {
    db,
    pglite: values.pglite,
    key,
    exportedBy,
    exportedAt,
    out: values.out,
    query,
    maxRecords,
    bundles: values['include-bundles'] === undefined ? null : readBundleDir(values['include-bundles']),
    trust: trustKeys.length > 0 ? { ledgerKeys: trustKeys, keyWindows: windows, exporterKeys: [] } : null,
  };
}

function readKey(file: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: readFileSync(file, 'utf8'), format: 'pem' });
  } catch (cause) {
    throw new CliUsageError(`--key: ${file} is not a readable unencrypted PKCS#8 PEM private key`, { cause });
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new CliUsageError(`--key: ${file} is ${key.asymmetricKeyType ?? 'unknown'}, not ed25519`);
  return key;
}

/** Every *.tar.gz in dir (not recursive), by the SHA-256 of its bytes. */
export function readBundleDir(dir: string, flag = '--include-bundles'): Map<string, Uint8Array> {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.tar.gz'))
      .sort();
  } catch (cause) {
    throw new CliUsageError(`${flag}: cannot read the bundle directory ${dir}`, { cause });
  }
  const out = new Map<string, Uint8Array>();
  for (const name of names) {
    const file = path.join(dir, name);
    if (!statSync(file).isFile()) continue;
    if (statSync(file).size > MAX_BUNDLE_BYTES)
      throw new CliUsageError(`${flag}: ${file} is larger than the ${MAX_BUNDLE_BYTES}-byte bundle limit`);
    const bytes = readFileSync(file);
    out.set(sha256(bytes), bytes);
  }
  return out;
}

function sha256(bytes: Uint8Array): string {
  return hash('sha256', bytes, 'hex');
}
