// `proctor verify` witness flags: --witness <verifier key> (repeatable, pinned), --witness-url <url> (the n-th URL is
// the n-th witness's, to ask it online) and --witness-quorum <n> (default: every --witness). Bad input is a
// CliUsageError naming the flag (exit 2); a key is parsed here, so a typo never silently weakens the quorum.
import { LedgerError, parseWitnessKey } from '../ledger/index.ts';
import { CliUsageError } from './usage-error.ts';

/** The witness part of `proctor verify`'s arguments (VerifyArgs extends it). */
export interface WitnessArgs {
  /** Pinned witness verifier keys (--witness), the URLs to ask them at (--witness-url, in the same order), the
   * quorum. */
  witnesses: string[];
  witnessUrls: string[];
  witnessQuorum: number | undefined;
}

export function witnessArg(out: WitnessArgs, flag: string, value: string): void {
  if (flag === '--witness') {
    try {
      parseWitnessKey(value);
    } catch (err) {
      if (!(err instanceof LedgerError)) throw err;
      throw new CliUsageError(`--witness: ${err.message} (give the witness's name+hash+key verifier key)`, {
        cause: err,
      });
    }
    if (out.witnesses.includes(value)) throw new CliUsageError('--witness: the same witness is given twice');
    out.witnesses.push(value);
  } else if (flag === '--witness-url') {
    if (!/^https?:\/\/\S{1,2000}$/.test(value)) throw new CliUsageError('--witness-url must be an http(s) URL');
    out.witnessUrls.push(value);
  } else {
    if (!/^[1-9][0-9]?$/.test(value)) throw new CliUsageError('--witness-quorum must be a whole number from 1 to 99');
    out.witnessQuorum = Number(value);
  }
}

export function checkWitnessArgs(out: WitnessArgs): void {
  if (out.witnesses.length === 0 && (out.witnessUrls.length > 0 || out.witnessQuorum !== undefined)) {
    throw new CliUsageError('--witness-url and --witness-quorum need --witness');
  }
  if (out.witnessUrls.length > out.witnesses.length)
    throw new CliUsageError("--witness-url: more URLs than --witness keys (the n-th URL is the n-th witness's)");
  if (out.witnessQuorum !== undefined && out.witnessQuorum > out.witnesses.length) {
    throw new CliUsageError(
      `--witness-quorum ${out.witnessQuorum} is more than the ${out.witnesses.length} --witness key(s) given`,
    );
  }
}

/** Packets (src/cli/verify-packet.ts): --witness and --witness-quorum; the problem with a value, or null. */
export function packetWitnessFlag(w: { keys: string[]; quorum?: number }, flag: string, value: string): string | null {
  if (flag === '--witness-quorum') {
    if (!/^[1-9][0-9]?$/.test(value)) return '--witness-quorum must be a whole number from 1 to 99';
    w.quorum = Number(value);
    return null;
  }
  try {
    parseWitnessKey(value);
  } catch (err) {
    if (!(err instanceof LedgerError)) throw err;
    return `--witness: ${err.message} (give the witness's name+hash+key verifier key)`;
  }
  if (w.keys.includes(value)) return '--witness: the same witness is given twice';
  w.keys.push(value);
  return null;
}

export function packetWitnessProblem(w: { keys: string[]; quorum?: number }): string | null {
  if (w.quorum === undefined) return null;
  if (w.keys.length === 0) return '--witness-quorum needs --witness';
  return w.quorum > w.keys.length
    ? `--witness-quorum ${w.quorum} is more than the ${w.keys.length} --witness key(s) given`
    : null;
}
