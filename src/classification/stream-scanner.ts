// Classifies a text that arrives in chunks (a streamed model answer) and releases text as soon as it provably cannot
// be part of a finding. Held back: from the earliest suffix any recognizer's `partial` says may begin a value, from
// any match that reaches the end of the text or whose after-context is not complete, and the last `window`
// characters whenever a recognizer declares no partial (stream-hold.ts). Guarantee: every finding the classifier
// reports on the whole text is reported in the chunk that releases it, same type, confidence and fingerprint, offsets
// inside that chunk, and no character of it is released earlier (for a recognizer without a partial: when its match
// with its after-context spans at most `window` characters). Held text beyond `maxBuffer` is an error (fail closed).
// Text of several runs is also read as a consumer reads it (stream-reading-view.ts) and in the classifier's joined
// readings (stream-join-hold.ts).
import { ClassificationError } from './errors.ts';
import { normalizeText } from './normalize.ts';
import { keptContext, type RunStart } from './stream-context.ts';
import { holdPlanFor, type HoldPlan, type MatchHolds, type ScanText } from './stream-hold.ts';
import { joinedHoldFrom } from './stream-join-hold.ts';
import { waitingRowsFrom } from './stream-rows-hold.ts';
import { sectionContextAt } from './stream-section-lead.ts';
import { headerTestOf, type TableMemory, tableContextAt } from './stream-table-header.ts';
import { mergeHolds, type ReadingHolds, readingViewHolds } from './stream-reading-view.ts';
import { isEncodedRun, viewMatchHolds, viewPartialStart } from './stream-view-hold.ts';
import type { Classifier, Finding, TextSegment } from './types.ts';

export interface StreamScannerOptions {
  classifier: Classifier;
  /** The segment path findings carry (e.g. "choices[0].delta.content"). */
  path: string;
  /** Characters held back at the end of the buffer for recognizers without a partial (default 256). */
  window?: number;
  /**
   * Most characters ever held (default 65,536); a finding that keeps growing past it throws ERR_STREAM_BUFFER_EXCEEDED.
   */
  maxBuffer?: number;
}

export interface ScannedChunk {
  /** Text safe to judge now: every finding in it is complete. */
  text: string;
  /** Offset of `text` in the whole stream (UTF-16 units). */
  offset: number;
  /** Findings inside `text`, offsets relative to `text`. */
  findings: Finding[];
}

export interface StreamScanner {
  /**
   * Adds text. `run` names the field it extends (a channel: an answer's text, a tool call's arguments); text of
   * several runs is one text in the order pushed, joined across each change of run as a consumer reads it (a JSON
   * text without the syntax at its edges, segment-join.ts), so a value split between two fields is found and held.
   * A run named like a name field (`….name`: a tool's name) or a field run (`field:<path>`: an id, the model, a stop
   * sequence) is read both with its neighbours and skipped over, as the classifier's reading orders do (text, then a
   * call's name, then its arguments).
   */
  push(chunk: string, run?: string): ScannedChunk;
  /**
   * Adds several runs in order and releases once: the same text as pushing each, at the cost of one push (the held
   * text is classified once, not once per run). An event's fields go in this way.
   */
  pushRuns(runs: readonly { text: string; run: string }[]): ScannedChunk;
  /** Releases everything held; call once, when the stream ends. */
  end(): ScannedChunk;
}

/**
 * Released text kept (normalised) as leading context, so context words before a value and the character before it
 * (`\b`) still count. MUST exceed every recognizer's contextWindow.before; a scanner widens it when one needs more.
 */
export const CONTEXT_CHARS = 64;

/**
 * The prefix of a run that is an answer's field (an id, the model, a stop sequence) rather than its text: read both
 * with its neighbours and skipped over, as a name run is.
 */
export const FIELD_RUN = 'field:';

/**
 * Most runs the held text may span (its seams). Each release classifies every held run as a segment of its own (tens
 * of µs each with the reading views), so a hostile upstream alternating runs a character at a time would make
 * each push cost milliseconds; past this the scanner throws ERR_STREAM_BUFFER_EXCEEDED (fail closed). An answer
 * alternates runs a few times (text, a tool call's name and arguments, a field value first seen), and a held text
 * is at most ~1,024 characters unless a validated match holds it.
 */
export const MAX_HELD_RUNS = 1024;

