// Relays one streamed answer to the client as it arrives: upstream bytes → SSE events → the adapter's session reads
// each event's answer text → ONE hold-back scanner for every text channel of the answer (classification/
// stream-scanner.ts: the text, then a tool call's arguments, read in order as the consumer reads them, so a value split
// between fields is found) releases what is safe to judge → the response obligations apply (block ends the stream;
// redact writes placeholders) → events are rendered with their released text and written in order, waiting for the
// client to drain (back-pressure: nothing more is read from the upstream meanwhile). An event that closes a channel
// whose text is still held waits, with every event after it, until that text is released (so a text block's tail is
// judged with the tool input after it, and no delta follows its channel's close). Every other string and key list of
// an event (the session's `fields`: ids, tool names, model, stop sequences...) is classified whole before the event
// is written (a large batch on the pool's threads, `fieldClassifier`), all of an event's together (an event repeating
// another's fields is not classified again), and a value the first time it comes (a name every time) is also read by
// the scanner between the text before and after it (in slices, the event loop's turn between them), so a value split
// between text and a field is found. Invariants:
// no answer text reaches the client before the scanner released it, and no field before it was screened (a blocked
// finding, or a redacted type in a key list, ends the stream as ERR_RESPONSE_BLOCKED); events keep their order; the
// final event is NOT written here but handed back, so the caller writes it only after the outcome is recorded; every
// way a stream can end maps to one outcome code; usage is always returned (estimated when the upstream's report is
// missing).
import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  type Classification,
  ClassificationError,
  type ClassifyOptions,
  createStreamScanner,
  type Classifier,
  type Finding,
  type StreamScanner,
  type ScannedChunk,
  type TextSegment,
} from '../classification/index.ts';
import { isTimeout } from '../forwarding/index.ts';
import {
  AnswerShapeError,
  cacheCounts,
  estimateCompletionTokens,
  StreamProtocolError,
  type AnswerSegment,
  type SseEvent,
  type StreamSession,
  type StreamStep,
  type Usage,
} from '../providers/index.ts';
import { placeholder } from '../redaction/index.ts';
import { checkEventStrings, createSseDecoder, encodeSse, SseDecodeError } from './stream-sse.ts';

/** Events waiting behind held text (a closed channel's tail): past this many the stream fails closed. */
export const MAX_WAITING_EVENTS = 4096;

/**
 * An event's fields read in order go to the scanner in slices of at most this many (one release each), and the
 * event loop gets a turn between two slices: a hostile event of 99k distinct short strings is read in ~800 slices of
 * a few milliseconds each, never in one block of seconds (the scanner classifies every held run on each release).
 */
export const READ_SLICE_RUNS = 128;

/** Field values up to this many characters are their own cache key; longer ones are keyed by their SHA-256. */
const FIELD_KEY_RAW_CHARS = 64;

/** An event read and screened, waiting to be written: the text released for each of its texts so far. */
interface Waiting {
  step: StreamStep;
  fieldTexts: string[];
  texts: string[];
  written: boolean;
  /** Characters of its names (atomic slots) the scanner still holds: the event waits until there are none. */
  namesHeld: number;
}

/** Raw text of one event's text still held by the scanner, in arrival order. */
interface Slot {
  entry: Waiting;
  /** The text's index in the event; -1 for a name (a field: rendered whole from the screened fields, never split). */
  index: number;
  channel: string;
  left: number;
}

/** A field the consumer reads with the text around it (a tool or function name): also scanned in order. */
function isName(field: AnswerSegment): boolean {
  return !field.keys && field.text.length > 0 && (field.path === 'name' || field.path.endsWith('.name'));
}

/** A finding clipped to a piece of released text; `continued` when its value began in an earlier piece. */
type Clipped = Finding & { continued?: boolean };

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
  fieldClassifier?: {
    classify(segments: readonly TextSegment[], options?: ClassifyOptions): Classification | Promise<Classification>;
  };
  rules: { redact: readonly string[]; block: readonly string[] };
  /** Used when the upstream never reported prompt tokens. */
  estimatedPromptTokens: number;
  /** Fixed hold-back window per channel, in characters, for recognizers that declare no partial (docs/classification.md). */
  window?: number;
}

