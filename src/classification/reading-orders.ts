// The orders a classify call joins besides the list itself (segment-join.ts): the segments of one location (role), of
// one path shape, and the reading orders that leave labels out (ids, types, names a consumer does not read as text).
// Linear: paths are read up to MAX_SHAPE_PATH characters; a segment is in at most one order of each kind.
import type { TextSegment } from './types.ts';

/** The segments of each group (of two or more), in order; segments without a group are left out. */
function ordersBy(segments: readonly TextSegment[], groupOf: (segment: TextSegment) => string | undefined): number[][] {
  const groups = new Map<string, number[]>();
  segments.forEach((segment, i) => {
    const group = groupOf(segment);
    if (group === undefined) return;
    let order = groups.get(group);
    if (order === undefined) groups.set(group, (order = []));
    order.push(i);
  });
  return [...groups.values()].filter((order) => order.length > 1);
}

/**
 * Paths longer than this have no shape (not joined by shape): reading every path of a deeply nested body whole would
 * cost the square of its depth (10,000 levels: 10^8 characters), and siblings worth joining sit near the top.
 */
export const MAX_SHAPE_PATH = 256;

/**
 * A path with every array index written `[*]`: `content[1].text` → `content[*].text` (no RegExp on request data);
 * undefined for a path longer than MAX_SHAPE_PATH.
 */
export function pathShape(path: string): string | undefined {
  if (path.length > MAX_SHAPE_PATH) return undefined;
  let shape = '';
  let copied = 0; // path[0, copied) is in shape
  for (let i = path.indexOf('['); i >= 0; i = path.indexOf('[', i + 1)) {
    let end = i + 1;
    while (end < path.length && path.charCodeAt(end) >= 0x30 && path.charCodeAt(end) <= 0x39) end += 1;
    if (end === i + 1 || path[end] !== ']') continue;
    shape += `${path.slice(copied, i + 1)}*`;
    copied = end;
  }
  return copied === 0 ? path : shape + path.slice(copied);
}

/**
 * The orders to join besides the list itself: the segments of each location (role), and the segments of each path
 * shape (`messages[*].content`, `content[*].text`), in order, so a value split over two user turns with an assistant
 * turn between (`219-09-` | `go on` | `9999`), or over two text blocks of an answer with their `type` between, is
 * joined too; and the reading orders, every segment but some labels (LABEL_KEYS): (1) no label, (2) names and the
 * model kept (READ_LABELS), (3) every label kept but closed labels (isClosedLabel: an enumerated field's `assistant`,
 * `function`, `end_turn`), so an id, which no adapter can close (`chatcmpl-…`, `ghp_`, a client's tool call id), is
 * joined with the text or arguments after it and with a name beside it, (4) the same without names and the model, so an
 * id and the text or arguments past a name or model that is no closed token (`gpt-4o`, `lookup2`) are joined too, and
 * (5) no label and no property-name list (isKeyList), so a text and a tool input's value are joined past the input's
 * keys. The third to fifth leave property-name lists out too (`{"q": …}`: `q` between an id and its value). A segment
 * is in at most one order of each kind (each order its segments once).
 */
