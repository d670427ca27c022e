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

  // HOLE closed in src/classification/document-pairs.ts (jsonTextPairs, pageOrders, C34): pages were read in the order
  // they arrive; a model reassembles them by their offset (`offset: 10` first, then `offset: 0`). The texts of a shape
  // are now read again in the order of a number member two of them or more share (a page's name first), whatever the
  // name (`offset`, `page`, `index`) and whatever the syntax.
  const seven = [KEY.slice(0, 7), KEY.slice(7, 14), KEY.slice(14)];
  it.each([
    ['two pages, the second first', HALVES.map(page).reverse()],
    ['three pages of 7, the last first', [2, 0, 1].map((i) => page(seven[i] as string, i))],
    ['two pages by `page`, the second first', [1, 0].map((i) => JSON.stringify({ page: i + 1, text: HALVES[i] }))],
    ['two pages by `index` among others', [1, 0].map((i) => JSON.stringify({ size: 7 - i, index: i, d: HALVES[i] }))],
    [
      'two pages by a quoted offset, the second first',
      [1, 0].map((i) => JSON.stringify({ offset: `${i * 10}`, data: HALVES[i] })),
    ],
    ['two YAML pages, the second first', [1, 0].map((i) => `offset: ${i * 10}\ndata: ${HALVES[i]}`)],
  ])('%s are refused', async (_name, results) => {
    expect(await isRefused(results)).toBe(true);
  });

  // HOLE closed in src/classification/document-members.ts (textMembers, C34): only JSON texts were read member by
  // member: Python's repr, YAML and `key=value` pages, and JSON pages inside an MCP result's text item (one more level
  // of JSON string), were not. Each is now read as JSON's members are (a text item's string through its escapes).
  it.each([
    ["Python's repr", HALVES.map((d, i) => `{'offset': ${i * 10}, 'data': '${d}'}`)],
    ['YAML', HALVES.map((d, i) => `offset: ${i * 10}\ndata: ${d}`)],
    ['key=value', HALVES.map((d, i) => `offset=${i * 10} data=${d}`)],
    [
      'JSON in an MCP text item',
      HALVES.map((d, i) => JSON.stringify({ content: [{ type: 'text', text: page(d, i) }] })),
    ],
    ['logfmt with quoted values', HALVES.map((d, i) => `level=info offset=${i * 10} data="${d}"`)],
    [
      'YAML in an MCP text item',
      HALVES.map((d, i) => JSON.stringify({ content: [{ type: 'text', text: `offset: ${i * 10}\ndata: ${d}` }] })),
    ],
    [
      "Python's repr in an MCP text item",
      HALVES.map((d, i) => JSON.stringify({ text: `{'offset': ${i}, 'data': '${d}'}` })),
    ],
  ])('two pages as %s are refused', async (_name, results) => {
    expect(await isRefused(results)).toBe(true);
  });

  // Closed in document-pairs.ts (C34): pages out of order within one tool result (an array of pages, JSON lines, an
  // MCP result's two text items in one text) are read in the order of their page-like number too.
  const [A, R] = HALVES;
  it.each([
    [
      'an array of pages',
      JSON.stringify([
        { offset: 10, data: R },
        { offset: 0, data: A },
      ]),
    ],
    ['JSON lines', [JSON.stringify({ page: 2, data: R }), JSON.stringify({ page: 1, data: A })].join('\n')],
    [
      "an MCP result's two text items",
      JSON.stringify({ content: [R, A].map((d, i) => ({ type: 'text', text: page(d, 1 - i) })) }),
    ],
  ])('two pages out of order within one result, %s, are refused', async (_name, result) => {
    expect(await isRefused([result])).toBe(true);
  });

  it("control: rows of one result out of their numbers' order (no page-like name) are forwarded", async () => {
    const rows = [
      { id: 2, salary: 300, note: 'water the plants' },
      { id: 1, salary: 100, note: 'call the office' },
    ];
    expect(await isRefused([JSON.stringify(rows)])).toBe(false);
  });

  it.each([
    [
      'ordinary text in three pages, the last first',
      [2, 0, 1].map((i) => page(['Meeting', ' notes', ' today'][i] as string, i)),
    ],
    [
      'ordinary YAML pages, the second first',
      [1, 0].map((i) => `offset: ${i * 10}\ndata: ${['water the', 'plants'][i]}`),
    ],
    ['a message with a colon and an equals sign', ['Note: see the table', 'where x=3 holds']],
  ])('control: %s is forwarded', async (_name, results) => {
    expect(await isRefused(results)).toBe(false);
  });

  it('control: three pages of ordinary text with their offsets are forwarded', async () => {
    expect(await isRefused(['Meeting notes', ' for Monday: ', 'water plants'].map(page))).toBe(false);
  });
});
