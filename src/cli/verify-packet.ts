// `proctor verify <packet.tar.gz>`: offline verification of an evidence packet (src/evidence) against keys pinned out
// of band: --trust (ledger keys or keyring, which sign records and checkpoints) and --trust-exporter (the key that
// signed the manifest; a ledger key given with --trust is accepted as exporter too). Exit 0 verified, 1 integrity
// failure, 2 usage error, 3 inconclusive (no trusted ledger key, or the exporter is not trusted).
import { readFileSync, statSync } from 'node:fs';
import { kidOf, keyWindows as keyringWindows, parseKeyring } from '../ledger/index.ts';
import type { KeyWindow } from '../ledger/index.ts';
import { PACKET_LIMITS, verifyPacket, withPacketWitnesses } from '../evidence/index.ts';
import type { PacketReport } from '../evidence/index.ts';
import { packetWitnessFlag, packetWitnessProblem } from './verify-witness-args.ts';
import { CliUsageError, parseCommandLine } from './usage-error.ts';

export interface PacketIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const PACKET_USAGE = `usage: proctor verify <packet.tar.gz> --trust <ledger key or keyring> [--trust-exporter \
<exporter public key PEM>] [--json]

  --trust <key>            pinned ledger key(s): a PEM file, a keyring JSON, or a fingerprint ed25519:<hex>
                           (resolved against the packet's keyring.json) (repeatable)
  --trust-exporter <key>   exporter key(s) whose signed manifest you accept: a PEM file or a fingerprint (repeatable)
  --witness <vkey>         a pinned witness verifier key (repeatable): each chain's newest checkpoint in the packet
                           must carry cosignatures of --witness-quorum of them (default: all)
  --witness-quorum <n>     cosignatures required
  --json                   print the report as JSON

exit: 0 verified, 1 integrity failure, 2 usage error, 3 inconclusive (no trusted key, or an untrusted exporter)
`;

const FINGERPRINT = /^ed25519:[0-9a-f]{64}$/;

/** A trust file: one or more PEM public keys, or a keyring (JSON, docs/ledger.md) whose windows are enforced. */
export function readTrustFile(flag: string, file: string, windows: Map<string, KeyWindow> | null): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CliUsageError(`${flag}: cannot read ${file}`, { cause });
  }
  if (text.trimStart().startsWith('{')) {
    try {
      const keyring = parseKeyring(text);
      if (windows !== null) for (const [kid, w] of keyringWindows(keyring)) windows.set(kid, w);
      return keyring.keys.map((k) => k.public_key_pem);
    } catch (err) {
      throw new CliUsageError(
        `${flag}: ${file} is not a valid keyring (${err instanceof Error ? err.message : 'invalid'})`,
        { cause: err },
      );
    }
  }
  const pems = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g) ?? [];
  if (pems.length === 0) throw new CliUsageError(`${flag}: ${file} holds no PEM public key`);
  for (const pem of pems) {
    try {
      kidOf(pem);
    } catch (cause) {
      throw new CliUsageError(`${flag}: ${file} holds a key that is not an Ed25519 public key`, { cause });
    }
  }
  return pems;
}

