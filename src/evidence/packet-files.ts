// Reading the parts of an evidence packet: the findings log, records.jsonl (exact canonical bytes per line) and
// the JSON Lines files of proofs, checkpoints and consistency proofs, each entry shape-checked strictly. A line that
// does not parse or has the wrong shape is a finding (PACKET_MALFORMED, RECORD_NOT_CANONICAL), never skipped silently.
import { parseCanonical } from '../ledger/index.ts';
import { FINDING_SEVERITY } from '../verify/index.ts';
import type { JsonValue } from '../ledger/index.ts';
import type { FindingCode, VerifyFinding } from '../verify/index.ts';
import { PACKET_FILES } from './packet.ts';

/** The records a packet holds, parsed; what the report and replay read. Only meaningful after verification. */
export interface PacketRecord {
  line: number;
  bytes: Uint8Array;
  record: Record<string, JsonValue>;
}

/** Findings, at most 100 listed per code (a packet with every record altered stays readable); `counts` has all. */
export class Findings {
  readonly list: VerifyFinding[] = [];
  readonly counts = new Map<FindingCode, number>();
  add(code: FindingCode, chain: string, seq: number | null, message: string): void {
    const n = (this.counts.get(code) ?? 0) + 1;
    this.counts.set(code, n);
    if (n <= 100) this.list.push({ code, severity: FINDING_SEVERITY[code], chain, seq, message });
  }

  /** One closing finding per code whose findings were not all listed. */
  close(): VerifyFinding[] {
    for (const [code, n] of this.counts) {
      if (n > 100)
        this.list.push({
          code,
          severity: FINDING_SEVERITY[code],
          chain: '',
          seq: null,
          message: `${n - 100} more ${code} findings are not listed (${n} in all)`,
        });
    }
    this.counts.clear();
    return this.list;
  }
}

export function newFindings(): Findings {
  return new Findings();
}

export function parseRecords(files: Map<string, Buffer>, log: Findings): PacketRecord[] {
  const raw = files.get(PACKET_FILES.records);
  if (raw === undefined) {
    log.add('PACKET_MALFORMED', '', null, 'the packet has no records.jsonl');
    return [];
  }
  const out: PacketRecord[] = [];
  for (const [i, bytes] of splitLines(raw, PACKET_FILES.records, log).entries()) {
    try {
      const value = parseCanonical(bytes);
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        log.add('RECORD_SCHEMA_INVALID', '', null, `records.jsonl line ${i + 1} is not a JSON object`);
      else out.push({ line: i + 1, bytes, record: value });
    } catch {
      // Not canonical JSON is the finding itself.
      log.add('RECORD_NOT_CANONICAL', '', null, `records.jsonl line ${i + 1} is not canonical JSON (RFC 8785)`);
    }
  }
  return out;
}

function splitLines(raw: Buffer, name: string, log: Findings): Buffer[] {
  if (raw.length === 0) return [];
  if (raw[raw.length - 1] !== 0x0a) log.add('PACKET_MALFORMED', '', null, `${name} does not end in a newline`);
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = raw.indexOf(0x0a); i !== -1; i = raw.indexOf(0x0a, start)) {
    lines.push(raw.subarray(start, i));
    start = i + 1;
  }
  if (start < raw.length) lines.push(raw.subarray(start));
  return lines;
}

export function jsonLines<T>(
  files: Map<string, Buffer>,
  name: string,
  valid: (v: unknown) => boolean,
  log: Findings,
): T[] {
  const raw = files.get(name);
  if (raw === undefined) {
    log.add('PACKET_MALFORMED', '', null, `the packet has no ${name}`);
    return [];
  }
  const out: T[] = [];
  for (const [i, line] of splitLines(raw, name, log).entries()) {
    let value: unknown;
    try {
      value = JSON.parse(line.toString('utf8'));
    } catch {
      value = undefined; // reported below as PACKET_MALFORMED, like any line that is not a valid entry
    }
    if (valid(value)) out.push(value as T);
    else log.add('PACKET_MALFORMED', '', null, `${name} line ${i + 1} is not a valid entry`);
  }
  return out;
}

const HEX64 = /^[0-9a-f]{64}$/;
const isSize = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isHexList = (v: unknown): boolean =>
  Array.isArray(v) && v.length <= 64 && v.every((h) => typeof h === 'string' && HEX64.test(h));
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

export function isInclusion(v: unknown): boolean {
  const e = obj(v);
  return (
    typeof e.chain === 'string' &&
    isSize(e.seq) &&
    typeof e.hash === 'string' &&
    HEX64.test(e.hash) &&
    isSize(e.tree_size) &&
    isHexList(e.proof)
  );
}
export function isCheckpoint(v: unknown): boolean {
  const e = obj(v);
  return (
    typeof e.chain === 'string' &&
    isSize(e.tree_size) &&
    e.tree_size > 0 &&
    typeof e.root === 'string' &&
    HEX64.test(e.root) &&
    typeof e.note === 'string'
  );
}
export function isConsistency(v: unknown): boolean {
  const e = obj(v);
  return typeof e.chain === 'string' && isSize(e.from_size) && isSize(e.to_size) && isHexList(e.proof);
}

export function fromHex(h: string): Uint8Array {
  return new Uint8Array(Buffer.from(h, 'hex'));
}
