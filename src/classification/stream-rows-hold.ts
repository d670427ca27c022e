// What a stream scanner must also hold back for a JSON result's rows that come before their column list
// (table-context-json.ts: a `"data"`/`"rows"`/… array with no list before it is headed by a list whose key starts within
// LIST_AFTER characters after the array's end, `{"data": [...], "columns": [...]}`): the whole text reads an `ssn`
// column's cells as SSNs, a stream released them as they came. While such an array is open, or closed with no more
// than TAIL_MOST characters that are not blank after it (the list's key may still be arriving), it is held from its
// key, at most MAX_WAITING_ROWS characters; past that the scanner fails (ERR_STREAM_BUFFER_EXCEEDED: closed, as a
// held match past maxBuffer does). Invariants: only holds more; one pass over the text's keys and one rows scan each
// (linear); offsets are offsets into the scanned text.
import { ClassificationError } from './errors.ts';
import { readRows } from './table-context-json-rows.ts';

/** Most characters held for rows whose column list may still come (from their key to the text's end). */
export const MAX_WAITING_ROWS = 8192;

/** table-context-json.ts LIST_AFTER: most characters between a rows array's end and the list key after it. */
const LIST_AFTER = 256;

/**
 * Most characters that are not blank after a rows array's end while a list key may still come: LIST_AFTER, the key
 * (64 characters and its quotes), `:` and `[` (blanks between them are unbounded, so they are not counted).
 */
const TAIL_MOST = LIST_AFTER + 70;

/** A key (quoted: group 1; unquoted after `{` or `,`: group 2) and its array's `[` (table-context-json.ts TABLE_KEY). */
const ARRAY_KEY = /(?:["']([^"'\\\r\n]{1,64})["']|[{,]\s*([A-Za-z_$][\w$]{0,63}))\s*:\s*\[/g;

/** A rows key and a column list's key, as table-context-json.ts reads them (lower-cased, letters and digits only). */
const ROWS_KEY = /^(?:data|rows|values|dataarray|result|records)$/;
const LIST_KEY = /^(?:columns|rowtype|meta|fields|headers?|cols|colnames|columnnames|fieldnames|columninfo)$/;

/** Characters of `text` from `from` that are not blank, counted up to `most + 1`. */
function solidCount(text: string, from: number, most: number): number {
  let count = 0;
  for (let at = from; at < text.length && count <= most; at += 1) if (text.charCodeAt(at) > 0x20) count += 1;
  return count;
}

/**
 * Where rows whose column list may still arrive start in `text` (their key), or `text.length`; throws when they are
 * held past MAX_WAITING_ROWS.
 */
export function waitingRowsFrom(text: string): number {
  if (!text.includes('[')) return trailingRowsKey(text);
  let listed = false; // a column list came since the last rows array: it heads the next one
  ARRAY_KEY.lastIndex = 0;
  for (let m = ARRAY_KEY.exec(text); m !== null; m = ARRAY_KEY.exec(text)) {
    const key = (m[1] ?? m[2] ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
    if (LIST_KEY.test(key)) {
      listed = true;
      continue;
    }
    if (!ROWS_KEY.test(key)) continue;
    const open = m.index + m[0].length - 1;
    const rows = readRows(text, open);
    ARRAY_KEY.lastIndex = Math.max(open + 1, rows.end);
    if (listed) {
      listed = false;
      continue;
    }
    const stillOpen = rows.end === text.length;
    if (!stillOpen && (rows.starts.length === 0 || solidCount(text, rows.end, TAIL_MOST) > TAIL_MOST)) continue;
    // No positional cell yet under an array whose first item is an object or a scalar: no list can head what came
    // (an object row names its own cells; one with an `f`/`c` cells array has cells as soon as that array opens, and
    // then it is held). Without this a streamed `{"data": [{…}, …]}` past MAX_WAITING_ROWS failed whole.
    if (rows.starts.length === 0 && firstItem(text, open) !== undefined && firstItem(text, open) !== '[') continue;
    // Rows still waiting for their list: the key after them cannot have come yet (it would be this array's list).
    if (text.length - m.index > MAX_WAITING_ROWS) {
      throw new ClassificationError(
        'ERR_STREAM_BUFFER_EXCEEDED',
        null,
        `more than ${MAX_WAITING_ROWS} characters of rows held for a column list`,
      );
    }
    return m.index;
  }
  return trailingRowsKey(text);
}

/** The first character that is not blank after the `[` at `open`, or undefined when none has come yet. */
function firstItem(text: string, open: number): string | undefined {
  for (let at = open + 1; at < text.length; at += 1) if (text.charCodeAt(at) > 0x20) return text[at];
  return undefined;
}

/**
 * Where a rows key at the end of `text` starts (`"data":` and blanks, its `[` still to come), or `text.length`: held
 * like its rows, so blanks after it cannot push it out of the look-behind before the rows arrive.
 */
function trailingRowsKey(text: string): number {
  let at = text.length;
  while (at > 0 && text.charCodeAt(at - 1) <= 0x20) at -= 1;
  if (text[at - 1] === ':') at -= 1;
  while (at > 0 && text.charCodeAt(at - 1) <= 0x20) at -= 1;
  const quote = text[at - 1];
  if (quote !== '"' && quote !== "'") return text.length;
  const start = text.lastIndexOf(quote, at - 2);
  if (start < 0 || at - start > 66) return text.length;
  const key = text
    .slice(start + 1, at - 1)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
  if (!ROWS_KEY.test(key) || text.length - start > MAX_WAITING_ROWS) return text.length;
  return start;
}