/**
 * How far back a partial, or a raw match reaching the end, may hold text on its own: more than any bounded built-in
 * format spans (an e-mail address, at most ~600 characters, is the longest), so a run that matches without end (a
 * long run of digits or hex) is still released, never held until maxBuffer fails the stream. Never less than
 * `window`, so never weaker than the fixed window; validated matches still hold and move the cut back, however long
 * (a private-key block is held whole).
 */
const PARTIAL_HOLD_LIMIT = 1024;

/**
 * Characters that must arrive before held text near the hold limit (at least PARTIAL_HOLD_LIMIT less this: a run of
 * short tokens or digits the partials keep open, released only as it passes the limit; a validated match still
 * growing) is searched and classified again: a release there judges the whole held text, so with one release a push
 * each character of such a run was classified ~300 times (3 characters a push: `ab ab ab…`, `1 1 1…`), now ~4-6.
 * Holding longer only delays.
 */
export const LIMITED_RELEASE_STEP = 256;

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

export function createStreamScanner(opts: StreamScannerOptions): StreamScanner {
  const window = opts.window ?? 256;
  const maxBuffer = opts.maxBuffer ?? 65_536;
  if (!Number.isSafeInteger(window) || window < 1 || !Number.isSafeInteger(maxBuffer) || maxBuffer < window) {
    throw new RangeError('window must be a positive integer and maxBuffer at least window');
  }
  // A classifier that does not say what it recognizes gets the fixed window for everything.
  const plan: HoldPlan | undefined =
    opts.classifier.recognizers === undefined ? undefined : holdPlanFor(opts.classifier.recognizers);
  const fixedWindow = plan === undefined || plan.fixedWindow;
  // A table's header is kept only when it may make its cells findings (stream-table-header.ts).
  const headerTest = opts.classifier.recognizers === undefined ? undefined : headerTestOf(opts.classifier.recognizers);
  // One more than the widest before-window, for the character a pattern's `\b` or delimiter looks at.
  const lookBehind = Math.max(CONTEXT_CHARS, (plan?.maxContextBefore ?? 0) + 2);
  let context = ''; // normalised tail of released text
  let table: TableMemory = { lead: '', recent: '', header: '' }; // a table's header kept (stream-table-header.ts)
  let contextRuns: RunStart[] = []; // the runs of `context` (stream-context.ts)
  let pending = ''; // held text
  let released = 0; // characters released so far
  let ended = false;
  let run: string | undefined; // the run the last push extended
  let headRun: string | undefined; // the run the held text starts in
  let headContinues = false; // the held text starts inside the context's last run (not at a seam)
  let seams: { at: number; run: string | undefined }[] = []; // where a run after another starts, in the held text
  let recheckAt = 0; // held characters before the held text is judged again (0: at every push)

  const nothing = (): ScannedChunk => {
    if (pending.length > maxBuffer) {
      throw new ClassificationError('ERR_STREAM_BUFFER_EXCEEDED', null, `more than ${maxBuffer} characters held back`);
    }
    return { text: '', offset: released, findings: [] };
  };

  /** Where the held part must start for a non-final release (before any classification: cheap, every push). */
  function firstCut(text: string, partial: number | undefined): number {
    let cut = fixedWindow ? text.length - window : text.length;
    if (partial !== undefined) {
      cut = Math.min(cut, Math.max(partial, text.length - Math.max(window, PARTIAL_HOLD_LIMIT)));
    }
    // A high surrogate at the end may be half of a character still arriving.
    if (text.length > 0 && isHighSurrogate(text.charCodeAt(text.length - 1))) cut = Math.min(cut, text.length - 1);
    return cut;
  }

  /** Where each run of `text` (context + pending) starts, and its name: the context's runs, then the held text's. */
  function runStarts(text: string): RunStart[] {
    const held = text.length - pending.length;
    const starts = [...contextRuns];
    if (pending.length > 0 && (!headContinues || starts.length === 0)) starts.push({ at: held, run: headRun });
    for (const seam of seams) starts.push({ at: seam.at - released + held, run: seam.run });
    return starts;
  }
  const isNameRun = (name: string | undefined) =>
    name?.endsWith('.name') === true || name?.startsWith(FIELD_RUN) === true;
  /** A field run's path without its prefix, so the classifier knows its key (`field:delta.stop_reason` is a label). */
  const fieldPath = (name: string | undefined) => (name?.startsWith(FIELD_RUN) ? name.slice(FIELD_RUN.length) : name);

  /** The segments `text` (context + pending) is classified as: its runs, each named by its run. */
  function segmentsOf(text: string, starts: readonly RunStart[]): TextSegment[] {
    if (starts.length <= 1) return [{ path: opts.path, text }];
    const bounds = [...starts.map((s) => s.at), text.length];
    // Each run's name as its path: the classifier's reading orders read a name run with its neighbours and without.
    const names = starts.map((s) => s.run);
    return bounds
      .slice(1)
      .map((end, k) => ({ path: fieldPath(names[k]) ?? opts.path, text: text.slice(bounds[k], end) }));
  }

  /** Findings of `text` (context + pending), its runs classified as segments joined at their seams. */
  function findingsOf(text: string, starts: readonly RunStart[]): Finding[] {
    if (text.length === 0) return [];
    if (starts.length <= 1) return opts.classifier.classify([{ path: opts.path, text }]).findings;
    const bounds = [...starts.map((s) => s.at), text.length];
    return opts.classifier.classify(segmentsOf(text, starts)).findings.map((f) => ({
      ...f,
      path: opts.path,
      segment: 0,
      start: f.start + (bounds[f.segment] as number),
      end: f.end + (bounds[f.segment] as number),
    }));
  }

  /**
   * Partial start of a text's reading view (its runs joined), and its match holds as offsets into the text, searched
   * only when asked (after the partials left something to release: a release that releases nothing searches once).
   */
  function readingHolds(text: string, starts: readonly RunStart[]): ReadingHolds | undefined {
    if (plan === undefined) return undefined;
    const at = starts.slice(1).map((s) => s.at);
    const names = starts.map((s) => s.run);
    const withNames = readingViewHolds(plan, text, at);
    if (!names.some(isNameRun)) return withNames;
    const without = readingViewHolds(plan, text, at, (k) => k > 0 && isNameRun(names[k]));
    if (withNames === undefined || without === undefined) return withNames ?? without;
    return {
      partial: Math.min(withNames.partial, without.partial),
      holds: () => mergeHolds(withNames.holds(), without.holds()),
    };
  }

  function release(final: boolean): ScannedChunk {
    const text = context + pending;
    const starts = runStarts(text);
    let scan: ScanText | undefined;
    let reading: ReturnType<typeof readingHolds>;
    if (plan !== undefined && !final) {
      const normalized = normalizeText(text);
      scan = { original: text, normalized, bytes: Buffer.from(normalized.text, 'utf8') };
      reading = readingHolds(text, starts);
    }
    const partial =
      plan === undefined || scan === undefined
        ? undefined
        : Math.min(viewPartialStart(plan, scan), reading?.partial ?? text.length);
    let cut = final ? text.length : firstCut(text, partial);
    if (cut <= context.length) return nothing();
    const own: MatchHolds =
      plan !== undefined && scan !== undefined
        ? viewMatchHolds(plan, scan)
        : { from: text.length, rawFrom: text.length, spans: [] };
    const merged: MatchHolds = reading === undefined ? own : mergeHolds(own, reading.holds());
    // The classifier's joined readings too (two values of a JSON text glued): a match there whose after-context passes
    // the end of what has arrived holds (stream-join-hold.ts).
    const holds: MatchHolds =
      plan === undefined || final
        ? merged
        : {
            ...merged,
            from: Math.min(
              merged.from,
              joinedHoldFrom(plan, segmentsOf(text, starts), [0, ...starts.slice(1).map((s) => s.at)], text.length),
              waitingRowsFrom(text), // rows whose column list may still come (stream-rows-hold.ts)
            ),
          };
    // A raw match is only a possible beginning, like a partial: it holds no more than a partial may.
    if (!final)
      cut = Math.min(cut, holds.from, Math.max(holds.rawFrom, text.length - Math.max(window, PARTIAL_HOLD_LIMIT)));
    // Findings only move the cut back: when the holds leave nothing to release, the held text is not classified (a
    // private-key block arriving a character a push was classified whole on every push: quadratic).
    if (!final && cut <= context.length) return nothing();
    const findings = findingsOf(text, starts).filter((f) => f.end > context.length);
    if (!final) {
      // Move the cut back to the start of any finding or match that crosses it (repeat: they may chain).
      const spans: (readonly [number, number])[] = [...findings.map((f) => [f.start, f.end] as const), ...holds.spans];
      for (let moved = true; moved; ) {
        moved = false;
        for (const [start, end] of spans) {
          const earlier = Math.max(context.length, start);
          if (start < cut && end > cut && earlier < cut) {
            cut = earlier;
            moved = true;
          }
        }
      }
      if (cut > context.length && isLowSurrogate(text.charCodeAt(cut))) cut -= 1;
      if (cut <= context.length) return nothing();
    }
    const out = text.slice(context.length, cut);
    const base = context.length;
    const inside = findings
      .filter((f) => f.start < cut)
      .map((f) => ({ ...f, start: Math.max(0, f.start - base), end: f.end - base }));
    const chunk: ScannedChunk = { text: out, offset: released, findings: inside };
    released += out.length;
    pending = text.slice(cut);
    // Cut at a seam, the held text starts a run of its own; anywhere else it goes on with the context's last run.
    headContinues = !seams.some((seam) => seam.at === released);
    for (const seam of seams) if (seam.at <= released) headRun = seam.run;
    seams = seams.filter((seam) => seam.at > released);
    // A table's header whose rows go on is kept before the context, which then starts at a row's start.
    const kept = final ? undefined : tableContextAt(table, text, context.length, cut, lookBehind, headerTest);
    if (kept !== undefined) table = kept.memory;
    // Else a JWK section's lines whose anchor the look-behind would drop (stream-section-lead.ts).
    const lead =
      final || kept?.table !== undefined ? kept?.text : (kept?.text ?? sectionContextAt(text, cut, lookBehind));
    if (lead !== undefined) {
      context = lead;
      contextRuns = [{ at: 0, run: starts.findLast((s) => s.at < cut)?.run }];
    } else ({ text: context, runs: contextRuns } = keptContext(text, starts, cut, lookBehind, kept?.table));
    if (pending.length > maxBuffer) {
      throw new ClassificationError('ERR_STREAM_BUFFER_EXCEEDED', null, `more than ${maxBuffer} characters held back`);
    }
    return chunk;
  }

  /** Adds a chunk to the held text (a seam where its run changes); false when it is empty. */
  function append(chunk: string, next: string | undefined): boolean {
    if (ended) throw new ClassificationError('ERR_STREAM_ENDED', null, 'push after end');
    if (chunk.length === 0) return false;
    if (next !== run) {
      if (run !== undefined && pending.length > 0) seams.push({ at: released + pending.length, run: next });
      else {
        headRun = next;
        headContinues = false;
      }
      run = next;
    }
    pending += chunk;
    if (seams.length >= MAX_HELD_RUNS) {
      throw new ClassificationError('ERR_STREAM_BUFFER_EXCEEDED', null, `more than ${MAX_HELD_RUNS} runs held back`);
    }
    return true;
  }

  function releaseHeld(): ScannedChunk {
    // With the fixed window nothing can be released while no more than `window` characters are held, so
    // classifying now would be wasted: a streamed answer arrives a few characters per event.
    if (fixedWindow && pending.length <= window) return { text: '', offset: released, findings: [] };
    // Held text that is one encoded run (a word, a number, a key still arriving: no blank, no quote) is held whole by
    // the trailing-run rule (stream-view-hold.ts), from before its first character: searching would release nothing.
    if (plan !== undefined && pending.length <= PARTIAL_HOLD_LIMIT && isEncodedRun(pending)) return nothing();
    // Held text past the hold limit is judged again once LIMITED_RELEASE_STEP more characters have come (never past
    // maxBuffer: the release that fails there is not put off).
    if (pending.length < Math.min(recheckAt, maxBuffer)) return nothing();
    const chunk = release(false);
    const limit = Math.max(window, PARTIAL_HOLD_LIMIT);
    recheckAt = pending.length >= limit - LIMITED_RELEASE_STEP ? pending.length + LIMITED_RELEASE_STEP : 0;
    return chunk;
  }

  return {
    push(chunk, next) {
      return append(chunk, next) ? releaseHeld() : { text: '', offset: released, findings: [] };
    },
    pushRuns(runs) {
      let added = false;
      for (const r of runs) added = append(r.text, r.run) || added;
      return added ? releaseHeld() : { text: '', offset: released, findings: [] };
    },
    end() {
      if (ended) throw new ClassificationError('ERR_STREAM_ENDED', null, 'end called twice');
      ended = true;
      return release(true);
    },
  };
}
