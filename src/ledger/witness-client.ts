// One C2SP tlog-witness add-checkpoint call: POST <url>/add-checkpoint with `old <size>`, the consistency proof (one
// base64 hash a line), a blank line and the log-signed checkpoint note. The answer is classified, never trusted:
// 200 gives signature lines (the caller verifies them against the pinned key), 409 text/x.tlog.size the witness's
// known size, anything else a refusal with its status. The call is bounded by a timeout and a response size cap.
import type { Hash } from './merkle.ts';

export type WitnessAnswer =
  | { kind: 'cosigned'; lines: string[] }
  | { kind: 'conflict'; knownSize: number }
  | { kind: 'refused'; status: number; reason: string };

export type WitnessErrorCode =
  | 'ERR_WITNESS_UNREACHABLE'
  | 'ERR_WITNESS_BAD_ANSWER'
  | 'ERR_WITNESS_REFUSED'
  | 'ERR_WITNESS_ROLLBACK'
  | 'ERR_WITNESS_COSIGNATURE_INVALID'
  | 'ERR_WITNESS_QUORUM_MISSING';

export class WitnessError extends Error {
  readonly code: WitnessErrorCode;
  constructor(code: WitnessErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WitnessError';
    this.code = code;
  }
}

export type FetchLike = (
  url: string,
  init: { method: string; body: string; headers: Record<string, string>; signal: AbortSignal },
) => Promise<Response>;

const MAX_ANSWER_BYTES = 64 * 1024;

export function addCheckpointBody(oldSize: number, proof: readonly Hash[], note: string): string {
  const lines = [`old ${oldSize}`, ...proof.map((h) => Buffer.from(h).toString('base64'))];
  return `${lines.join('\n')}\n\n${note}`;
}

/** Sends one add-checkpoint request; throws WitnessError ERR_WITNESS_UNREACHABLE or ERR_WITNESS_BAD_ANSWER. */
export async function addCheckpoint(
  url: string,
  oldSize: number,
  proof: readonly Hash[],
  note: string,
  timeoutMs: number,
  fetcher: FetchLike = fetch,
): Promise<WitnessAnswer> {
  const target = `${url.replace(/\/+$/, '')}/add-checkpoint`;
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetcher(target, {
      method: 'POST',
      body: addCheckpointBody(oldSize, proof, note),
      headers: { 'content-type': 'text/plain' },
      signal,
    });
    text = await readCapped(response);
  } catch (err) {
    throw new WitnessError('ERR_WITNESS_UNREACHABLE', `witness ${url} did not answer within ${timeoutMs} ms`, {
      cause: err,
    });
  }
  if (response.status === 200) {
    if (!text.endsWith('\n'))
      throw new WitnessError(
        'ERR_WITNESS_BAD_ANSWER',
        `witness ${url}: a cosignature answer does not end in a newline`,
      );
    return { kind: 'cosigned', lines: text.slice(0, -1).split('\n') };
  }
  if (response.status === 409) {
    const type = response.headers.get('content-type') ?? '';
    const m = /^(0|[1-9][0-9]{0,15})\n$/.exec(text);
    const size = m ? Number(m[1]) : Number.NaN;
    if (!type.startsWith('text/x.tlog.size') || !Number.isSafeInteger(size)) {
      throw new WitnessError(
        'ERR_WITNESS_BAD_ANSWER',
        `witness ${url}: a 409 answer is not a text/x.tlog.size tree size`,
      );
    }
    return { kind: 'conflict', knownSize: size };
  }
  // The reason is the witness's text, cut short and reduced to printable ASCII: it is shown, never interpreted.
  return {
    kind: 'refused',
    status: response.status,
    reason: text
      .slice(0, 200)
      .trim()
      .replace(/[^\x20-\x7e]/g, '?'),
  };
}

async function readCapped(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > MAX_ANSWER_BYTES) {
      await reader.cancel();
      throw new Error(`answer over ${MAX_ANSWER_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
