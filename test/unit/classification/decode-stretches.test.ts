// The text stretches of a base64 run that is not text whole (decode-stretches.ts): valid UTF-8 at any of the four
// alignments, ASCII or not, controls read through, and no run's bytes left in the module's reused buffer.
import { describe, expect, it } from 'vitest';
import { base64Stretches, stretchScratchHeld } from '../../../src/classification/decode-stretches.ts';

/** `text`'s UTF-8 bytes between `pre` and `post`, in base64, with `glued` before the run. */
const run = (text: string, pre: number[] = [], post: number[] = [], glued = '') =>
  glued + Buffer.concat([Buffer.from(pre), Buffer.from(text), Buffer.from(post)]).toString('base64');
const read = (encoded: string) => base64Stretches(encoded, ' | ').join(' | ');

describe('base64Stretches', () => {
  const texts = [
    '社会保障番号は219-09-9999です。',
    'メールはjo@ab.ioです。',
    'Ämter: 078-05-1120 geprüft',
    'my SSN is 219-09-9999',
  ];
  it.each(texts)('reads %s with stray bytes around it and a word glued before', (text) => {
    const value = /[\w.@-]{8,}/.exec(text)?.[0] as string;
    for (const [pre, post, glued] of [
      [[], [0xff], ''],
      [[0xfe, 0x80], [0xff, 0xc0], ''],
      [[], [0xff], 'x'],
      [[0x81], [], 'key_'],
    ] as const) {
      expect(read(run(text, [...pre], [...post], glued))).toContain(value);
    }
  });

  it('a multi-byte character is no break, a byte that is no UTF-8 is', () => {
    expect(read(run('日本語のテキストです', [0xff]))).toContain('日本語のテキストです');
    // Two stretches of three quads, split by a stray byte: neither is read.
    expect(read(run('abcdefghi', [], [0xff, 0x41, 0x41, ...Buffer.from('jklmnopqr')]))).toBe('');
  });

  it('a control character is no break (the main view drops it): UTF-16 text, a key with an ESC inside', () => {
    const utf16 = Buffer.concat([Buffer.from('my SSN is 219-09-9999', 'utf16le'), Buffer.from([0xff])]);
    expect(read(utf16.toString('base64')).replaceAll('\0', '')).toContain('my SSN is 219-09-9999');
    const escaped = Buffer.from('AKIAZ3MQWX\x1bR5TLPB6Y7N');
    const framed = Buffer.concat([Buffer.from([0xff, 0xfe]), escaped, Buffer.from([0xff])]).toString('base64');
    expect(read(framed)).toContain('AKIAZ3MQWX\x1bR5TLPB6Y7N');
    // Controls alone are no text: twelve NULs and five letters are no stretch at the run's own alignment.
    const controls = Buffer.concat([Buffer.from([0xff]), Buffer.alloc(12), Buffer.from('abcde'), Buffer.from([0xff])]);
    expect(read(controls.toString('base64'))).not.toContain('abcde');
  });

  it('control: binary data and identifiers hold no stretch', () => {
    const binary = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 151 + 129) % 256)).toString('base64');
    expect(base64Stretches(binary, ' | ')).toEqual([]);
    expect(base64Stretches('verifyCredentialsForTheUserAccount', ' | ')).toEqual([]);
  });

  it('leaves no base64 values in its reused buffer after a call, with or without a stretch', () => {
    for (const encoded of [
      run(texts[0] as string, [], [0xff]),
      'verifyCredentialsForTheUserAccount',
      run('x'.repeat(900), [0xff]),
    ]) {
      base64Stretches(encoded, ' | ');
      expect(stretchScratchHeld()).toBe(false);
    }
  });
});
