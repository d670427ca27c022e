// Classifies a text that arrives in chunks (a streamed model answer) and releases it only when it is safe to judge:
// the last `window` characters are held back, and so is any finding that reaches into them, so a value split across
// chunks is seen whole before any of it is released. Guarantee: every value the classifier finds in the whole text
// whose match (with the context the recognizer needs after it) spans at most `window` characters is reported in the
// chunk that releases it, with offsets inside that chunk. Held text beyond `maxBuffer` is an error (fail closed).
import { ClassificationError } from './errors.ts';
import type { Classifier, Finding } from './types.ts';

export interface StreamScannerOptions {
  classifier: Classifier;
  /** The segment path findings carry (e.g. "choices[0].delta.content"). */
  path: string;
  /** Characters held back at the end of the buffer (default 256). */
  window?: number;
  /** Most characters ever held (default 65,536); a finding that keeps growing past it throws ERR_STREAM_BUFFER_EXCEEDED. */
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
  push(chunk: string): ScannedChunk;
  /** Releases everything held; call once, when the stream ends. */
  end(): ScannedChunk;
}

/** Released text kept as leading context, so context words before a value still count. */
const CONTEXT_CHARS = 64;

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

export function createStreamScanner(opts: StreamScannerOptions): StreamScanner {
  const window = opts.window ?? 256;
  const maxBuffer = opts.maxBuffer ?? 65_536;
  if (!Number.isSafeInteger(window) || window < 1 || !Number.isSafeInteger(maxBuffer) || maxBuffer < window) {
    throw new RangeError('window must be a positive integer and maxBuffer at least window');
  }
  let context = ''; // tail of released text
  let pending = ''; // held text
  let released = 0; // characters released so far
  let ended = false;

  function release(final: boolean): ScannedChunk {
    const text = context + pending;
    const findings = text.length === 0 ? [] : opts.classifier.classify([{ path: opts.path, text }]).findings
      .filter((f) => f.end > context.length);
    let cut = final ? text.length : Math.max(context.length, text.length - window);
    if (!final) {
      // Move the cut back to the start of any finding that crosses it (repeat: findings may chain).
      for (let moved = true; moved;) {
        moved = false;
        for (const f of findings) {
          const earlier = Math.max(context.length, f.start);
          if (f.start < cut && f.end > cut && earlier < cut) {
            cut = earlier;
            moved = true;
          }
        }
      }
      if (cut > context.length && isLowSurrogate(text.charCodeAt(cut))) cut -= 1;
    }
    const out = text.slice(context.length, cut);
    const base = context.length;
    const inside = findings.filter((f) => f.start < cut).map((f) => ({ ...f, start: Math.max(0, f.start - base), end: f.end - base }));
    const chunk: ScannedChunk = { text: out, offset: released, findings: inside };
    released += out.length;
    pending = text.slice(cut);
    context = text.slice(Math.max(0, cut - CONTEXT_CHARS), cut);
    if (pending.length > maxBuffer) {
      throw new ClassificationError('ERR_STREAM_BUFFER_EXCEEDED', null, `more than ${maxBuffer} characters held back`);
    }
    return chunk;
  }

  return {
    push(chunk) {
      if (ended) throw new ClassificationError('ERR_STREAM_ENDED', null, 'push after end');
      pending += chunk;
      // Nothing can be released while no more than `window` characters are held (the cut could not pass them), so
      // classifying now would be wasted: a streamed answer arrives a few characters per event.
      if (pending.length <= window) return { text: '', offset: released, findings: [] };
      return release(false);
    },
    end() {
      if (ended) throw new ClassificationError('ERR_STREAM_ENDED', null, 'end called twice');
      ended = true;
      return release(true);
    },
  };
}
