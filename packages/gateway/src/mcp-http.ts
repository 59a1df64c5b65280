import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { GatewayError } from './openai-error.js';
import { parseJsonBody } from './read-body.js';
import { createTroupeMcpServer, type TroupeMcpServerOptions } from './troupe-mcp-server.js';

/**
 * `/mcp` over streamable HTTP, stateless: each POST gets its own server and transport, so any
 * gateway replica can answer any request and nothing is kept between calls (the tasks live in
 * Troupe, not here). GET (server-initiated streams) and DELETE (sessions) are not offered: 405.
 */
export async function handleMcp(body: Buffer, request: IncomingMessage, response: ServerResponse, options: TroupeMcpServerOptions): Promise<void> {
  if (request.method !== 'POST') {
    throw new GatewayError(405, 'this MCP endpoint is stateless: send JSON-RPC with POST', 'invalid_request_error', 'method_not_allowed', null, { allow: 'POST' });
  }
  const server = createTroupeMcpServer(options);
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  response.once('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(request, response, parseJsonBody(body));
}
