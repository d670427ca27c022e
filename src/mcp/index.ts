// The MCP proxy's public surface: createMcpProxy (Streamable HTTP MCP endpoint fronting configured upstream MCP
// servers under Proctor's guarantees), its request and reply, its errors, and the protected resource metadata.
export { createMcpProxy, type McpProxy } from './proxy.ts';
export type { McpDeps, McpHead, McpReply, McpRequest } from './types.ts';
export { MCP_FAILURES, McpError, type McpErrorCode } from './errors.ts';
export { PROTOCOL_VERSIONS } from './messages.ts';
export { resourceMetadata, type ResourceMetadata } from './metadata.ts';
export type { McpUpstream, UpstreamTool } from './upstream.ts';
