// The closed JSON-RPC parse: one known request or notification, closed params, every forwarded string and key a
// segment; anything else refused with its code.
import { describe, expect, it } from 'vitest';
import { forwardedSegments, parseMessage } from '../../../src/mcp/messages.ts';
import type { McpError } from '../../../src/mcp/errors.ts';

const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
const codeOf = (value: unknown) => {
  try {
    parseMessage(bytes(value));
  } catch (error) {
    return (error as McpError).code;
  }
  return 'parsed';
};

describe('parseMessage', () => {
  it('yields the tool name and every argument string, number and key as segments, and rebuilds only what it walked', () => {
    const message = parseMessage(
      bytes({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'lookup', arguments: { customer: { email: 'a@b.example', tags: ['x', 2] } } },
      }),
    );
    expect(message).toMatchObject({ kind: 'request', id: 7, method: 'tools/call' });
    const texts = forwardedSegments(message).map((s) => [s.location, s.text]);
    expect(texts).toEqual([
      ['tools', 'lookup'],
      ['tool_arguments', 'customer'],
      ['tool_arguments', 'email\ntags'],
      ['tool_arguments', 'a@b.example'],
      ['tool_arguments', 'x'],
      ['tool_arguments', '2'], // numbers too: a card number can be one
    ]);
    expect(message.params.value.arguments).toEqual({ customer: { email: 'a@b.example', tags: ['x', 2] } });
  });

  it('labels client-chosen keys by position in record paths', () => {
    const message = parseMessage(
      bytes({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 't', arguments: { 'secret-key-here': 'v' } },
      }),
    );
    const labels = forwardedSegments(message).map((s) => s.label ?? s.path);
    expect(labels.join(' ')).not.toContain('secret-key-here');
  });

  it('refuses batches, unknown envelope fields, responses, unknown methods and unknown params', () => {
    const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo' } };
    expect(codeOf([call])).toBe('ERR_MCP_BATCH');
    expect(codeOf({ ...call, extra: true })).toBe('ERR_MCP_INVALID');
    expect(codeOf({ jsonrpc: '1.0', id: 1, method: 'ping' })).toBe('ERR_MCP_INVALID');
    expect(codeOf({ jsonrpc: '2.0', id: 1, result: {} })).toBe('ERR_MCP_INVALID');
    expect(codeOf({ jsonrpc: '2.0', id: 1, method: 'completion/complete', params: {} })).toBe('ERR_MCP_METHOD');
    expect(codeOf({ jsonrpc: '2.0', id: 1, method: '__proto__' })).toBe('ERR_MCP_METHOD');
    expect(codeOf({ ...call, params: { name: 'echo', task: {} } })).toBe('ERR_MCP_PARAMS');
    expect(codeOf({ ...call, params: { name: 'echo', _meta: { other: 1 } } })).toBe('ERR_MCP_PARAMS');
    expect(codeOf({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { cursor: 'c' } })).toBe('ERR_MCP_PARAMS');
  });

  it('refuses a tool name outside MCP’s alphabet, ids that are not ids, and notifications with ids', () => {
    expect(codeOf({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'a b' } })).toBe('ERR_MCP_PARAMS');
    expect(codeOf({ jsonrpc: '2.0', id: 1.5, method: 'ping' })).toBe('ERR_MCP_INVALID');
    expect(codeOf({ jsonrpc: '2.0', id: null, method: 'ping' })).toBe('ERR_MCP_INVALID');
    expect(codeOf({ jsonrpc: '2.0', method: 'ping' })).toBe('ERR_MCP_INVALID');
    expect(codeOf({ jsonrpc: '2.0', id: 1, method: 'notifications/initialized' })).toBe('ERR_MCP_INVALID');
    expect(codeOf({ jsonrpc: '2.0', method: 'notifications/initialized' })).toBe('parsed');
  });

  it('refuses prompt arguments that are not strings, prototype keys, depth past the limit, and bytes that are not UTF-8 JSON', () => {
    const get = (args: unknown) => ({
      jsonrpc: '2.0',
      id: 1,
      method: 'prompts/get',
      params: { name: 'p', arguments: args },
    });
    expect(codeOf(get({ a: 1 }))).toBe('ERR_MCP_PARAMS');
    expect(codeOf(get({ a: 'x' }))).toBe('parsed');
    expect(
      codeOf('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","arguments":{"__proto__":1}}}'),
    ).toBe('ERR_MCP_PARAMS');
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(codeOf({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 't', arguments: { deep } } })).toBe(
      'ERR_MCP_PARAMS',
    );
    expect(() => parseMessage(new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(
      expect.objectContaining({ code: 'ERR_MCP_PARSE' }),
    );
  });
});