export async function relayStream(options: RelayOptions): Promise<RelayResult> {
  const { session, sink, classifier, rules } = options;
  const enforce = rules.redact.length > 0 || rules.block.length > 0;
  const decoder = createSseDecoder();
  const scanner: StreamScanner = createStreamScanner({
    classifier,
    path: 'answer',
    ...(options.window ? { window: options.window } : {}),
  });
  const waiting: Waiting[] = []; // events not yet written, in order (from `head`)
  let head = 0;
  const slots: Slot[] = []; // held raw text, in arrival order (from `slotHead`)
  let slotHead = 0;
  const heldPerChannel = new Map<string, number>();
  const types: Record<string, number> = {};
  const numbers = new Map<string, string>();
  const perType = new Map<string, number>();
  let findingCount = 0;
  let redacted = false;
  let blockedTypes: string[] = [];
  let receivedBytes = 0;
  let eventsWritten = 0;
  let error: StreamEndCode | null = null;
  let finalEvent: SseEvent | null = null;
  let finalSeen = false;

  const count = (findings: readonly Pick<Finding, 'type'>[]) => {
    for (const f of findings) {
      types[f.type] = (types[f.type] ?? 0) + 1;
      findingCount += 1;
    }
  };

  /** The text with redacted findings replaced by placeholders; '' and blockedTypes set when one is blocked. */
  const obligations = (text: string, findings: readonly Clipped[], inKeys: boolean): string => {
    const blocked = [
      ...new Set(
        findings.map((f) => f.type).filter((t) => rules.block.includes(t) || (inKeys && rules.redact.includes(t))),
      ),
    ];
    if (blocked.length > 0) {
      blockedTypes = [...new Set([...blockedTypes, ...blocked])].sort();
      return '';
    }
    const spans = findings.filter((f) => rules.redact.includes(f.type)).sort((a, b) => a.start - b.start);
    if (spans.length === 0) return text;
    redacted = true;
    let out = '';
    let at = 0;
    for (const f of spans) {
      if (f.end <= at) continue;
      const key = `${f.type}:${f.fingerprint}`;
      let name = numbers.get(key);
      if (name === undefined) {
        const n = (perType.get(f.type) ?? 0) + 1;
        perType.set(f.type, n);
        name = placeholder(f.type, n);
        numbers.set(key, name);
      }
      // A value released in two pieces (two events) takes one placeholder, in its first piece.
      out += text.slice(at, Math.max(at, f.start)) + (f.start >= at && f.continued !== true ? name : '');
      at = f.end;
    }
    return out + text.slice(at);
  };

  /**
   * Findings of an event's values (or key lists) by field index, per sequence of fields (paths and texts, in order):
   * an event repeating another's fields (a chat chunk's id, object and model) is not classified again. Keyed by the
   * whole sequence, never by the field alone: a value seen before, clean on its own, may complete a value with a new
   * neighbour (`{"x":"AKIAQ3EG"}` then `{"x":"AKIAQ3EG","y":"THV5…"}`), as the plain answer's screen joins them.
   */
  const screenedEvents = new Map<string, Map<number, Finding[]>>();
  const FIELD_CACHE_ENTRIES = 4096;
  /** Fields whose findings were counted: each distinct value's findings count once per stream. */
  const counted = new Set<string>();
  /** Field values already read in order (a value every event repeats, the model, is read with the text once). */
  const fieldsRead = new Set<string>();
  // A short value is its own key (no hash to compute: an event may carry 20k of them); a hash never starts with k/v.
  const fieldKey = (f: AnswerSegment) =>
    f.text.length <= FIELD_KEY_RAW_CHARS
      ? (f.keys ? 'k' : 'v') + f.text
      : `#${createHash('sha256')
          .update(f.keys ? 'k' : 'v')
          .update(f.text)
          .digest('base64')}`;
  const fieldClassifier = options.fieldClassifier ?? classifier;

  /** One list of an event's fields (its values, or its key lists) classified as the event has them, or from cache. */
  const screenList = async (fields: readonly AnswerSegment[], list: readonly number[], keys: readonly string[]) => {
    if (list.length === 0) return new Map<number, Finding[]>();
    const hash = createHash('sha256');
    for (const i of list) {
      const f = fields[i] as AnswerSegment;
      hash.update(`${f.path.length}:${f.path}${f.text.length}:`).update(f.text);
    }
    const sequence = hash.digest('base64');
    const cached = screenedEvents.get(sequence);
    if (cached !== undefined) return cached;
    const plain = list.map((i) => ({
      path: (fields[i] as AnswerSegment).path,
      text: (fields[i] as AnswerSegment).text,
    }));
    const result = await fieldClassifier.classify(plain);
    const byField = new Map<number, Finding[]>();
    for (const f of result.findings) {
      const i = list[f.segment] as number;
      const own = byField.get(i);
      if (own === undefined) byField.set(i, [{ ...f, segment: 0 }]);
      else own.push({ ...f, segment: 0 });
    }
    for (const [i, findings] of byField) {
      if (counted.has(keys[i] as string)) continue;
      counted.add(keys[i] as string);
      count(findings);
    }
    if (screenedEvents.size < FIELD_CACHE_ENTRIES) screenedEvents.set(sequence, byField);
    return byField;
  };

  /** Screens an event's fields; returns their texts as the client may see them (blockedTypes set on a block). */
  const screenFields = async (fields: readonly AnswerSegment[], keys: readonly string[]): Promise<string[]> => {
    // Values and key lists classified apart (as in response-screen.ts: joined neighbours would share findings).
    const values: number[] = [];
    const names: number[] = [];
    fields.forEach((field, i) => (field.keys ? names : values).push(i));
    const [ofValues, ofNames] = await Promise.all([screenList(fields, values, keys), screenList(fields, names, keys)]);
    return fields.map((field, i) => {
      const findings = (field.keys ? ofNames : ofValues).get(i) ?? [];
      return enforce && findings.length > 0 ? obligations(field.text, findings, field.keys) : field.text;
    });
  };

  const write = async (event: SseEvent) => {
    await sink.write(encodeSse(event));
    eventsWritten += 1;
  };

  /** Whether `channel` falls under a close (`choices[0].` closes every channel of that choice). */
  const closesChannel = (closes: StreamStep['closes'], channel: string) =>
    closes === 'all' || closes.some((p) => channel === p || (p.endsWith('.') && channel.startsWith(p)));

  /** An event may be written once no channel it closes has text held (its own held text goes out after it). */
  const ready = (entry: Waiting) => {
    if (entry.namesHeld > 0) return false;
    for (const [channel, held] of heldPerChannel)
      if (held > 0 && closesChannel(entry.step.closes, channel)) return false;
    return true;
  };

  /**
   * Hands released text to the events it came in, in order. A piece of an event already written goes to the first
   * waiting event with text on its channel (nothing before it closing that channel), else out on its own right away:
   * it came before every waiting event.
   */
  const distribute = async (chunk: ScannedChunk): Promise<void> => {
    if (enforce && chunk.findings.some((f) => rules.block.includes(f.type))) {
      count(chunk.findings);
      obligations(chunk.text, chunk.findings, false); // records the blocked types; nothing of the chunk is written
      return;
    }
    // Findings by start, and those reaching the current slot: one pass, however many slots the chunk fills.
    const byStart = [...chunk.findings].sort((a, b) => a.start - b.start);
    let next = 0;
    let reaching: Finding[] = [];
    for (let offset = 0; offset < chunk.text.length; ) {
      const slot = slots[slotHead] as Slot;
      const take = Math.min(slot.left, chunk.text.length - offset);
      while (next < byStart.length && (byStart[next] as Finding).start < offset + take) {
        reaching.push(byStart[next] as Finding);
        next += 1;
      }
      reaching = reaching.filter((f) => f.end > offset);
      const clipped: Clipped[] = reaching
        .filter((f) => f.start < offset + take)
        .map((f) => ({
          ...f,
          start: Math.max(0, f.start - offset),
          end: Math.min(take, f.end - offset),
          ...(f.start < offset ? { continued: true } : {}),
        }));
      const piece = chunk.text.slice(offset, offset + take);
      // Counted once, where the value starts; a value wholly inside a name was counted when its field was screened.
      count(clipped.filter((f) => f.continued !== true && !(slot.index < 0 && f.end <= take)));
      offset += take;
      slot.left -= take;
      const held = (heldPerChannel.get(slot.channel) ?? 0) - take;
      // Only channels with text held are kept: ready() reads them all for every waiting event.
      if (held > 0) heldPerChannel.set(slot.channel, held);
      else heldPerChannel.delete(slot.channel);
      if (slot.left === 0) slotHead += 1;
      if (slot.index < 0) {
        // A name is written whole from its screened field: a value reaching into it that is to be redacted cannot be
        // redacted there, so it blocks (as in a key list).
        slot.entry.namesHeld -= take;
        obligations(
          piece,
          clipped.filter((f) => f.continued === true || f.end > take),
          true,
        );
        continue;
      }
      const text = enforce ? obligations(piece, clipped, false) : piece;
      if (!slot.entry.written) {
        slot.entry.texts[slot.index] += text;
        continue;
      }
      let target: { entry: Waiting; index: number } | undefined;
      for (let k = head; k < waiting.length && target === undefined; k += 1) {
        const entry = waiting[k] as Waiting;
        const index = entry.step.texts.findIndex((t) => t.channel === slot.channel);
        if (index >= 0) target = { entry, index };
        else if (closesChannel(entry.step.closes, slot.channel)) break;
      }
      if (target !== undefined) target.entry.texts[target.index] += text;
      else if (text !== '') await write(session.textEvent(slot.channel, text));
    }
  };

  /** Writes the waiting events that may go out, in order; the final event is kept as finalEvent. */
  const flush = async (): Promise<void> => {
    while (head < waiting.length && blockedTypes.length === 0 && ready(waiting[head] as Waiting)) {
      const entry = waiting[head] as Waiting;
      head += 1;
      const rendered = session.render(entry.step, entry.texts, entry.fieldTexts);
      entry.written = true;
      if (entry.step.final) {
        finalSeen = true;
        finalEvent = rendered;
        return;
      }
      if (rendered !== null) await write(rendered);
    }
    if (head === waiting.length) {
      waiting.length = 0;
      head = 0;
    } else if (waiting.length - head > MAX_WAITING_EVENTS) {
      throw new ClassificationError(
        'ERR_STREAM_BUFFER_EXCEEDED',
        null,
        `more than ${MAX_WAITING_EVENTS} events wait behind held text`,
      );
    }
  };

  try {
    outer: for await (const bytes of options.events) {
      for (const event of decoder.push(bytes)) {
        checkEventStrings(event); // before the parse: bounds what one event costs the event loop
        const step = session.read(event);
        if (step.upstreamError) {
          error = 'ERR_UPSTREAM_ERROR';
          break outer;
        }
        const keys = step.fields.map(fieldKey);
        const fieldTexts = await screenFields(step.fields, keys);
        if (blockedTypes.length > 0) {
          error = 'ERR_RESPONSE_BLOCKED';
          break outer;
        }
        // With no response obligation there is nothing to hold text back for: it goes out as it came, and the
        // scanner still counts what the answer contained (response_classification).
        const entry: Waiting = {
          step,
          fieldTexts,
          texts: step.texts.map((t) => (enforce ? '' : t.text)),
          written: false,
          namesHeld: 0,
        };
        waiting.push(entry);
        // Names and first-seen fields first (they come before the text of their event), as runs of their own: a value
        // split between the text before and a tool's name, a call's id or a stop sequence is read whole, and the event
        // waits until they are released.
        const read = step.fields.filter((field, i) => {
          if (!enforce || field.keys || field.text.length === 0) return false;
          if (isName(field)) return true;
          const key = keys[i] as string;
          if (fieldsRead.has(key)) return false;
          if (fieldsRead.size < FIELD_CACHE_ENTRIES) fieldsRead.add(key);
          return true;
        });
        for (let from = 0; from < read.length; from += READ_SLICE_RUNS) {
          if (from > 0) await nextTurn(); // the event loop's turn between two slices of a large event
          const runs = read.slice(from, from + READ_SLICE_RUNS).map((field) => {
            // `field:` runs are read both with their neighbours and skipped over (stream-scanner.ts FIELD_RUN).
            const channel = isName(field) ? `name:${field.path}` : `field:${field.path}`;
            slots.push({ entry, index: -1, channel, left: field.text.length });
            entry.namesHeld += field.text.length;
            heldPerChannel.set(channel, (heldPerChannel.get(channel) ?? 0) + field.text.length);
            return { text: field.text, run: channel };
          });
          await distribute(scanner.pushRuns(runs));
        }
        for (const [index, t] of step.texts.entries()) {
          receivedBytes += Buffer.byteLength(t.text, 'utf8');
          if (enforce && t.text.length > 0) {
            slots.push({ entry, index, channel: t.channel, left: t.text.length });
            heldPerChannel.set(t.channel, (heldPerChannel.get(t.channel) ?? 0) + t.text.length);
          }
          const chunk = scanner.push(t.text, t.channel);
          if (enforce) await distribute(chunk);
          else count(chunk.findings);
        }
        if (step.final) {
          const rest = scanner.end();
          if (enforce) await distribute(rest);
          else count(rest.findings);
        }
        if (blockedTypes.length > 0) {
          error = 'ERR_RESPONSE_BLOCKED';
          break outer;
        }
        await flush();
        if (finalSeen) break outer;
        if (sink.signal.aborted) throw new Error('client disconnected');
      }
    }
    if (!finalSeen && error === null) {
      error = sink.signal.aborted
        ? 'ERR_CLIENT_DISCONNECTED'
        : sink.shutdown?.aborted
          ? 'ERR_SHUTTING_DOWN'
          : 'ERR_UPSTREAM_STREAM_TRUNCATED';
    }
  } catch (caught) {
    error = endCode(caught, sink.signal, sink.shutdown);
  }
  const reported = session.usage();
  const exact = error === null && reported.prompt_tokens !== null && reported.completion_tokens !== null;
  const prompt = reported.prompt_tokens ?? options.estimatedPromptTokens;
  const completion = exact
    ? (reported.completion_tokens as number)
    : Math.max(reported.completion_tokens ?? 0, estimateCompletionTokens(receivedBytes));
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    ...cacheCounts(reported, prompt),
    ...(exact ? {} : { estimated: true as const }),
  };
  return {
    error,
    finalEvent: error === null ? finalEvent : null,
    usage,
    classification: { finding_count: findingCount, types },
    action:
      blockedTypes.length > 0 || error === 'ERR_CLASSIFICATION_FAILED' ? 'blocked' : redacted ? 'redacted' : 'none',
    blockedTypes,
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
