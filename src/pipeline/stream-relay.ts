// Relays one streamed answer to the client as it arrives: upstream bytes → SSE events → the adapter's session reads
// each event's answer text → ONE hold-back scanner for every text channel of the answer (classification/
// stream-scanner.ts: the text, then a tool call's arguments, read in order as the consumer reads them, so a value split
// between fields is found) releases what is safe to judge → the response obligations apply (stream-obligations.ts:
// block ends the stream; redact writes placeholders) → events wait in order for their held text (stream-queue.ts) and
// are written, waiting for the client to drain (back-pressure: nothing more is read from the upstream meanwhile). Every
// other string and key list of an event is classified whole before the event is written (stream-fields.ts), and a
// value the first time it comes (a name every time) is also read by the scanner between the text before and after it
// (in slices, the event loop's turn between them), so a value split between text and a field is found. The events of
// one upstream read (several arrive together when the relay is busy) go to the scanner as one push and to the client
// as one write: one release and one write per read, not per event, so a loaded relay spends less per event. Invariants:
// no answer text reaches the client before the scanner released it, and no field before it was screened (a blocked
// finding, or a redacted type in a key list, ends the stream as ERR_RESPONSE_BLOCKED, and nothing of the read it came
// in is written); events keep their order; the final event is NOT written here but handed back, so the caller writes
// it only after the outcome is recorded; every way a stream can end maps to one outcome code; usage is always returned
// (estimated when the upstream's report is missing).
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  ClassificationError,
  createStreamScanner,
  type Classifier,
  type StreamScanner,
} from '../classification/index.ts';
import { isTimeout } from '../forwarding/index.ts';
import { countAnswerTokens } from '../limits/index.ts';
import {
  AnswerShapeError,
  cacheCounts,
  StreamProtocolError,
  type SseEvent,
  type StreamSession,
  type Usage,
} from '../providers/index.ts';
import { createFieldScreen, fieldKey, isName, type FieldClassifier } from './stream-fields.ts';
import { StreamObligations } from './stream-obligations.ts';
import { EventQueue } from './stream-queue.ts';
import { checkEventStrings, createSseDecoder, encodeSse, SseDecodeError } from './stream-sse.ts';

export { MAX_WAITING_EVENTS } from './stream-queue.ts';

/**
 * Runs read in order (an event's names and first-seen fields, and texts) go to the scanner in slices of at most this
 * many (one release each), and the event loop gets a turn between two slices: a hostile event of 99k distinct short
 * strings is read in ~800 slices of a few milliseconds each, never in one block of seconds (the scanner classifies
 * every held run on each release).
 */
export const READ_SLICE_RUNS = 128;

/** An answer's text kept for settling a stream that ends without its usage; past it each further byte is a token. */
export const CUT_COUNT_BYTES = 64 * 1024;

/**
 * Output tokens of a stream that ended without its usage (cut, blocked, the client gone): the kept texts counted with
 * the model family's BPE (limits/prompt-tokens.ts countAnswerTokens), and a token a byte past CUT_COUNT_BYTES (no
 * byte-level BPE token is shorter than a byte). Never below what the upstream generated and bills, where bytes / 3
 * took a third of it for dense text, so a caller dropping each stream spent up to 3x its limit (round13-ops-cut-usage).
 * Memory: at most CUT_COUNT_BYTES of references a stream; CPU: only for a stream with no usage.
 */
function cutStreamTokens(model: string, kept: readonly string[], receivedBytes: number): number {
  if (receivedBytes === 0) return 0;
  let keptBytes = 0;
  for (const text of kept) keptBytes += Buffer.byteLength(text, 'utf8');
  return Math.max(1, countAnswerTokens(model, kept) + (receivedBytes - keptBytes));
}

/** Where a streamed answer goes: the HTTP layer's response, or a test's buffer. */
export interface StreamSink {
  /** Sends the status and headers (no body yet). */
  open(status: number, headers: Record<string, string>): void;
  /** Writes; resolves once the client has taken it (or has gone away). */
  write(text: string): Promise<void>;
  end(): void;
  /** Aborted when the client disconnects. */
  readonly signal: AbortSignal;
  /** Aborted when the server's drain deadline passes (shutdown): the stream ends with ERR_SHUTTING_DOWN, an error
   * event and its outcome record. */
  readonly shutdown?: AbortSignal;
}

