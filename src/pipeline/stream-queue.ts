// The events of a streamed answer between their read and their write: each holds the text the scanner has released
// for it so far; held raw text is tracked as slots, in arrival order, so released text goes back to the event it came
// in. Invariants: events are emitted in order; an event that closes a channel whose text is still held waits, with
// every event after it, until that text is released (no delta follows its channel's close); an event waits until its
// names (atomic slots) are released whole; released text of an event already emitted goes to the first waiting event
// with text on its channel, else out on its own; nothing is emitted once the answer is blocked; the final event is
// kept, not emitted. Emitting is synchronous (`emit` buffers; the relay writes a batch at once).
import { ClassificationError, type Finding, type ScannedChunk } from '../classification/index.ts';
import type { SseEvent, StreamSession, StreamStep } from '../providers/index.ts';
import type { Clipped, StreamObligations } from './stream-obligations.ts';

/** Events waiting behind held text (a closed channel's tail): past this many the stream fails closed. */
export const MAX_WAITING_EVENTS = 4096;

/** An event read and screened, waiting to be written: the text released for each of its texts so far. */
export interface Waiting {
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

/** Whether `channel` falls under a close (`choices[0].` closes every channel of that choice). */
function closesChannel(closes: StreamStep['closes'], channel: string): boolean {
  return closes === 'all' || closes.some((p) => channel === p || (p.endsWith('.') && channel.startsWith(p)));
}

export class EventQueue {
  /** The final event, rendered once everything before it was emitted; the caller writes it after the outcome. */
  finalEvent: SseEvent | null = null;
  finalSeen = false;
  readonly #waiting: Waiting[] = []; // from #head
  #head = 0;
  readonly #slots: Slot[] = []; // from #slotHead
  #slotHead = 0;
  /** Characters held per channel; only channels with text held are kept (ready() reads them all). */
  readonly #held = new Map<string, number>();
  readonly #session: StreamSession;
  readonly #verdict: StreamObligations;
  readonly #emit: (event: SseEvent) => void;

  constructor(session: StreamSession, verdict: StreamObligations, emit: (event: SseEvent) => void) {
    this.#session = session;
    this.#verdict = verdict;
    this.#emit = emit;
  }

  /** Queues an event; with no obligation its texts go out as they came (nothing is held). */
  add(step: StreamStep, fieldTexts: string[]): Waiting {
    const entry: Waiting = {
      step,
      fieldTexts,
      texts: step.texts.map((t) => (this.#verdict.enforce ? '' : t.text)),
      written: false,
      namesHeld: 0,
    };
    this.#waiting.push(entry);
    return entry;
  }

  /** The scanner now holds `length` characters of the entry's text `index` (-1: a name or first-seen field). */
  hold(entry: Waiting, index: number, channel: string, length: number): void {
    this.#slots.push({ entry, index, channel, left: length });
    if (index < 0) entry.namesHeld += length;
    this.#held.set(channel, (this.#held.get(channel) ?? 0) + length);
  }

  /** Hands released text to the events it came in, in order (findings clipped to each piece). */
  distribute(chunk: ScannedChunk): void {
    const verdict = this.#verdict;
    if (chunk.findings.some((f) => verdict.isBlocked(f.type))) {
      verdict.count(chunk.findings);
      verdict.apply(chunk.text, chunk.findings, false); // records the blocked types; nothing of the chunk is written
      return;
    }
    // Findings by start, and those reaching the current slot: one pass, however many slots the chunk fills.
    const byStart = chunk.findings.length < 2 ? chunk.findings : [...chunk.findings].sort((a, b) => a.start - b.start);
    let next = 0;
    let reaching: Finding[] = [];
    for (let offset = 0; offset < chunk.text.length; ) {
      const slot = this.#slots[this.#slotHead] as Slot;
      const take = Math.min(slot.left, chunk.text.length - offset);
      while (next < byStart.length && (byStart[next] as Finding).start < offset + take) {
        reaching.push(byStart[next] as Finding);
        next += 1;
      }
      if (reaching.length > 0) reaching = reaching.filter((f) => f.end > offset);
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
      verdict.count(clipped.filter((f) => f.continued !== true && !(slot.index < 0 && f.end <= take)));
      offset += take;
      slot.left -= take;
      const held = (this.#held.get(slot.channel) ?? 0) - take;
      if (held > 0) this.#held.set(slot.channel, held);
      else this.#held.delete(slot.channel);
      if (slot.left === 0) this.#slotHead += 1;
      if (slot.index < 0) {
        // A name is written whole from its screened field: a value reaching into it that is to be redacted cannot be
        // redacted there, so it blocks (as in a key list).
        slot.entry.namesHeld -= take;
        verdict.apply(
          piece,
          clipped.filter((f) => f.continued === true || f.end > take),
          true,
        );
        continue;
      }
      const text = verdict.apply(piece, clipped, false);
      if (!slot.entry.written) slot.entry.texts[slot.index] += text;
      else this.#late(slot.channel, text);
    }
    if (this.#slotHead === this.#slots.length) {
      this.#slots.length = 0;
      this.#slotHead = 0;
    }
  }

  /**
   * Released text of an event already emitted: to the first waiting event with text on its channel (nothing before
   * it closing that channel), else out on its own right away (it came before every waiting event).
   */
  #late(channel: string, text: string): void {
    for (let k = this.#head; k < this.#waiting.length; k += 1) {
      const entry = this.#waiting[k] as Waiting;
      const index = entry.step.texts.findIndex((t) => t.channel === channel);
      if (index >= 0) {
        entry.texts[index] += text;
        return;
      }
      if (closesChannel(entry.step.closes, channel)) break;
    }
    if (text !== '') this.#emit(this.#session.textEvent(channel, text));
  }

  /** An event may be emitted once no channel it closes has text held (its own held text goes out after it). */
  #ready(entry: Waiting): boolean {
    if (entry.namesHeld > 0) return false;
    for (const [channel, held] of this.#held) if (held > 0 && closesChannel(entry.step.closes, channel)) return false;
    return true;
  }

  /** Emits the waiting events that may go out, in order; the final event is kept as finalEvent. */
  flush(): void {
    while (
      this.#head < this.#waiting.length &&
      !this.#verdict.blocked &&
      this.#ready(this.#waiting[this.#head] as Waiting)
    ) {
      const entry = this.#waiting[this.#head] as Waiting;
      this.#head += 1;
      const rendered = this.#session.render(entry.step, entry.texts, entry.fieldTexts);
      entry.written = true;
      if (entry.step.final) {
        this.finalSeen = true;
        this.finalEvent = rendered;
        return;
      }
      if (rendered !== null) this.#emit(rendered);
    }
    if (this.#head === this.#waiting.length) {
      this.#waiting.length = 0;
      this.#head = 0;
    } else if (this.#waiting.length - this.#head > MAX_WAITING_EVENTS) {
      throw new ClassificationError(
        'ERR_STREAM_BUFFER_EXCEEDED',
        null,
        `more than ${MAX_WAITING_EVENTS} events wait behind held text`,
      );
    }
  }
}
