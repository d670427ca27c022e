// `proctor verify --witness`: the CLI side of src/verify/witness.ts. Before the records are read, the
// quorum-cosigned checkpoints (database and sink) are added to the trusted checkpoints; afterwards the witness
// findings, the cosigned sizes and (with --witness-url) the witnesses' own answers are folded into the report.
import type { Sql } from '../db/index.ts';
import { finishWitnessCheck, witnessAnchors } from '../verify/index.ts';
import type {
  ExternalCheckpoint,
  StreamEntry,
  VerifyReport,
  WitnessAnchors,
  WitnessCheckOptions,
} from '../verify/index.ts';
import type { VerifyArgs } from './verify-args.ts';

export interface WitnessRun {
  anchors: ExternalCheckpoint[];
  finish(report: VerifyReport): Promise<VerifyReport>;
}

/** Null without --witness. */
export async function startWitnessCheck(
  sql: Sql | null,
  sink: readonly StreamEntry[],
  parsed: VerifyArgs,
): Promise<WitnessRun | null> {
  if (parsed.witnesses.length === 0) return null;
  const opts: WitnessCheckOptions = {
    keys: parsed.witnesses,
    urls: parsed.witnessUrls,
    ...(parsed.witnessQuorum === undefined ? {} : { quorum: parsed.witnessQuorum }),
    ...(parsed.chains.length > 0 ? { chains: parsed.chains } : {}),
  };
  const found: WitnessAnchors = await witnessAnchors(
    sql,
    sink.map(({ chain, note }) => ({ chain, note })),
    opts,
  );
  return { anchors: found.anchors, finish: (report) => finishWitnessCheck(report, found, sql, opts) };
}