const PACKET_OPTIONS = {
  trust: { type: 'string', multiple: true },
  'trust-exporter': { type: 'string', multiple: true },
  witness: { type: 'string', multiple: true },
  'witness-quorum': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export async function runPacketVerify(args: string[], io: PacketIo): Promise<number> {
  const trust: string[] = [];
  const exporters: string[] = [];
  const ledgerFingerprints: string[] = [];
  const exporterFingerprints: string[] = [];
  const windows = new Map<string, KeyWindow>();
  let packet: string | undefined;
  let json = false;
  const witness: { keys: string[]; quorum?: number } = { keys: [] }; // --witness: src/evidence/packet-witness.ts
  try {
    const { values, positionals } = parseCommandLine(args, PACKET_OPTIONS, true);
    for (const [name, value] of Object.entries(values)) {
      if ((Array.isArray(value) ? value : [value]).some((v) => v === ''))
        throw new CliUsageError(`--${name} needs a value`);
    }
    if (positionals.length > 1) throw new CliUsageError(`unknown argument ${positionals[1]}`);
    packet = positionals[0];
    json = values.json === true;
    for (const [flag, given] of [
      ['--trust', values.trust],
      ['--trust-exporter', values['trust-exporter']],
    ] as const) {
      for (const v of given ?? []) {
        if (v.startsWith('ed25519:')) {
          if (!FINGERPRINT.test(v))
            throw new CliUsageError(`${flag}: ${v} is not a key fingerprint (ed25519: and 64 lowercase hex digits)`);
          (flag === '--trust' ? ledgerFingerprints : exporterFingerprints).push(v);
        } else if (flag === '--trust') trust.push(...readTrustFile('--trust', v, windows));
        else exporters.push(...readTrustFile('--trust-exporter', v, null));
      }
    }
    const witnessFlags = [
      ...(values.witness ?? []).map((v) => ['--witness', v] as const),
      ...(values['witness-quorum'] === undefined ? [] : [['--witness-quorum', values['witness-quorum']] as const]),
    ];
    for (const [flag, v] of witnessFlags) {
      const problem = packetWitnessFlag(witness, flag, v);
      if (problem !== null) throw new CliUsageError(problem);
    }
    if (packet === undefined) throw new CliUsageError('the packet file is required');
    const witnessProblem = packetWitnessProblem(witness);
    if (witnessProblem !== null) throw new CliUsageError(witnessProblem);
  } catch (err) {
    if (!(err instanceof CliUsageError)) throw err;
    io.stderr(`proctor verify: ${err.message}\n\n${PACKET_USAGE}`);
    return 2;
  }
  let bytes: Buffer;
  try {
    if (statSync(packet).size > PACKET_LIMITS.maxArchiveBytes)
      throw Object.assign(new Error('too large'), { code: 'EFBIG' });
    bytes = readFileSync(packet);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why = typeof code === 'string' ? code : 'unreadable';
    io.stderr(
      `proctor verify: cannot read ${packet} (${why}; a packet is at most ${PACKET_LIMITS.maxArchiveBytes} bytes)\n`,
    );
    return 2;
  }
  const checked = verifyPacket(bytes, {
    ledgerKeys: trust,
    keyWindows: windows,
    exporterKeys: exporters,
    ledgerFingerprints,
    exporterFingerprints,
  });
  const report =
    witness.keys.length === 0
      ? checked
      : await withPacketWitnesses(checked, bytes, {
          keys: witness.keys,
          ...(witness.quorum === undefined ? {} : { quorum: witness.quorum }),
        });
  io.stdout(
    json
      ? `${JSON.stringify(report, null, 2)}\n`
      : summary(packet, report, [...trust.map(kidOf), ...ledgerFingerprints]),
  );
  return report.findings.some((f) => f.severity === 'error') ? 1 : report.inconclusive ? 3 : 0;
}

function summary(packet: string, report: PacketReport, trustedKids: string[]): string {
  const lines = [
    `source: packet ${packet}`,
    `trusted ledger keys: ${trustedKids.length === 0 ? 'none' : trustedKids.join(', ')}`,
  ];
  if (report.exporter) {
    lines.push(
      `exported by: ${report.exporter.exported_by} at ${report.exporter.exported_at}, key ${report.exporter.kid} ` +
        `(${report.exporter.trusted ? 'trusted' : 'NOT trusted'})`,
    );
    const how =
      report.exporter.selection === 'signed-content'
        ? 'the signed record content, every record read (manifest)'
        : 'not stated (an older exporter: its selection may have used unsigned columns)';
    lines.push(`selected by: ${how}`);
  }
  lines.push(
    'checked: manifest signature, file digests, canonical bytes (RFC 8785), schema, hashes, signatures, inclusion ' +
      'proofs (RFC 9162) against signed checkpoints, checkpoint consistency, bundle digests',
  );
  for (const c of report.chains) {
    lines.push(
      `chain ${c.chain}: ${c.records} records, ${c.first_ts ?? '?'} .. ${c.last_ts ?? '?'}, checkpoint tree size ` +
        `${c.checkpoint_size ?? 'none'}`,
    );
  }
  for (const f of report.findings) {
    const where = `${f.chain === '' ? '' : `chain ${f.chain}`}${f.seq === null ? '' : ` seq ${f.seq}`}`.trim();
    lines.push(`${f.severity.toUpperCase()} ${f.code}${where ? ` (${where})` : ''}: ${f.message}`);
  }
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const verdict =
    errors > 0
      ? 'FAILED: integrity errors found'
      : report.inconclusive
        ? 'INCONCLUSIVE: not everything could be proven'
        : 'OK: verified';
  lines.push(`verdict: ${verdict} (${errors} error(s), ${report.findings.length - errors} warning(s))`);
  return `${lines.join('\n')}\n`;
}
