// Relays one streamed answer to the client as it arrives: upstream bytes → SSE events → the adapter's session reads
// each event's answer text → one hold-back scanner per text channel (classification/stream-scanner.ts) releases what
// is safe to judge → the response obligations apply (block ends the stream; redact writes placeholders) → the event
// is rendered with the released text and written, waiting for the client to drain (back-pressure: nothing more is
// read from the upstream meanwhile). Every other string and key list of an event (the session's `fields`: ids, tool
// names, model, stop sequences...) is classified whole before the event is written, each distinct value once per
// stream. Invariants: no answer text reaches the client before the scanner released it, and no field before it was
// screened (a blocked finding, or a redacted type in a key list, ends the stream as ERR_RESPONSE_BLOCKED); the final
// event is NOT written here but handed back, so the caller writes it only after the outcome is recorded; every way a
// stream can end maps to one outcome code; usage is always returned (estimated when the upstream's report is missing).
import { createHash } from 'node:crypto';
import {
  ClassificationError,
  createStreamScanner,
  type Classifier,
  type Finding,
  type StreamScanner,
  type ScannedChunk,
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
  type Usage,
} from '../providers/index.ts';
import { placeholder } from '../redaction/index.ts';
import { createSseDecoder, encodeSse, SseDecodeError } from './stream-sse.ts';

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
  const scanners = new Map<string, StreamScanner>();
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

  const scannerFor = (channel: string) => {
    let scanner = scanners.get(channel);
    if (!scanner) {
      scanner = createStreamScanner({
        classifier,
        path: channel,
        ...(options.window ? { window: options.window } : {}),
      });
      scanners.set(channel, scanner);
    }
    return scanner;
  };

  const count = (findings: readonly Pick<Finding, 'type'>[]) => {
    for (const f of findings) {
      types[f.type] = (types[f.type] ?? 0) + 1;
      findingCount += 1;
    }
  };

  /** Applies the response obligations to a released chunk; returns the text the client may see. */
  const screen = (chunk: ScannedChunk): string => {
    count(chunk.findings);
    return enforce ? obligations(chunk.text, chunk.findings, false) : chunk.text;
  };

  /** The text with redacted findings replaced by placeholders; '' and blockedTypes set when one is blocked. */
  const obligations = (text: string, findings: readonly Finding[], inKeys: boolean): string => {
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
      out += text.slice(at, Math.max(at, f.start)) + (f.start >= at ? name : '');
      at = f.end;
    }
    return out + text.slice(at);
  };

  /** Findings per distinct field (key list or value), so a value every event repeats is classified and counted once. */
  const screenedFields = new Map<string, Finding[]>();
  const FIELD_CACHE_ENTRIES = 4096;
  const fieldKey = (f: AnswerSegment) =>
    createHash('sha256')
      .update(f.keys ? 'k' : 'v')
      .update(f.text)
      .digest('base64');

  /** Screens an event's fields; returns their texts as the client may see them (blockedTypes set on a block). */
  const screenFields = (fields: readonly AnswerSegment[]): string[] => {
    const keys = fields.map(fieldKey);
    const fresh = fields.map((_, i) => i).filter((i) => !screenedFields.has(keys[i] as string));
    const found = new Map<string, Finding[]>();
    if (fresh.length > 0) {
      // Values and key lists classified apart (as in response-screen.ts: joined neighbours would share findings).
      const unique = [...new Map(fresh.map((i) => [keys[i] as string, i])).values()];
      const values = unique.filter((i) => !(fields[i] as AnswerSegment).keys);
      const names = unique.filter((i) => (fields[i] as AnswerSegment).keys);
      const ordered = [...values, ...names];
      const findings = [
        ...classifier.classify(values.map((i) => fields[i] as AnswerSegment)).findings,
        ...classifier
          .classify(names.map((i) => fields[i] as AnswerSegment))
          .findings.map((f) => ({ ...f, segment: f.segment + values.length })),
      ];
      ordered.forEach((i, n) => {
        const own = findings.filter((f) => f.segment === n).map((f) => ({ ...f, segment: 0 }));
        count(own);
        found.set(keys[i] as string, own);
        if (screenedFields.size < FIELD_CACHE_ENTRIES) screenedFields.set(keys[i] as string, own);
      });
    }
    return fields.map((field, i) => {
      const findings = screenedFields.get(keys[i] as string) ?? found.get(keys[i] as string) ?? [];
      return enforce && findings.length > 0 ? obligations(field.text, findings, field.keys) : field.text;
    });
  };

  const write = async (event: SseEvent) => {
    await sink.write(encodeSse(event));
    eventsWritten += 1;
  };

  try {
    outer: for await (const bytes of options.events) {
      for (const event of decoder.push(bytes)) {
        const step = session.read(event);
        if (step.upstreamError) {
          error = 'ERR_UPSTREAM_ERROR';
          break outer;
        }
        const fieldTexts = screenFields(step.fields);
        if (blockedTypes.length > 0) {
          error = 'ERR_RESPONSE_BLOCKED';
          break outer;
        }
        const released = step.texts.map((t) => {
          receivedBytes += Buffer.byteLength(t.text, 'utf8');
          const screened = screen(scannerFor(t.channel).push(t.text));
          // With no response obligation there is nothing to hold text back for: it goes out as it came, and the
          // scanner still counts what the answer contained (response_classification).
          return enforce ? screened : t.text;
        });
        const closing =
          step.closes === 'all'
            ? [...scanners.keys()]
            : [...scanners.keys()].filter((ch) =>
                (step.closes as readonly string[]).some((p) => ch === p || (p.endsWith('.') && ch.startsWith(p))),
              );
        for (const channel of closing) {
          const screenedRest = screen((scanners.get(channel) as StreamScanner).end());
          const rest = enforce ? screenedRest : '';
          scanners.delete(channel);
          const own = step.texts.findLastIndex((t) => t.channel === channel);
          if (own >= 0) released[own] += rest;
          else if (rest !== '' && blockedTypes.length === 0) await write(session.textEvent(channel, rest));
        }
        if (blockedTypes.length > 0) {
          error = 'ERR_RESPONSE_BLOCKED';
          break outer;
        }
        const rendered = session.render(step, released, fieldTexts);
        if (step.final) {
          finalSeen = true;
          finalEvent = rendered;
          break outer;
        }
        if (rendered !== null) await write(rendered);
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