export type StreamEndCode =
  | 'ERR_UPSTREAM_STREAM_TRUNCATED'
  | 'ERR_UPSTREAM_TIMEOUT'
  | 'ERR_UPSTREAM_BAD_RESPONSE'
  | 'ERR_UPSTREAM_ERROR'
  | 'ERR_CLIENT_DISCONNECTED'
  | 'ERR_SHUTTING_DOWN'
  | 'ERR_RESPONSE_BLOCKED'
  | 'ERR_CLASSIFICATION_FAILED';

export interface RelayResult {
  /** null when the upstream's final event arrived and everything before it was relayed. */
  error: StreamEndCode | null;
  /** The final event, rendered, held back for the caller to write after the outcome is recorded. */
  finalEvent: SseEvent | null;
  usage: Usage;
  classification: { finding_count: number; types: Record<string, number> };
  action: 'none' | 'redacted' | 'blocked';
  blockedTypes: string[];
  /** Events written to the client (0: the client has seen headers only). */
  eventsWritten: number;
}

export interface RelayOptions {
  events: AsyncIterable<Uint8Array>;
  session: StreamSession;
  sink: StreamSink;
  classifier: Classifier;
  /**
   * Classifies an event's fields (default `classifier`): the pipeline's pool, so a large batch (many or long strings)
   * is classified on a thread, not on the event loop (classification/worker-pool.ts). It MAY reject (a full queue):
   * the stream then ends as ERR_CLASSIFICATION_FAILED.
   */
  fieldClassifier?: FieldClassifier;
  rules: { redact: readonly string[]; block: readonly string[] };
  /** Used when the upstream never reported prompt tokens. */
  estimatedPromptTokens: number;
  /** The model asked for: a stream cut before its usage is settled by counting its text with this family's BPE. */
  model?: string;
  /** Fixed hold-back window per channel, in characters, for recognizers that declare no partial
   * (docs/classification.md). */
  window?: number;
}

