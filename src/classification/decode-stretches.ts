// The parts of a base64 run that are text when the run whole is not (a word glued before it shifts its quads; bytes
// that are no UTF-8 before, inside or after the text spoil it whole): at each of the four alignments, the longest
// stretches of quads whose bytes are valid UTF-8, ASCII or not. Invariants: each character is read a bounded number of
// times (linear); no run's base64 values outlive the call that read them (the reused buffer is zeroed before return).
import { base64Value, isBase64Char } from './decode-bytes.ts';

/** Fewest quads in a row of valid UTF-8 before part of a base64 run that is not text whole is read (12 bytes). */
export const MIN_TEXT_QUADS = 4;

const lossy = new TextDecoder('utf-8');

/** A character's base64 value (either alphabet) by its code, NONE for a character of no quad (one lookup). */
const NONE = 0xff;
const VALUES = Uint8Array.from({ length: 128 }, (_, code) => (isBase64Char(code) ? base64Value(code) : NONE));

/**
 * The base64 values of the run being read (reused: most runs read are identifiers that hold no stretch); zeroed over
 * the part used before each call returns, so no run's values outlive its call (a core dump holds no text of it).
 */
let scratch = new Uint8Array(256);

/**
 * At each of the four alignments, every stretch of at least MIN_TEXT_QUADS quads whose bytes are valid UTF-8 (a
 * character of two to four bytes may cross quads; a run of ASCII is one case), with the quad on each side, read as
 * TextDecoder reads it (a byte that is no UTF-8, or a character cut at a stretch's end, as U+FFFD, which the main view
 * drops); an alignment's stretches joined by `gap`, one text an alignment that has any. Each character is read five
 * times at most (once to its value, once a shift) plus once where a stretch is decoded.
 */
export function base64Stretches(run: string, gap: string): string[] {
  if (scratch.length < run.length) scratch = new Uint8Array(run.length * 2);
  const values = scratch;
  let n = 0;
  for (let i = 0; i < run.length; i += 1) {
    const value = VALUES[run.charCodeAt(i)] ?? NONE; // line breaks and padding are no quad's
    if (value !== NONE) values[n++] = value;
  }
  try {
    const texts: string[] = [];
    for (let shift = 0; shift < 4; shift += 1) {
      const stretches = shiftStretches(values, n, shift);
      if (stretches !== undefined) texts.push(stretches.join(gap));
    }
    return texts;
  } finally {
    values.fill(0, 0, n);
  }
}

/** Whether the reused buffer of base64 values holds anything between calls (it must not: tests check it). */
export function stretchScratchHeld(): boolean {
  return scratch.some((value) => value !== 0);
}

/**
 * The stretches of `n` base64 values read from `shift`, decoded; undefined when there is none. A last group of two or
 * three values is a quad of one or two bytes, as a decoder reads a run without its padding.
 */
function shiftStretches(values: Uint8Array, n: number, shift: number): string[] | undefined {
  if (n - shift < 4 * MIN_TEXT_QUADS - 2) return undefined; // too short for a stretch (the last quad may be 2 values)
  const whole = Math.floor((n - shift) / 4);
  const rest = n - shift - 4 * whole;
  const quads = whole + (rest >= 2 ? 1 : 0);
  let stretches: string[] | undefined;
  let streak = 0; // quads of valid UTF-8 in a row before quad q
  let pending = 0; // continuation bytes the current character still needs
  for (let q = 0; q <= quads; q += 1) {
    let valid = q < quads;
    if (valid) {
      const quad = quadAt(values, shift + 4 * q, n);
      const last = q < whole ? 0 : 8 * (4 - rest); // the lowest bit of the quad's last byte
      for (let k = 16; k >= last; k -= 8) {
        const byte = (quad >>> k) & 0xff;
        if (pending > 0) {
          if ((byte & 0xc0) === 0x80) {
            pending -= 1;
            continue;
          }
          valid = false; // a character cut short; the byte may start the next stretch
          pending = 0;
        }
        if (byte < 0x80) continue;
        if (byte >= 0xc2 && byte <= 0xf4) pending = byte < 0xe0 ? 1 : byte < 0xf0 ? 2 : 3;
        else valid = false;
      }
    }
    if (valid) {
      streak += 1;
      continue;
    }
    if (streak >= MIN_TEXT_QUADS) {
      const from = Math.max(0, q - streak - 1);
      const to = Math.min(quads, q + 1);
      const bytes = quadBytes(values, n, shift, from, to, to > whole ? rest - 1 : 3);
      stretches ??= [];
      stretches.push(lossy.decode(bytes));
      bytes.fill(0); // the text's bytes are not left behind outside the heap either
    }
    streak = 0;
  }
  return stretches;
}

/** The 24 bits of the quad at `at` (values past `n` read as 0). */
function quadAt(values: Uint8Array, at: number, n: number): number {
  if (at + 3 < n) {
    return (
      ((values[at] as number) << 18) |
      ((values[at + 1] as number) << 12) |
      ((values[at + 2] as number) << 6) |
      (values[at + 3] as number)
    );
  }
  let quad = 0;
  for (let k = 0; k < 4; k += 1) quad = (quad << 6) | (at + k < n ? (values[at + k] as number) : 0);
  return quad;
}

/** The bytes of quads [from, to) of base64 values read from `shift`, the last holding `lastBytes` of its three. */
function quadBytes(values: Uint8Array, n: number, shift: number, from: number, to: number, lastBytes: number): Buffer {
  const bytes = Buffer.alloc((to - from) * 3 - (3 - lastBytes));
  for (let q = from, b = 0; q < to; q += 1, b += 3) {
    const quad = quadAt(values, shift + 4 * q, n);
    for (let k = 0; k < 3 && b + k < bytes.length; k += 1) bytes[b + k] = (quad >>> (16 - 8 * k)) & 0xff;
  }
  return bytes;
}
