/**
 * The buffered path of a cascade: one attempt whose answer is held back until the validators have judged it. The
 * caller's body goes through the canonical model to the target's wire (whatever the dialects), asked WITHOUT
 * streaming, and the answer comes back as a canonical ChatResponse; nothing is written to the client here. The
 * winner is then written by `writeBuffered`, as JSON or as a stream synthesized from it (the exact cache's replay
 * parts, policies/cache/response-parts.ts), so a streaming caller still gets a well-formed stream.
 */
import type { Call, RouteTarget } from '../../pipeline/call.js';
import { replayParts } from '../../policies/cache/response-parts.js';
import { rewriteTranslatedBody } from '../../policies/prompt-cache/translated-body.js';
import type { ChatRequest, ChatResponse } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import { emptyUsage } from '../../spec/usage.js';
import type { ProviderRuntime } from '../upstream/provider-runtime.js';
import { dialects, wires } from './codecs.js';
import { openAttempt, overheadMs, readAll, settleUsage, type DispatchDeps } from './dispatch-deps.js';
import { errorCodeOf } from './estimate.js';
import { flatHeaders } from './translate.js';

export interface BufferedAnswer {
  request: ChatRequest;
  response: ChatResponse;
}

export type UpstreamHeaders = (call: Call, runtime: ProviderRuntime, deps: DispatchDeps) => Record<string, string>;

/** One non-streaming attempt to `target`; throws the upstream's error (UpstreamHttpError) or a transport error. */
export async function sendBuffered(options: { call: Call; deps: DispatchDeps; target: RouteTarget; headers: UpstreamHeaders }): Promise<BufferedAnswer> {
  const { call, deps, target } = options;
  const runtime = deps.runtimes.get(target.provider);
  if (runtime === undefined) throw new GatewayError({ code: 'internal', message: `No runtime for provider "${target.provider}".` });
  const request: ChatRequest = { ...dialects[call.dialect].parse(call.bodyOverrides === null ? call.body : { ...call.body, ...call.bodyOverrides }), stream: false };
  const wire = wires[runtime.wire];
  const upstreamRequest = wire.toRequest(request, { upstreamModel: target.upstreamModel, runtime });
  // The prompt-cache hook applies whatever the wire: this body is always built from the canonical request.
  const body = JSON.stringify(rewriteTranslatedBody(call, upstreamRequest.body));
  const { attempt, upstream } = await openAttempt({ call, deps, runtime, upstreamModel: target.upstreamModel, path: upstreamRequest.path, headers: options.headers(call, runtime, deps), body });
  attempt.streamed = false;
  try {
    const text = (await readAll(upstream.body)).toString('utf8');
    if (upstream.status >= 400) {
      const error = wire.parseError({ status: upstream.status, body: text, headers: flatHeaders(upstream.headers), provider: runtime.name });
      attempt.errorCode = error.code;
      // Providers do not bill a request they refused.
      settleUsage({ attempt, deps, runtime, usage: emptyUsage(), estimated: false });
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      attempt.errorCode = 'upstream_bad_response';
      throw new GatewayError({ code: 'upstream_bad_response', message: `Provider "${runtime.name}" returned a body that is not JSON.`, provider: runtime.name, cause });
    }
    const response = wire.fromResponse(json);
    attempt.servedModel = response.model || null;
    settleUsage({ attempt, deps, runtime, usage: response.usage, estimated: false });
    return { request, response };
  } catch (error) {
    attempt.clientAborted = call.clientAborted;
    // A body that stopped arriving is an error of this attempt whatever its status (the attempt loop maps undici's
    // own errors to a stable code, attempts.ts).
    attempt.errorCode = call.clientAborted ? 'client_aborted' : (attempt.errorCode ?? errorCodeOf(error));
    throw error;
  } finally {
    upstream.done();
    attempt.endedAt = deps.now();
  }
}

/**
 * Writes the chosen answer in the caller's dialect: JSON, or a synthesized stream (one write: the answer is whole).
 * x-jevons-cost-usd is what the whole call cost: every tier that was tried is billed.
 */
export function writeBuffered(call: Call, answer: BufferedAnswer, extraHeaders: Record<string, string>): void {
  const dialect = dialects[call.dialect];
  const { request, response } = answer;
  if (call.cacheCapture !== undefined) call.cacheCapture.response = response;
  const headers: Record<string, string | number> = { ...extraHeaders, 'x-jevons-request-id': call.requestId };
  // What the whole call cost: an attempt that used tokens without a price makes the total unknown (never $0).
  let total = 0;
  let unpriced = false;
  for (const attempt of call.attempts) {
    if (attempt.cost !== null) total += attempt.cost.totalUsd;
    else if (attempt.usage !== null) unpriced = true;
  }
  if (!unpriced) headers['x-jevons-cost-usd'] = total.toFixed(10).replace(/0+$/, '').replace(/\.$/, '.0');
  if (!call.stream) {
    const body = JSON.stringify(dialect.renderResponse(response, call.model));
    call.response.writeHead(200, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-jevons-overhead-ms': overheadMs(call, performance.now()) });
    call.response.end(body);
    return;
  }
  const encoder = dialect.createEncoder({ model: call.model, includeUsage: request.includeUsage });
  let text = '';
  for (const part of replayParts(response, { id: response.id, created: response.created })) text += encoder.encode(part);
  text += encoder.end();
  call.response.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-jevons-overhead-ms': overheadMs(call, performance.now()) });
  call.response.end(text);
}