export async function relayStream(options: RelayOptions): Promise<RelayResult> {
  const { session, sink, classifier } = options;
  const verdict = new StreamObligations(options.rules);
  const enforce = verdict.enforce;
  const decoder = createSseDecoder();
  const scanner: StreamScanner = createStreamScanner({
    classifier,
    path: 'answer',
    ...(options.window ? { window: options.window } : {}),
  });
  const fields = createFieldScreen(options.fieldClassifier ?? classifier, verdict);
  /** Encoded events not yet written: a read's events go to the client as one write. */
  let out = '';
  let eventsWritten = 0;
  const queue = new EventQueue(session, verdict, (event) => {
    out += encodeSse(event);
    eventsWritten += 1;
  });
  const writeOut = async () => {
    if (out === '') return;
    const text = out;
    out = '';
    await sink.write(text);
  };
  let receivedBytes = 0;
  /** The answer's texts while they total at most CUT_COUNT_BYTES: counted only when no usage comes (settle below). */
  const received: string[] = [];
  let error: StreamEndCode | null = null;
  /** Runs read since the last release (names, first-seen fields and texts, in order). */
  let runs: { text: string; run: string }[] = [];
  const release = () => {
    if (runs.length === 0) return;
    const chunk = scanner.pushRuns(runs);
    runs = [];
    if (enforce) queue.distribute(chunk);
    else verdict.count(chunk.findings);
  };
  const releaseSlice = async () => {
    release();
    await nextTurn(); // the event loop's turn between two slices of a large read
  };

  try {
    for await (const bytes of options.events) {
      let final = false;
      for (const event of decoder.push(bytes)) {
        checkEventStrings(event); // before the parse: bounds what one event costs the event loop
        const step = session.read(event);
        if (step.upstreamError) {
          error = 'ERR_UPSTREAM_ERROR';
          break;
        }
        const keys = step.fields.map(fieldKey);
        const fieldTexts = await fields.screen(step.fields, keys);
        if (verdict.blocked) break;
        // With no response obligation there is nothing to hold text back for: it goes out as it came, and the
        // scanner still counts what the answer contained (response_classification).
        const entry = queue.add(step, fieldTexts);
        // Names and first-seen fields first (they come before the text of their event), as runs of their own: a value
        // split between the text before and a tool's name, a call's id or a stop sequence is read whole, and the event
        // waits until they are released.
        for (const [i, field] of step.fields.entries()) {
          if (!fields.readInOrder(field, keys[i] as string)) continue;
          // `field:` runs are read both with their neighbours and skipped over (stream-scanner.ts FIELD_RUN).
          const channel = isName(field) ? `name:${field.path}` : `field:${field.path}`;
          queue.hold(entry, -1, channel, field.text.length);
          runs.push({ text: field.text, run: channel });
          if (runs.length >= READ_SLICE_RUNS) await releaseSlice();
        }
        for (const [index, t] of step.texts.entries()) {
          if (t.text.length === 0) continue;
          const bytes = Buffer.byteLength(t.text, 'utf8');
          if (receivedBytes + bytes <= CUT_COUNT_BYTES) received.push(t.text);
          receivedBytes += bytes;
          if (enforce) queue.hold(entry, index, t.channel, t.text.length);
          runs.push({ text: t.text, run: t.channel });
          if (runs.length >= READ_SLICE_RUNS) await releaseSlice();
        }
        if (step.final) {
          final = true;
          break;
        }
      }
      if (!verdict.blocked) {
        release();
        if (final) {
          const rest = scanner.end();
          if (enforce) queue.distribute(rest);
          else verdict.count(rest.findings);
        }
        queue.flush();
      }
      if (verdict.blocked) {
        error = 'ERR_RESPONSE_BLOCKED';
        break;
      }
      await writeOut();
      if (queue.finalSeen || error !== null) break;
      if (sink.signal.aborted) throw new Error('client disconnected');
    }
    if (!queue.finalSeen && error === null) {
      error = sink.signal.aborted
        ? 'ERR_CLIENT_DISCONNECTED'
        : sink.shutdown?.aborted
          ? 'ERR_SHUTTING_DOWN'
          : 'ERR_UPSTREAM_STREAM_TRUNCATED';
    }
  } catch (caught) {
    error = endCode(caught, sink.signal, sink.shutdown);
  }
  // Events released and rendered before a failure later in the same read were screened: they go out as they would have.
  if (!verdict.blocked) await writeOut();
  const reported = session.usage();
  const exact = error === null && reported.prompt_tokens !== null && reported.completion_tokens !== null;
  const prompt = reported.prompt_tokens ?? options.estimatedPromptTokens;
  const completion = exact
    ? (reported.completion_tokens as number)
    : Math.max(reported.completion_tokens ?? 0, cutStreamTokens(options.model ?? '', received, receivedBytes));
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    ...cacheCounts(reported, prompt),
    ...(exact ? {} : { estimated: true as const }),
  };
  return {
    error,
    finalEvent: error === null ? queue.finalEvent : null,
    usage,
    classification: { finding_count: verdict.findingCount, types: verdict.types },
    action:
      verdict.blocked || error === 'ERR_CLASSIFICATION_FAILED' ? 'blocked' : verdict.redacted ? 'redacted' : 'none',
    blockedTypes: verdict.blockedTypes,
    eventsWritten,
  };
}

function endCode(error: unknown, clientSignal: AbortSignal, shutdown: AbortSignal | undefined): StreamEndCode {
  if (clientSignal.aborted) return 'ERR_CLIENT_DISCONNECTED';
  if (shutdown?.aborted) return 'ERR_SHUTTING_DOWN';
  if (error instanceof StreamProtocolError || error instanceof SseDecodeError || error instanceof AnswerShapeError)
    return 'ERR_UPSTREAM_BAD_RESPONSE';
  if (error instanceof ClassificationError) return 'ERR_CLASSIFICATION_FAILED';
  if (isTimeout(error) || (error as { name?: unknown } | null)?.name === 'TimeoutError') return 'ERR_UPSTREAM_TIMEOUT';
  return 'ERR_UPSTREAM_STREAM_TRUNCATED';
}
