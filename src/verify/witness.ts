// `verify --witness`: checkpoints cosigned by a quorum of pinned C2SP tlog-witness witnesses are anchors the auditor
// needs no state for. Before the records are read, every checkpoint note found (database, with its stored
// cosignatures, and the sink) is checked against the pinned witness keys: quorum-cosigned ones become trusted
// checkpoints the records MUST match and reach; each chain's newest checkpoint MUST carry the quorum; a cosignature of
// a pinned key that does not verify is tampering. Online (--witness-url), each witness is asked the size it cosigned
// for each chain (an add-checkpoint of the newest checkpoint with its own size: a 409 names the witness's size), so a
// rollback or deleted tail is caught even when the rows that would show it were deleted with it.
import { toSafeInteger } from '../db/index.ts';
import type { Sql } from '../db/index.ts';
import { FINDING_SEVERITY } from './findings.ts';
import type { FindingCode, VerifyFinding } from './findings.ts';
import type { VerifyReport } from './report.ts';
import type { ExternalCheckpoint } from './checkpoints.ts';
import {
  addCheckpoint,
  checkCosignature,
  logSignedOnly,
  MAX_NOTE_BYTES,
  parseWitnessKey,
  splitNote,
  withSignatures,
} from '../ledger/format.ts';
import type { FetchLike, WitnessKey } from '../ledger/format.ts';

export interface WitnessCheckOptions {
  /** Pinned witness verifier keys. */
  keys: readonly string[];
  /** Cosignatures required (default: every pinned witness). */
  quorum?: number;
  /** Per pinned key (same order), the witness URL to ask online; absent or null: not asked. */
  urls?: readonly (string | null)[];
  timeoutMs?: number;
  chains?: readonly string[];
  fetch?: FetchLike;
}

export interface CosignedNote {
  chain: string;
  note: string;
}

interface ChainView {
  /** Notes by tree size, one per distinct body (two bodies for one size: a fork, kept apart), each with every
   * signature line seen for it, from any source. */
  bySize: Map<number, string[]>;
}

export interface WitnessAnchors {
  /** Quorum-cosigned checkpoints, to be checked against the records like the sink's. */
  anchors: ExternalCheckpoint[];
  findings: VerifyFinding[];
  /** Per chain, the newest quorum-cosigned size, and its note. */
  cosigned: Map<string, number>;
  cosignedNotes: Map<string, string>;
  witnesses: WitnessKey[];
  quorum: number;
  views: Map<string, ChainView>;
}

/** Reads the database's checkpoints with their stored cosignatures (and the sink's notes) and checks the quorum. */
export async function witnessAnchors(
  sql: Sql | null,
  sink: readonly CosignedNote[],
  opts: WitnessCheckOptions,
): Promise<WitnessAnchors> {
  const witnesses = opts.keys.map(parseWitnessKey);
  const quorum = opts.quorum ?? witnesses.length;
  const notes: CosignedNote[] = [...sink];
  if (sql !== null) notes.push(...(await storedCosigned(sql, witnesses)));
  const only = opts.chains === undefined ? null : new Set(opts.chains);
  const views = new Map<string, ChainView>();
  for (const { chain, note } of notes) {
    if (only !== null && !only.has(chain)) continue;
    const size = sizeOf(note);
    if (size === null) continue; // not a checkpoint note: verify reports it where the chain is checked
    const view = views.get(chain) ?? { bySize: new Map<number, string[]>() };
    views.set(chain, view);
    const list = view.bySize.get(size) ?? [];
    view.bySize.set(size, list);
    const { body, lines } = splitNote(note);
    const same = list.findIndex((n) => splitNote(n).body === body);
    if (same < 0) list.push(note);
    else list[same] = withSignatures(list[same] as string, lines);
  }
  const findings: VerifyFinding[] = [];
  const anchors: ExternalCheckpoint[] = [];
  const cosigned = new Map<string, number>();
  const cosignedNotes = new Map<string, string>();
  for (const [chain, view] of [...views].sort(([a], [b]) => a.localeCompare(b))) {
    const sizes = [...view.bySize.keys()].sort((a, b) => a - b);
    for (const [size, note] of sizes.flatMap((n) => (view.bySize.get(n) ?? []).map((t) => [n, t] as const))) {
      let valid = 0;
      for (const w of witnesses) {
        const check = checkCosignature(note, w);
        if (check.status === 'valid') valid++;
        if (check.status === 'invalid') {
          findings.push(
            finding(
              'WITNESS_COSIGNATURE_INVALID',
              chain,
              size - 1,
              `the cosignature of witness ${w.name} on the checkpoint of ${size} records does not verify under its ` +
                'pinned key: it was altered',
            ),
          );
        }
      }
      if (valid >= quorum && quorum > 0) {
        anchors.push({ chain, note });
        cosigned.set(chain, size);
        cosignedNotes.set(chain, note);
      }
    }
    const newest = sizes.at(-1) ?? 0;
    const at = cosigned.get(chain);
    if (at !== newest) {
      const why =
        at === undefined
          ? 'no checkpoint of this chain carries'
          : `the newest cosigned by a quorum covers ${at} records; the newest checkpoint (${newest} records) lacks`;
      findings.push(
        finding(
          'WITNESS_QUORUM_MISSING',
          chain,
          newest - 1,
          `${why} cosignatures from ${quorum} of the ${witnesses.length} pinned witness(es)`,
        ),
      );
    }
  }
  return { anchors, findings, cosigned, cosignedNotes, witnesses, quorum, views };
}

