// A DER private key written as a literal of its bytes rather than as text: percent-encoded (`key=%30%2e%02%01…`, a
// form field or a URL) or as Python's bytes repr (`b'0\x82\x04\xbd\x02\x01…'`: printable bytes as themselves). Such
// a literal is binary, never valid UTF-8, so the escape scans never read it: these readers give its bytes as hex
// digits to the DER reader (decode-der.ts), and a key found covers the whole literal. Each reads its literal once.
import { isHexDigit } from './decode-bytes.ts';

/** A percent-encoded run's bytes as hex digits: each `%XX` its two digits, each other character its own code. */
export function percentBytesAsHex(run: string): string {
  let hex = '';
  for (let i = 0; i < run.length; i += 1) {
    const code = run.charCodeAt(i);
    if (code === 0x25 && isHexDigit(run.charCodeAt(i + 1)) && isHexDigit(run.charCodeAt(i + 2))) {
      hex += run.slice(i + 1, i + 3);
      i += 2;
    } else hex += code.toString(16).padStart(2, '0');
  }
  return hex;
}

/** A Python bytes literal of a text: from its `b` to past its closing quote, and its bytes as hex digits. */
export interface BytesLiteral {
  start: number;
  end: number;
  hex: string;
}

/**
 * The Python bytes literals of a text that may hold a DER key (`b'0…'` or `b"0…"`: a key's first byte is `0`,
 * 0x30), single-quoted ones first. Each parse stops at the next quote, so the scan is linear.
 */
export function* pythonBytesLiterals(text: string): Generator<BytesLiteral> {
  for (const quote of ["b'0", 'b"0']) {
    for (let i = text.indexOf(quote); i >= 0; i = text.indexOf(quote, i + 1)) {
      const literal = pythonBytesAsHex(text, i + 1);
      if (literal !== undefined) yield { start: i, end: literal.end, hex: literal.hex };
    }
  }
}

/** Python's escapes of one character in a bytes literal: `\n` `\t` `\r` `\\` `\'` `\"`. */
const PYTHON_ESCAPES: Record<string, number> = { n: 0x0a, t: 0x09, r: 0x0d, '\\': 0x5c, "'": 0x27, '"': 0x22 };

/** A Python bytes literal's bytes as hex digits, from its opening quote at `at` to past its closing one; else undefined. */
function pythonBytesAsHex(text: string, at: number): { hex: string; end: number } | undefined {
  const quote = text[at];
  let hex = '';
  for (let i = at + 1; i < text.length; ) {
    const char = text[i] as string;
    const code = text.charCodeAt(i);
    if (char === quote) return { hex, end: i + 1 };
    if (code < 0x20 || code >= 0x7f) return undefined;
    if (char !== '\\') {
      hex += code.toString(16).padStart(2, '0');
      i += 1;
    } else if (text[i + 1] === 'x' && isHexDigit(text.charCodeAt(i + 2)) && isHexDigit(text.charCodeAt(i + 3))) {
      hex += text.slice(i + 2, i + 4);
      i += 4;
    } else {
      const byte = PYTHON_ESCAPES[text[i + 1] as string];
      if (byte === undefined) return undefined;
      hex += byte.toString(16).padStart(2, '0');
      i += 2;
    }
  }
  return undefined;
}
