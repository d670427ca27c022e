// The parts of a base64 run that are text when the run whole is not (a word glued before it shifts its quads; bytes
// that are no UTF-8 before, inside or after the text spoil it whole): at each of the four alignments, the longest
// stretches of valid UTF-8, ASCII or not. A control character or a character the main view drops is no break (a key
// with an ESC between its halves is read as the main view reads it: review s10), but only the other characters count
// towards a stretch's length. Invariants: linear (four native decodes of the run and one JavaScript pass over their
// bytes); no run's bytes outlive the call that read them (the reused buffer is zeroed before return).

/** Fewest bytes in a row of valid UTF-8 before part of a base64 run that is not text whole is read. */
export const MIN_TEXT_BYTES = 12;

/** Of those, fewest that are printable (no control character: a stretch of zero bytes is no text). */
const MIN_TEXT_VISIBLE = MIN_TEXT_BYTES / 2;

/** A character of neither base64 alphabet (line breaks and padding): taken out before the run is decoded. */
const NON_ALPHABET = /[^A-Za-z0-9+/_-]/g;

/**
 * What each byte is in UTF-8: TEXT (printable ASCII, tab, line feed, carriage return), CONTROL (any other C0 control
 * and DEL: valid, dropped by the main view), LEAD2/3/4 (the first byte of a character of that many bytes), or BREAK (a
 * continuation byte on its own, C0, C1, F5-FF: no UTF-8).
 */
const BREAK = 0;
const TEXT = 1;
const LEAD2 = 2;
const LEAD3 = 3;
const LEAD4 = 4;
const CONTROL = 5;
const BYTE_CLASS = Uint8Array.from({ length: 256 }, (_, byte) => {
  if (byte === 0x09 || byte === 0x0a || byte === 0x0d) return TEXT;
  if (byte >= 0x20 && byte <= 0x7e) return TEXT;
  if (byte < 0x20 || byte === 0x7f) return CONTROL;
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
 * At each of the four alignments, every stretch of at least MIN_TEXT_BYTES bytes of valid UTF-8 (a character of two to
 * four bytes whole; a control character counts towards neither MIN_TEXT_VISIBLE nor a break), decoded; an alignment's
 * stretches joined by `gap`, one text an alignment that has any. A last group of two or three characters is one or two
 * bytes, as a decoder reads a run without its padding.
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

/** The stretches of `bytes[0, length)` of valid UTF-8 (base64Stretches), decoded; undefined when there is none. */
export function textStretches(bytes: Buffer, length: number): string[] | undefined {
  let stretches: string[] | undefined;
  let start = 0;
  let visible = 0; // bytes of the stretch under way that are no control character
  let at = 0;
  while (at <= length) {
    const kind = at < length ? (BYTE_CLASS[bytes[at] as number] as number) : BREAK;
    if (kind === TEXT || kind === CONTROL) {
      if (kind === TEXT) visible += 1;
      at += 1;
      continue;
    }
    if (kind !== BREAK && isCharacterAt(bytes, at, kind, length)) {
      // A C1 control (U+0080-U+009F) is a control too.
      if (kind !== LEAD2 || bytes[at] !== 0xc2 || (bytes[at + 1] as number) >= 0xa0) visible += kind;
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

/**
 * Whether a character of `size` bytes whose lead byte is at `at` is whole: its continuation bytes follow (overlong
 * forms and surrogates too, which a decoder reads as U+FFFD and the main view drops, as it always did here).
 */
function isCharacterAt(bytes: Buffer, at: number, size: number, length: number): boolean {
  if (at + size > length) return false;
  for (let k = 1; k < size; k += 1) if (((bytes[at + k] as number) & 0xc0) !== 0x80) return false;
  return true;
}
