/**
 * Writes a cached answer to the caller in the caller's dialect: a non-stream request gets that dialect's JSON
 * (dialects[d].renderResponse), a streaming one a well-formed stream synthesized from the stored response
 * (response-start, text / reasoning / tool-call deltas in chunks, finish, usage) through dialects[d].createEncoder,
 * exactly as the translating path encodes a live stream. Jevons headers: request id, cost 0, and the cache's own.
 */
import type { Call } from '../../pipeline/call.js';
import type { CachedAnswer } from '../../policies/cache/cached-answer.js';
import type { HitHeaders } from '../../policies/cache/response-cache-policy.js';
import { replayParts } from '../../policies/cache/response-parts.js';
import { dialects } from '../dispatch/codecs.js';
import { overheadMs } from '../dispatch/dispatch-deps.js';

/** OpenAI streams carry the usage chunk only when the caller asked for it (Anthropic streams always carry usage). */
function includeUsage(call: Call): boolean {
  const options = call.body.stream_options;
  return typeof options === 'object' && options !== null && (options as Record<string, unknown>).include_usage === true;
}

/** A response id of the caller's dialect's shape, unique per request (the stored one belongs to the original call). */
const replayId = (call: Call): string => (call.dialect === 'anthropic' ? `msg_jevons_${call.requestId}` : `chatcmpl-jevons-${call.requestId}`);

export async function replayAnswer(call: Call, answer: CachedAnswer, headers: HitHeaders): Promise<void> {
  const dialect = dialects[call.dialect];
  const response = { ...answer.response, id: replayId(call) };
  const common: Record<string, string | number> = { ...headers, 'x-jevons-request-id': call.requestId, 'x-jevons-cost-usd': '0' };
  if (!call.stream) {
    const body = JSON.stringify(dialect.renderResponse(response, call.model));
    call.response.writeHead(200, { ...common, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-jevons-overhead-ms': overheadMs(call, performance.now()) });
    call.response.end(body);
    return;
  }
  const encoder = dialect.createEncoder({ model: call.model, includeUsage: includeUsage(call) });
  let text = '';
  for (const part of replayParts(response, { id: response.id, created: Math.floor(answer.storedAt / 1000) })) text += encoder.encode(part);
  text += encoder.end();
  call.response.writeHead(200, { ...common, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-jevons-overhead-ms': overheadMs(call, performance.now()) });
  // One write: the whole answer is known; a slow client is buffered by the socket like any response body.
  call.response.end(text);
}
