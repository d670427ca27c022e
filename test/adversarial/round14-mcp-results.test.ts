// Round 14 of the attacker's review (session 16), a hostile MCP server's tool result that hands the model a key in two
// places of one result (src/mcp/answer.ts screens a result as an answer: its segments read in document order,
// src/pipeline/answer-document-order.ts): a file read in two pages (`{"offset":0,"data":"AKIAZ3MQWX"}`,
// `{"offset":10,"data":"R5TLPB6Y7N"}`, one text content each, as a paging `read_file` tool returns them), and an
// embedded resource whose uri ends with the first half and whose text is the second. The model reads both as the key. Controls (held): the halves as two text contents, as two
// resources' texts, and the two pages without their offsets.
import { beforeAll, describe, expect, it } from 'vitest';
import type { PolicyEngine } from '../../src/policy/index.ts';
import { defaultEngine } from '../helpers/mcp-harness.ts';
import { hostileServer } from './fixtures.ts';
import { HALVES, holdsBoth } from './round7-helpers.ts';

const [K1, K2] = HALVES;
const text = (t: string) => ({ type: 'text', text: t });
let engine: PolicyEngine;
beforeAll(async () => {
  engine = await defaultEngine();
  await hostileServer(engine, [], { content: [text('ok')] })(); // the first call pays one-time compilation (~1.7 s)
});

const resource = (uri: string, t: string) => ({ type: 'resource', resource: { uri, mimeType: 'text/plain', text: t } });
/** Whether both halves reach the client of a tools/call answered by `result`. */
const relaysBoth = async (result: Record<string, unknown>) =>
  holdsBoth((await hostileServer(engine, [], result)()).out);

describe("an MCP tool result holding a key's halves in two places", () => {
  it('control: two text contents, two resources and two pages without offsets are withheld', async () => {
    expect(await relaysBoth({ content: [text(K1), text(K2)] })).toBe(false);
    expect(await relaysBoth({ content: [resource('file:///a', K1), resource('file:///b', K2)] })).toBe(false);
    expect(await relaysBoth({ content: HALVES.map((data) => text(JSON.stringify({ data }))) })).toBe(false);
  });

  // HOLE closed in src/classification/document-pairs.ts (jsonTextPairs): the second page's `"offset":10` stood between
  // the halves (without the offsets they were withheld, above). The result's text contents, one path shape
  // (`content[*].text`), are now read member by member, as a chat request's tool results are (round14-tool-splits).
  it('two pages of a read with their offsets are withheld', async () => {
    const pages = HALVES.map((data, i) => text(JSON.stringify({ offset: i * 10, data })));
    expect(await relaysBoth({ content: pages })).toBe(false);
  });

  // HOLE closed in src/classification/document-pairs.ts (uriPairs): an embedded resource's uri and its text were not
  // read as one (its mimeType between). A URI's last path segment is now read beside the two strings on either side.
  it("an embedded resource's uri and text holding the halves are withheld", async () => {
    expect(await relaysBoth({ content: [resource(`file:///tmp/${K1}`, K2)] })).toBe(false);
  });

  it('control: two unrelated pages and a resource of ordinary text are relayed whole', async () => {
    const pages = ['Dear team, the build', 'is green again today'].map((data, i) =>
      text(JSON.stringify({ offset: i * 20, data })),
    );
    const res = resource('file:///tmp/README', 'Install with npm, then run the tests');
    const { out } = await hostileServer(engine, [], { content: [...pages, res] })();
    for (const t of ['Dear team, the build', 'is green again today', 'file:///tmp/README', 'run the tests']) {
      expect(out).toContain(t);
    }
  });
});