/** Adds the witness findings to a report, checks the chains against the cosigned sizes and, with URLs, asks the
 * witnesses. */
export async function finishWitnessCheck(
  report: VerifyReport,
  anchors: WitnessAnchors,
  sql: Sql | null,
  opts: WitnessCheckOptions,
): Promise<VerifyReport> {
  const findings = [...anchors.findings];
  let inconclusive = report.inconclusive;
  const only = opts.chains === undefined ? null : new Set(opts.chains);
  for (const c of report.chains) {
    if (only !== null && !only.has(c.chain)) continue;
    const at = anchors.cosigned.get(c.chain);
    if (c.records > 0 && !anchors.views.has(c.chain)) {
      findings.push(
        finding(
          'WITNESS_QUORUM_MISSING',
          c.chain,
          null,
          `the chain holds ${c.records} records but no checkpoint of it: nothing of it was witnessed`,
        ),
      );
    }
    if (at !== undefined && c.records < at && report.kind === 'ledger') {
      findings.push(
        finding(
          'CHAIN_ROLLED_BACK',
          c.chain,
          c.records,
          `witnesses cosigned a checkpoint of ${at} records but the chain holds ${c.records}: it was rolled back or ` +
            'its tail deleted',
        ),
      );
    }
  }
  const urls = opts.urls ?? [];
  for (const [i, w] of anchors.witnesses.entries()) {
    const url = urls[i];
    if (url === undefined || url === null) continue;
    for (const [chain, view] of anchors.views) {
      const { size, note } = probeNote(chain, view, anchors, report);
      const origin = note.slice(0, note.indexOf('\n'));
      const records = report.chains.find((c) => c.chain === chain)?.records ?? 0;
      let answer: Awaited<ReturnType<typeof addCheckpoint>>;
      try {
        answer = await addCheckpoint(url, size, [], logSignedOnly(note, origin), opts.timeoutMs ?? 5000, opts.fetch);
      } catch (err) {
        inconclusive = true;
        findings.push(
          finding(
            'WITNESS_UNREACHABLE',
            chain,
            null,
            `witness ${w.name} (${url}) could not be asked: ${err instanceof Error ? err.message : 'no answer'}`,
          ),
        );
        continue;
      }
      if (answer.kind === 'cosigned') {
        if (checkCosignature(withSignatures(note, answer.lines), w).status !== 'valid') {
          findings.push(
            finding(
              'WITNESS_COSIGNATURE_INVALID',
              chain,
              size - 1,
              `witness ${w.name} (${url}) answered without a valid cosignature under its pinned key`,
            ),
          );
        }
        continue; // it knows this very checkpoint as its newest
      }
      if (answer.kind === 'refused') {
        if (answer.status === 422) {
          findings.push(
            finding(
              'WITNESS_FORK',
              chain,
              size - 1,
              `witness ${w.name} has cosigned another root for ${size} records of ${origin}: the log was forked ` +
                '(split view)',
            ),
          );
        } else {
          inconclusive = true;
          findings.push(
            finding(
              'WITNESS_UNREACHABLE',
              chain,
              null,
              `witness ${w.name} (${url}) refused the question (HTTP ${answer.status}: ${answer.reason})`,
            ),
          );
        }
        continue;
      }
      const known = answer.knownSize;
      if (known < size) {
        findings.push(
          finding(
            'WITNESS_BEHIND',
            chain,
            null,
            `witness ${w.name} has cosigned ${known} records of this chain; the newest checkpoint covers ${size}`,
          ),
        );
        continue;
      }
      // The chain may have grown while this run read it: count again before calling it a rollback.
      const now = sql === null ? records : Math.max(records, await chainLength(sql, chain));
      if (known > now && report.kind === 'ledger') {
        findings.push(
          finding(
            'CHAIN_ROLLED_BACK',
            chain,
            now,
            `witness ${w.name} has cosigned ${known} records of this chain but it holds ${now}: it was rolled back ` +
              'or its tail deleted (with its checkpoints)',
          ),
        );
      } else {
        findings.push(
          finding(
            'WITNESS_AHEAD',
            chain,
            known - 1,
            `witness ${w.name} has cosigned ${known} records but the newest checkpoint here covers ${size}: written ` +
              'after this run read them, or deleted',
          ),
        );
      }
    }
  }
  const all = [...report.findings, ...findings];
  return { ...report, findings: all, inconclusive, ok: !inconclusive && !all.some((f) => f.severity === 'error') };
}

