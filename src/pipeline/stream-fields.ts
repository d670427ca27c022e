// A streamed answer's fields (every string and key list of an event but its answer text: ids, tool names, the model,
// stop sequences...): classified whole before their event is written, the values and the key lists of an event each as
// one sequence (as the plain answer's screen joins neighbours), and returned as the client may see them. Invariants:
// a sequence is remembered only whole (a value clean alone may complete a value with a new neighbour); a key list
// found clean is remembered across streams (a classification is a function of its segments alone); each distinct
// value's findings count once per stream.
import { createHash } from 'node:crypto';
import {
  type Classification,
  type ClassifyOptions,
  cleanMemo,
  type Finding,
  isCleanResult,
  type TextSegment,
} from '../classification/index.ts';
import type { AnswerSegment } from '../providers/index.ts';
import type { StreamObligations } from './stream-obligations.ts';

/** Field values up to this many characters are their own cache key; longer ones are keyed by their SHA-256. */
const FIELD_KEY_RAW_CHARS = 64;

/** A sequence of fields up to this many characters (paths, texts and lengths) is its own key; longer: its SHA-256. */
const SEQUENCE_KEY_RAW_CHARS = 1024;

/** Sequences remembered per stream, and clean key-list sequences remembered per classifier (the oldest out first). */
export const FIELD_CACHE_ENTRIES = 4096;
export const CLEAN_KEY_LISTS = 256;

/** Classifies fields: the pipeline's pool (a large batch on a thread). It MAY reject; the stream then fails closed. */
export interface FieldClassifier {
  classify(segments: readonly TextSegment[], options?: ClassifyOptions): Classification | Promise<Classification>;
}

type ByField = ReadonlyMap<number, Finding[]>;

const NONE: ByField = new Map();

/** A field the consumer reads with the text around it (a tool or function name): also scanned in order. */
export function isName(field: AnswerSegment): boolean {
  return !field.keys && field.text.length > 0 && (field.path === 'name' || field.path.endsWith('.name'));
}

/** A field's identity in a stream: a short value is its own key (an event may carry 20k), a long one its SHA-256. */
export function fieldKey(f: AnswerSegment): string {
  // A hash never starts with k or v.
  return f.text.length <= FIELD_KEY_RAW_CHARS
    ? (f.keys ? 'k' : 'v') + f.text
    : `#${createHash('sha256')
        .update(f.keys ? 'k' : 'v')
        .update(f.text)
        .digest('base64')}`;
}

/** One stream's field screen. */
export function createFieldScreen(classifier: FieldClassifier, verdict: StreamObligations) {
  /** Findings by field index, per sequence of fields: an event repeating another's fields is not classified again. */
  const screened = new Map<string, ByField>();
  /** Fields whose findings were counted: each distinct value's findings count once per stream. */
  const counted = new Set<string>();
  /** Field values already read in order (a value every event repeats, the model, is read with the text once). */
  const read = new Set<string>();
  /** Clean key-list sequences of this classifier: an answer's property names repeat from stream to stream. */
  const clean = cleanMemo(classifier, 'stream-key-lists', CLEAN_KEY_LISTS);

  /** The sequence's identity: its paths and texts with their lengths (no two sequences share one). */
  const sequenceOf = (fields: readonly AnswerSegment[], list: readonly number[]): string => {
    let raw = '';
    for (const i of list) {
      const f = fields[i] as AnswerSegment;
      raw += `${f.path.length}:${f.path}${f.text.length}:${f.text}`;
      if (raw.length > SEQUENCE_KEY_RAW_CHARS) break;
    }
    if (raw.length <= SEQUENCE_KEY_RAW_CHARS) return `=${raw}`;
    const hash = createHash('sha256');
    for (const i of list) {
      const f = fields[i] as AnswerSegment;
      hash.update(`${f.path.length}:${f.path}${f.text.length}:`).update(f.text);
    }
    return `#${hash.digest('base64')}`;
  };

  /** One list of an event's fields (its values, or its key lists) classified as the event has them, or from cache. */
  const screenList = async (
    fields: readonly AnswerSegment[],
    list: readonly number[],
    keys: readonly string[],
    keyLists: boolean,
  ): Promise<ByField> => {
    if (list.length === 0) return NONE;
    const sequence = sequenceOf(fields, list);
    const cached = screened.get(sequence) ?? (keyLists && clean.get(sequence) !== undefined ? NONE : undefined);
    if (cached !== undefined) return cached;
    const result = await classifier.classify(
      list.map((i) => ({ path: fields[i]?.path ?? '', text: fields[i]?.text ?? '' })),
    );
    const byField = new Map<number, Finding[]>();
    for (const f of result.findings) {
      const i = list[f.segment] as number;
      const own = byField.get(i);
      if (own === undefined) byField.set(i, [{ ...f, segment: 0 }]);
      else own.push({ ...f, segment: 0 });
    }
    for (const [i, findings] of byField) {
      if (counted.has(keys[i] as string)) continue;
      counted.add(keys[i] as string);
      verdict.count(findings);
    }
    if (keyLists && isCleanResult(result)) clean.remember(sequence, result);
    else if (screened.size < FIELD_CACHE_ENTRIES) screened.set(sequence, byField);
    return byField;
  };

  return {
    /** An event's fields as the client may see them (verdict.blockedTypes set on a block). */
    async screen(fields: readonly AnswerSegment[], keys: readonly string[]): Promise<string[]> {
      // Values and key lists classified apart (as in response-screen.ts: joined neighbours would share findings).
      const values: number[] = [];
      const names: number[] = [];
      fields.forEach((field, i) => (field.keys ? names : values).push(i));
      const [ofValues, ofNames] = await Promise.all([
        screenList(fields, values, keys, false),
        screenList(fields, names, keys, true),
      ]);
      return fields.map((field, i) => {
        const findings = (field.keys ? ofNames : ofValues).get(i) ?? [];
        return verdict.enforce && findings.length > 0 ? verdict.apply(field.text, findings, field.keys) : field.text;
      });
    },
    /**
     * Whether a field is read by the scanner in order with the text: a name every time, another value the first time
     * it comes (a value split between the text and a call's id or a stop sequence is found).
     */
    readInOrder(field: AnswerSegment, key: string): boolean {
      if (!verdict.enforce || field.keys || field.text.length === 0) return false;
      if (isName(field)) return true;
      if (read.has(key)) return false;
      if (read.size < FIELD_CACHE_ENTRIES) read.add(key);
      return true;
    },
  };
}

export type FieldScreen = ReturnType<typeof createFieldScreen>;
