import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../../spec/errors.js';

/** Reads the request body, refusing (413) as soon as it passes `limit` bytes, before buffering the rest. */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  const tooLarge = () => new GatewayError({ code: 'body_too_large', message: `Request body exceeds the limit of ${limit} bytes (server.max_body_bytes).` });
  if (declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(tooLarge());
        request.removeAllListeners('data');
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    request.once('error', reject);
  });
}