/**
 * The checkpoint to ask a witness about: the newest one this run trusts (the record check accepted it, or a quorum
 * cosigned it), so a forged checkpoint row cannot turn the question into a refusal; else the newest found.
 */
function probeNote(
  chain: string,
  view: ChainView,
  anchors: WitnessAnchors,
  report: VerifyReport,
): { size: number; note: string } {
  const trusted: { size: number; note: string }[] = [];
  const accepted = report.chains.find((c) => c.chain === chain)?.checkpoint;
  if (accepted && accepted.note !== '') {
    const root = Buffer.from(accepted.root, 'hex').toString('base64');
    const same = (view.bySize.get(accepted.size) ?? []).find((n) => splitNote(n).body.split('\n')[2] === root);
    trusted.push({ size: accepted.size, note: same ?? accepted.note });
  }
  const cosigned = anchors.cosigned.get(chain);
  const cosignedNote = anchors.cosignedNotes.get(chain);
  if (cosigned !== undefined && cosignedNote !== undefined) trusted.push({ size: cosigned, note: cosignedNote });
  const best = trusted.sort((a, b) => b.size - a.size)[0];
  if (best) return best;
  const size = Math.max(...view.bySize.keys());
  return { size, note: (view.bySize.get(size) ?? [])[0] as string };
}

async function storedCosigned(sql: Sql, pinned: readonly WitnessKey[]): Promise<CosignedNote[]> {
  // Nothing over MAX_NOTE_BYTES is fetched: a note over it is left out (the record check reports it), and so are
  // cosignatures that would take a note past it (the note is checked without them: it then lacks their quorum). Only
  // rows stored under a pinned witness's verifier key count toward that bound (the table takes an INSERT from anyone
  // with the role; one (chain, witness, size) a row): lines no pinned key signed never displace one it did.
  const { rows } = await sql.query<{ chain: string; note: string | null; lines: string[] | null }>(
    `SELECT c.chain, CASE WHEN octet_length(c.note) <= $1::int THEN c.note END AS note,
            CASE WHEN octet_length(c.note) + coalesce(sum(octet_length(w.line) + 1), 0) <= $1::int
                 THEN array_remove(array_agg(w.line ORDER BY w.witness), NULL) END AS lines
       FROM audit_checkpoints c
       LEFT JOIN audit_witness_cosignatures w
         ON w.chain = c.chain AND w.tree_size = c.tree_size AND w.witness = ANY($2::text[])
      GROUP BY c.chain, c.tree_size, c.note`,
    [MAX_NOTE_BYTES, `{${pinned.map((w) => `"${w.vkey.replace(/["\\]/g, '\\$&')}"`).join(',')}}`],
  );
  const out: CosignedNote[] = [];
  for (const r of rows) {
    if (r.note === null) continue;
    // A stored note that is not a signed note stays as it is: the record check reports it.
    const signedNote = r.note.includes('\n\n') && r.note.endsWith('\n');
    out.push({
      chain: r.chain,
      note: signedNote && r.lines && r.lines.length > 0 ? withSignatures(r.note, r.lines) : r.note,
    });
  }
  return out;
}

async function chainLength(sql: Sql, chain: string): Promise<number> {
  const { rows } = await sql.query<{ n: unknown }>('SELECT max(seq) AS n FROM audit_records WHERE chain = $1', [chain]);
  const n = rows[0]?.n;
  return n === null || n === undefined ? 0 : toSafeInteger(n) + 1;
}

function sizeOf(note: string): number | null {
  if (!note.endsWith('\n')) return null;
  const m = /^[!-~]+\n(0|[1-9][0-9]{0,15})\n[A-Za-z0-9+/]{43}=\n\n/.exec(note);
  const size = m ? Number(m[1]) : Number.NaN;
  return Number.isSafeInteger(size) && size > 0 ? size : null;
}

function finding(code: FindingCode, chain: string, seq: number | null, message: string): VerifyFinding {
  return { code, severity: FINDING_SEVERITY[code], chain, seq, message };
}