export function joinOrders(segments: readonly TextSegment[]): number[][] {
  const reading: number[] = [];
  const named: number[] = [];
  const open: number[] = [];
  const ids: number[] = [];
  const content: number[] = [];
  segments.forEach((segment, i) => {
    const key = lastKey(segment.path);
    const closed = CLOSED_LABEL_KEYS.has(key) && isClosedToken(segment.text);
    // Inside free-form JSON a key named like a label is the model's or the client's word: a label only when its value
    // is a closed token (a schema's `"type": "object"`), which carries no part of a value wherever it is.
    const label = closed || (LABEL_KEYS.has(key) && !insideFreeForm(segment.path));
    const keys = isKeyList(segments, i);
    if (!label) reading.push(i);
    if (!label || READ_LABELS.has(key)) named.push(i);
    if (closed || keys) return;
    open.push(i);
    if (!(label && READ_LABELS.has(key))) ids.push(i);
    if (!label) content.push(i);
  });
  const readingOrders = [reading, named, open, ids, content].filter(
    (order) => order.length > 1 && order.length < segments.length,
  );
  const orders = [
    // A location's labels left out (isLabel): a tool message's tool_call_id between two results is no text of the tool's.
    ...ordersBy(segments, (s) => (isLabel(s) ? undefined : s.location)),
    ...ordersBy(segments, (s) => pathShape(s.path)),
    ...readingOrders,
  ];
  // One order of several kinds (a user's turns are often also the reading order and one path shape) is joined once.
  const seen = new Set<string>();
  return orders.filter((order) => {
    const key = order.join(',');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Whether a segment is a label the reading orders leave out of the first and fifth orders (LABEL_KEYS: an API's label
 * anywhere, or a closed token keyed like one inside free-form JSON): answer-document-order.ts reads past them.
 */
export function isLabel(segment: TextSegment): boolean {
  const key = lastKey(segment.path);
  return LABEL_KEYS.has(key) && (isClosedLabel(segment) || !insideFreeForm(segment.path));
}

/**
 * Whether a segment is a closed label, read past by every order: an enumerated field's key (CLOSED_LABEL_KEYS) with a
 * closed token for its value. An id, a name, a model or a fingerprint is never one, whatever its letters: `"id":"ghp_"`
 * before a text holding the rest of a token is read with that text.
 */
export function isClosedLabel(segment: TextSegment): boolean {
  return CLOSED_LABEL_KEYS.has(lastKey(segment.path)) && isClosedToken(segment.text);
}

/**
 * Whether segment `i` lists an object's property names (a request's free-form JSON: providers/shape-walk.ts gives the
 * object's keys as one segment at the object's own path): the next segment's path is inside its path. A string or a
 * number has no path inside it. Paths longer than MAX_SHAPE_PATH are not compared (linear in a deep body).
 */
export function isKeyList(segments: readonly TextSegment[], i: number): boolean {
  const path = (segments[i] as TextSegment).path;
  const next = segments[i + 1]?.path;
  if (next === undefined || path.length > MAX_SHAPE_PATH || next.length <= path.length) return false;
  if (!next.startsWith(path)) return false;
  const after = next.charCodeAt(path.length);
  return after === 0x2e || after === 0x5b;
}

/** Labels a client shows as text: the second reading order keeps them. */
const READ_LABELS: ReadonlySet<string> = new Set(['name', 'model']);

/**
 * Keys whose strings label what sits around them rather than read as text (ids, names, types, roles, statuses): the
 * reading orders leave them out, so the text before a tool call (`…AKIAQ3EG`) and its arguments (`{"k":"THV5…"}`),
 * with the call's id, type and name between, are joined as the consumer reads them. Those strings are classified on
 * their own and with their neighbours all the same. A key inside free-form JSON is one only for a closed token.
 */
const LABEL_KEYS: ReadonlySet<string> = new Set([
  'id',
  'type',
  'role',
  'name',
  'object',
  'model',
  'status',
  'call_id',
  'tool_call_id',
  'tool_use_id',
  'item_id',
  'finish_reason',
  'stop_reason',
  'system_fingerprint',
  'service_tier',
]);

/**
 * Labels whose values an API enumerates (answers: providers/answer-labels.ts refuses any other value; requests: the
 * adapters' shapes): only these are closed when their value is a closed token. Ids, names, models and fingerprints are
 * chosen by whoever writes them, so their letters can be a key's prefix. The keys of answer-labels.ts's ENUMERATED,
 * listed again here (stages do not import each other); test/unit/classification/closed-labels.test.ts keeps them equal.
 */
const CLOSED_LABEL_KEYS: ReadonlySet<string> = new Set([
  'type',
  'role',
  'object',
  'status',
  'finish_reason',
  'stop_reason',
  'service_tier',
]);

/** Longest closed token (a label's value that can carry no part of a value): answer-labels.ts's bound. */
export const MAX_CLOSED_TOKEN = 64;

/**
 * Whether a label's text is a closed token: 1-64 lower-case ASCII letters, `_` and `.` (`assistant`, `tool_use`,
 * `chat.completion.chunk`): no digit, no capital, so no part of a number or a key. Only these labels are left out of
 * the third and fourth reading orders.
 */
export function isClosedToken(text: string): boolean {
  if (text.length === 0 || text.length > MAX_CLOSED_TOKEN) return false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (!((code >= 0x61 && code <= 0x7a) || code === 0x5f || code === 0x2e)) return false;
  }
  return true;
}

/**
 * Properties whose values are free-form JSON (a tool's input or arguments, schemas, metadata, MCP structured content):
 * their keys are the model's or the client's words, not an API's labels.
 */
const FREE_FORM: ReadonlySet<string> = new Set([
  'input',
  'arguments',
  'parameters',
  'schema',
  'input_schema',
  'inputSchema',
  'outputSchema',
  'structuredContent',
  'metadata',
]);

/** The last property name of a segment path (`…function.name` → `name`); '' when it ends in an index or quoted key. */
function lastKey(path: string): string {
  if (path.endsWith(']')) return '';
  return path.slice(path.lastIndexOf('.') + 1);
}

/**
 * Whether `path` passes through free-form JSON: a property named in FREE_FORM has a step after it
 * (`content[1].input.status`). One pass; only the paths of segments keyed like a label are read.
 */
function insideFreeForm(path: string): boolean {
  // Free-form JSON starts near the top of a body: the first MAX_SHAPE_PATH characters are read (a deep body's paths
  // read whole would cost the square of its depth).
  const end = Math.min(path.length, MAX_SHAPE_PATH);
  let from = 0;
  for (let i = 0; i <= end; i += 1) {
    const code = i < end ? path.charCodeAt(i) : -1;
    if (code !== 0x2e && code !== 0x5b && code !== 0x5d && code !== -1) continue;
    if (code !== -1 && i > from && FREE_FORM.has(path.slice(from, i)) && code !== 0x5d) return true;
    from = i + 1;
  }
  return false;
}
