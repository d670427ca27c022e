// Review s16 (R4, attacker's review of session 16's changes), consecutive JSON texts read member by member (686fa06,
// document-pairs.ts jsonTextPairs: two tool results of one path shape, `{"offset":0,"data":"AKIAZ3MQWX"}` and
// `{"offset":10,"data":"R5TLPB6Y7N"}`, read `data` before `data`). Each request holds the AWS key id's pieces as pages
// of a read tool's results, one step aside: three pages, out of order, in other syntaxes, inside an MCP text item.
import { describe, expect, it } from 'vitest';
import { toolResultsHold } from './round13-helpers.ts';
import { HALVES } from './round7-helpers.ts';

/** Whether a chat request whose tool results (one call each) are `results` is refused: its user message is not sent. */
const isRefused = async (results: string[]) => !(await toolResultsHold(results, 'summarise the employees table'));
const KEY = HALVES.join('');
const page = (data: string, i: number) => JSON.stringify({ offset: i * 10, data });

describe("an AWS key id's pieces as pages of a read tool's results, one step aside from 686fa06", () => {
  it.each([
    ['data before offset', HALVES.map((data, i) => JSON.stringify({ data, offset: i * 10 }))],
    ['pretty-printed', HALVES.map((data, i) => JSON.stringify({ offset: i * 10, data }, null, 2))],
    ['an eof member after data', HALVES.map((data, i) => JSON.stringify({ offset: i * 10, data, eof: i === 1 }))],
    ['nested in a result object', HALVES.map((data, i) => JSON.stringify({ result: { offset: i * 10, chunk: data } }))],
    ['a one-element array each', HALVES.map((data, i) => JSON.stringify([{ offset: i * 10, data }]))],
  ])('control: two pages, %s, are refused', async (_name, results) => {
    expect(await isRefused(results)).toBe(true);
  });

  // HOLE closed in src/classification/document-pairs.ts (jsonTextPairs, C29): a key id in three pages of 7
  // (`AKIAZ3M`, `QWXR5TL`, `PB6Y7N`) had its three pieces in no reading; a member of up to 64 characters is now read
  // whole between the same member of the texts before and after it (the control beside: ordinary text in three pages).
  it('three pages of 7 characters are refused', async () => {
    expect(await isRefused([KEY.slice(0, 7), KEY.slice(7, 14), KEY.slice(14)].map((d, i) => page(d, i)))).toBe(true);
  });

  // HOLE (open, document-pairs.ts): pages are read in the order they arrive; a model reassembles them by their offset
  // (`offset: 10` first, then `offset: 0`). Fix (~10 lines): when each text of the run has one numeric member of one
  // name, read the values in that member's order too.
  it.fails.each([['two pages, the second first', HALVES.map(page).reverse()]])(
    '%s are refused',
    async (_name, results) => {
      expect(await isRefused(results)).toBe(true);
    },
  );

  // HOLE (open, document-pairs.ts jsonTextPairs): only JSON texts are read member by member: Python's repr, YAML and
  // `key=value` pages, and JSON pages inside an MCP result's text item (one more level of JSON string), are not.
  // Fix (~20 lines): read the members of table-context-json.ts's parseLiteral (repr), of `name: value` / `name=value`
  // lines, and of a text item's JSON string as jsonTextPairs reads JSON's.
  it.fails.each([
    ["Python's repr", HALVES.map((d, i) => `{'offset': ${i * 10}, 'data': '${d}'}`)],
    ['YAML', HALVES.map((d, i) => `offset: ${i * 10}\ndata: ${d}`)],
    ['key=value', HALVES.map((d, i) => `offset=${i * 10} data=${d}`)],
    [
      'JSON in an MCP text item',
      HALVES.map((d, i) => JSON.stringify({ content: [{ type: 'text', text: page(d, i) }] })),
    ],
  ])('two pages as %s are refused', async (_name, results) => {
    expect(await isRefused(results)).toBe(true);
  });

  it('control: three pages of ordinary text with their offsets are forwarded', async () => {
    expect(await isRefused(['Meeting notes', ' for Monday: ', 'water plants'].map(page))).toBe(false);
  });
});
