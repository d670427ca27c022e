// Packed word sets (src/classification/packed-words.ts): the same membership as a Set of the same words, exactly (no
// false positive: a Bloom filter's answers would fail here), whatever the words' lengths and code units, through a
// table that grew as words were added and one that was sent to another thread's view of the same memory.
import fc from 'fast-check';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { nameLists } from '../../../src/classification/person-name-lists.ts';
import { PackedWords, type PackedWordsData, WordPacker } from '../../../src/classification/packed-words.ts';

const packed = (words: readonly string[]) => {
  const packer = new WordPacker();
  for (const word of words) packer.add(word);
  return { packer, set: new PackedWords(packer.pack()) };
};

/** Near misses of each word: a prefix, an extension, one code unit changed, another case. */
const probesOf = (words: readonly string[]) =>
  words.flatMap((w) => [w, w.slice(0, -1), `${w}a`, `${w}\u00ff`, `${w.slice(1)}`, w.toUpperCase(), `x${w}`]);

describe('packed words', () => {
  it('answers as a Set does for words of Latin-1, of wider code units and past 255 code units', () => {
    const words = ['zoë', 'dujmović', 'ōtani', 'a'.repeat(255), 'b'.repeat(256), '', 'æøå', 'x', 'zoe', '\u0000'];
    const { packer, set } = packed(words);
    const expected = new Set(words);
    for (const probe of probesOf(words)) {
      expect([probe, set.has(probe)]).toEqual([probe, expected.has(probe)]);
      expect([probe, packer.has(probe)]).toEqual([probe, expected.has(probe)]);
    }
    expect(set.size).toBe(expected.size);
    expect(new Set(set)).toEqual(expected);
  });

  it('holds each word once and every word through the table growing (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 3000 }), (words) => {
        const { set } = packed(words);
        const expected = new Set(words);
        expect(set.size).toBe(expected.size);
        for (const probe of probesOf(words.slice(0, 300))) expect(set.has(probe)).toBe(expected.has(probe));
        expect([...set].sort()).toEqual([...expected].sort());
      }),
      { numRuns: 40 },
    );
  });

  it('reads the same memory after a structured clone (a thread is sent the buffers, not a copy)', () => {
    const { set } = packed(['maria', 'zoë', 'grant']);
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(set.data);
    const clone = receiveMessageOnPort(port2)?.message as PackedWordsData;
    port1.close();
    expect(clone.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    const there = new PackedWords(clone);
    expect(['maria', 'zoë', 'grant', 'marie'].map((w) => there.has(w))).toEqual([true, true, true, false]);
    // Shared, not copied: a change through one view is seen through the other (never done outside this test).
    clone.bytes[clone.bytes.indexOf('m'.charCodeAt(0))] = 'n'.charCodeAt(0);
    expect(set.has('maria')).toBe(false);
  });

  it('gives the name lists as packed sets that the name checks read through has()', () => {
    const lists = nameLists();
    expect(lists.names).toBeInstanceOf(PackedWords);
    expect(lists.names.has('maria')).toBe(true);
    expect(lists.everyday.has('grant')).toBe(true);
    expect(lists.names.has('mariaa')).toBe(false);
  });

  it('leaves the name lists for threads started after them: the same shared buffers, not a build of their own', async () => {
    const lists = nameLists() as unknown as Record<string, PackedWords>;
    // What person-name-lists.ts reads in a thread before it would build (its SHARED_LISTS key).
    const thread = new Worker(
      `const { getEnvironmentData, parentPort } = require('node:worker_threads');
       const data = getEnvironmentData('proctor:person-name-lists');
       parentPort.postMessage(Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) =>
         [k, v.bytes.buffer instanceof SharedArrayBuffer ? v.bytes.byteLength : -1])));`,
      { eval: true },
    );
    const seen = await new Promise((resolve, reject) => thread.once('message', resolve).once('error', reject));
    await thread.terminate();
    const here = Object.fromEntries(Object.entries(lists).map(([k, v]) => [k, v.data.bytes.byteLength]));
    expect(Object.keys(here)).toHaveLength(6);
    expect(seen).toEqual(here);
  });
});
