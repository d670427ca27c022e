// The parts of a base64 run that are text when the run whole is not (a word glued before it shifts its quads; bytes
// that are no UTF-8 before, inside or after the text spoil it whole): at each of the four alignments, the longest
// stretches of bytes that can be text, valid UTF-8 with no control character but tab, line breaks and NUL (UTF-16
// text is ASCII and NULs). Binary data is mostly control bytes and broken sequences, so its stretches are rare and
// short. Invariants: linear (four native decodes of the run and one JavaScript pass over their bytes); no run's
// bytes outlive the call that read them (the reused buffer is zeroed before return).

/** Fewest bytes in a row that can be text before part of a base64 run that is not text whole is read. */
export const MIN_TEXT_BYTES = 12;

/** Of those, fewest that are not NUL (a stretch of zero bytes is no text). */
const MIN_TEXT_VISIBLE = MIN_TEXT_BYTES / 2;

/** A character of neither base64 alphabet (line breaks and padding): taken out before the run is decoded. */
const NON_ALPHABET = /[^A-Za-z0-9+/_-]/g;

/**
 * What each byte can be in text: TEXT (tab, line feed, carriage return, NUL and printable ASCII), LEAD2/3/4 (the first
 * byte of a character of that many bytes), or BREAK (any other control, a continuation byte on its own, C0, C1, F5-FF).
 */
const BREAK = 0;
const TEXT = 1;
const LEAD2 = 2;
const LEAD3 = 3;
const LEAD4 = 4;
const BYTE_CLASS = Uint8Array.from({ length: 256 }, (_, byte) => {
  if (byte === 0x00 || byte === 0x09 || byte === 0x0a || byte === 0x0d) return TEXT;
  if (byte >= 0x20 && byte <= 0x7e) return TEXT;
  if (byte >= 0xc2 && byte <= 0xdf) return LEAD2;
  if (byte >= 0xe0 && byte <= 0xef) return LEAD3;
  if (byte >= 0xf0 && byte <= 0xf4) return LEAD4;
  return BREAK;
});

/**
 * The decoded bytes of the run being read (reused: most runs read are identifiers or binary that hold no stretch);
 * zeroed over the part used before each call returns, so no run's bytes outlive its call (a core dump holds none).
 */
let scratch = Buffer.alloc(0);

/**
 * At each of the four alignments, every stretch of at least MIN_TEXT_BYTES bytes that can be text (BYTE_CLASS, a
 * character of two to four bytes whole and no C1 control, overlong form, surrogate or code point past U+10FFFF),
 * decoded; an alignment's stretches joined by `gap`, one text an alignment that has any. A last group of two or three
 * characters is one or two bytes, as a decoder reads a run without its padding.
 */
export function base64Stretches(run: string, gap: string): string[] {
  NON_ALPHABET.lastIndex = 0;
  const clean = NON_ALPHABET.test(run) ? run.replace(NON_ALPHABET, '') : run;
  const most = Math.ceil((clean.length * 3) / 4);
  if (most < MIN_TEXT_BYTES) return [];
  if (scratch.length < most) scratch = Buffer.alloc(Math.max(most, 2 * scratch.length));
  const bytes = scratch;
  let used = 0;
  try {
    const texts: string[] = [];
    for (let shift = 0; shift < 4; shift += 1) {
      // Node's decoder reads both alphabets and a last group of two or three characters.
      const length = bytes.write(shift === 0 ? clean : clean.slice(shift), 0, 'base64');
      used = Math.max(used, length);
      const stretches = textStretches(bytes, length);
      if (stretches !== undefined) texts.push(stretches.join(gap));
    }
    return texts;
  } finally {
    bytes.fill(0, 0, used);
  }
}

/** Whether the reused buffer of decoded bytes holds anything between calls (it must not: tests check it). */
export function stretchScratchHeld(): boolean {
  return scratch.some((byte) => byte !== 0);
}

/** The stretches of `bytes[0, length)` that can be text (base64Stretches), decoded; undefined when there is none. */
function textStretches(bytes: Buffer, length: number): string[] | undefined {
  let stretches: string[] | undefined;
  let start = 0;
  let visible = 0; // bytes of the stretch under way that are not NUL
  let at = 0;
  while (at <= length) {
    const kind = at < length ? (BYTE_CLASS[bytes[at] as number] as number) : BREAK;
    if (kind === TEXT) {
      if (bytes[at] !== 0) visible += 1;
      at += 1;
      continue;
    }
    if (kind !== BREAK && isCharacterAt(bytes, at, kind, length)) {
      visible += kind;
      at += kind;
      continue;
    }
    if (at - start >= MIN_TEXT_BYTES && visible >= MIN_TEXT_VISIBLE) {
      stretches ??= [];
      stretches.push(bytes.toString('utf8', start, at));
    }
    at += 1;
    start = at;
    visible = 0;
  }
  return stretches;
}

/** Whether a character of `size` bytes whose lead byte is at `at` is whole and valid, and no C1 control. */
function isCharacterAt(bytes: Buffer, at: number, size: number, length: number): boolean {
  if (at + size > length) return false;
  const lead = bytes[at] as number;
  const second = bytes[at + 1] as number;
  if ((second & 0xc0) !== 0x80) return false;
  // C1 controls (U+0080-U+009F), overlong forms, surrogates, past U+10FFFF.
  if (lead === 0xc2 && second < 0xa0) return false;
  if ((lead === 0xe0 && second < 0xa0) || (lead === 0xed && second >= 0xa0)) return false;
  if ((lead === 0xf0 && second < 0x90) || (lead === 0xf4 && second >= 0x90)) return false;
  for (let k = 2; k < size; k += 1) if (((bytes[at + k] as number) & 0xc0) !== 0x80) return false;
  return true;
}
