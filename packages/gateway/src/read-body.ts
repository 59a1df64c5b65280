import type { IncomingMessage } from 'node:http';
import { GatewayError } from './openai-error.js';

/**
 * Reads a request body up to `limitBytes`; a larger one is refused with 413 before it is buffered
 * (both by Content-Length and as it streams in), so one client cannot exhaust the gateway's memory.
 */
export function readBody(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limitBytes) return Promise.reject(tooLarge(limitBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        request.removeAllListeners('data');
        request.resume();
        reject(tooLarge(limitBytes));
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    request.once('error', reject);
  });
}

function tooLarge(limitBytes: number): GatewayError {
  return new GatewayError(413, `the request body is larger than ${limitBytes} bytes; send a shorter conversation`, 'invalid_request_error', 'payload_too_large');
}

/** Parses a JSON body; malformed JSON is a 400 that says where it broke. */
export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new GatewayError(400, `the request body is not valid JSON (${error instanceof Error ? error.message : 'parse error'})`, 'invalid_request_error', 'invalid_json');
  }
}
