// The second reading of a join window where two glued parts meet digit to digit (join-window.ts digitCutReadings): the
// separator a value lost at the cut put back, only around such cuts, and every part still a span of its segment.
import { describe, expect, it } from 'vitest';
import { CUT_REACH, digitCutReadings, type JoinWindow, PAIR_GAP } from '../../../src/classification/join-window.ts';

/** A window glued from `texts` (segment k is texts[k], read whole). */
function glued(...texts: string[]): JoinWindow {
  let at = 0;
  const parts = texts.map((text, segment) => {
    const part = { segment, at, from: 0, length: text.length };
    at += text.length;
    return part;
  });
  return { text: texts.join(''), parts };
}

describe('digitCutReadings', () => {
  it('puts back the value’s own separator at a cut between two digits, else a space', () => {
    const read = (...texts: string[]) => digitCutReadings([glued(...texts)]).map((w) => w.text);
    expect(read('5500 0055', '5555 5559')).toEqual(['5500 0055 5555 5559']);
    expect(read('ssn 219-09', '9999')).toEqual(['ssn 219-09-9999']);
    expect(read('ssn 219', '09-9999')).toEqual(['ssn 219-09-9999']);
    expect(read('55000055', '55555559')).toEqual(['55000055 55555559']);
    // a dot is read as a decimal point: two numbers stay two
    expect(read('-74.006', '51.5072')).toEqual(['-74.006 51.5072']);
  });
  it('gives no reading where no junction has a digit on both sides', () => {
    expect(digitCutReadings([glued('ssn 219-09-', '9999'), glued('abc', '123'), glued('12', 'x')])).toEqual([]);
  });
  it('keeps every part a span of its own segment, the separator in none', () => {
    const texts = ['my card is 5500 0055', '5555 5559 thanks'];
    const [reading] = digitCutReadings([glued(...texts)]);
    for (const part of reading?.parts ?? []) {
      const own = (texts[part.segment] as string).slice(part.from, part.from + part.length);
      expect(reading?.text.slice(part.at, part.at + part.length)).toBe(own);
    }
    expect(reading?.parts).toHaveLength(2);
  });
  it('reads only the text around each cut, stretches kept apart, so a long window costs its cuts', () => {
    const prose = 'word '.repeat(200);
    const window = glued(`${prose}12`, `34${prose}`, `${prose}56`, `78${prose}`);
    const [reading] = digitCutReadings([window]);
    expect(reading?.text.split(PAIR_GAP)).toHaveLength(2);
    expect(reading?.text.length).toBeLessThanOrEqual(2 * (2 * CUT_REACH + 1) + PAIR_GAP.length + 4 * 4);
    for (const part of reading?.parts ?? []) {
      expect(reading?.text.slice(part.at, part.at + part.length)).toBe(
        window.text.slice(
          window.parts[part.segment]!.at + part.from,
          window.parts[part.segment]!.at + part.from + part.length,
        ),
      );
    }
  });
});
