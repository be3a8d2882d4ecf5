/**
 * The translating path: the caller's dialect and the upstream's wire differ, so the request goes through the
 * canonical model (dialect → canonical → provider wire) and the response comes back the same way, streamed part by
 * part. Usage comes from the canonical usage parts.
 */
import type { Attempt, Call } from '../../pipeline/call.js';
import { rewriteTranslatedBody } from '../../policies/prompt-cache/translated-body.js';
import { createSseParser } from '../../providers/shared/sse.js';
import type { ChatRequest, StreamPart } from '../../spec/canonical.js';
import { GatewayError, UpstreamHttpError } from '../../spec/errors.js';
import { emptyUsage, type TokenUsage } from '../../spec/usage.js';
import type { UpstreamResponse } from '../upstream/upstream-client.js';
import type { ProviderRuntime } from '../upstream/provider-runtime.js';
import type { InboundDialect, OutboundWire } from './codecs.js';
import { formatCost, overheadMs, readAll, openAttempt, settleUsage, type DispatchDeps } from './dispatch-deps.js';
import { errorCodeOf, estimateUsage } from './estimate.js';
import { createResponseAssembler } from '../../policies/cache/response-parts.js';

export interface TranslatePlan {
  runtime: ProviderRuntime;
  upstreamModel: string;
  request: ChatRequest;
  dialect: InboundDialect;
  wire: OutboundWire;
  headers: Record<string, string>;
  estimateInput: () => number;
}


export async function translate(call: Call, deps: DispatchDeps, plan: TranslatePlan): Promise<void> {
  const { runtime } = plan;
  const upstreamRequest = plan.wire.toRequest(plan.request, { upstreamModel: plan.upstreamModel, runtime });
  // Prompt caching (policies/prompt-cache): cache_control / prompt_cache_key that the caller's dialect cannot carry.
  const upstreamBody = rewriteTranslatedBody(call, upstreamRequest.body);
  const { attempt, upstream } = await openAttempt({ call, deps, runtime, upstreamModel: plan.upstreamModel, path: upstreamRequest.path, headers: plan.headers, body: JSON.stringify(upstreamBody) });
  try {
    if (upstream.status >= 400) {
      const text = (await readAll(upstream.body)).toString('utf8');
      throw plan.wire.parseError({ status: upstream.status, body: text, headers: flatHeaders(upstream.headers), provider: runtime.name });
    }
    const isStream = String(upstream.headers['content-type'] ?? '').includes('text/event-stream');
    if (isStream) await translateStream(call, deps, plan, upstream, attempt);
    else await translateWhole(call, deps, plan, upstream, attempt);
  } catch (error) {
    attempt.clientAborted = call.clientAborted;
    attempt.errorCode ??= errorCodeOf(error);
    if (error instanceof UpstreamHttpError) {
      // Providers do not bill a request they refused: its usage is known to be zero.
      settleUsage({ attempt, deps, runtime, usage: emptyUsage(), estimated: false });
    } else if (attempt.clientAborted && attempt.usage === null) {
      // The provider bills a request it finished generating even when nobody reads the answer.
      settleUsage({ attempt, deps, runtime, usage: estimateUsage({ input: plan.estimateInput(), outputText: '', model: plan.upstreamModel, family: plan.runtime.priceFamily, deps }), estimated: true });
    }
    throw error;
  } finally {
    upstream.done();
    attempt.endedAt = deps.now();
  }
}

export function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

async function translateWhole(call: Call, deps: DispatchDeps, plan: TranslatePlan, upstream: UpstreamResponse, attempt: Attempt): Promise<void> {
  const text = (await readAll(upstream.body)).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    attempt.errorCode = 'upstream_bad_response';
    throw new GatewayError({ code: 'upstream_bad_response', message: `Provider "${plan.runtime.name}" returned a body that is not JSON.`, provider: plan.runtime.name, cause });
  }
  const response = plan.wire.fromResponse(json);
  attempt.servedModel = response.model || null;
  settleUsage({ attempt, deps, runtime: plan.runtime, usage: response.usage, estimated: false });
  if (call.cacheCapture !== undefined) call.cacheCapture.response = response;
  const body = JSON.stringify(plan.dialect.renderResponse(response, call.model));
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-jevons-request-id': call.requestId,
  };
  const cost = formatCost(attempt.cost);
  if (cost !== undefined) headers['x-jevons-cost-usd'] = cost;
  headers['x-jevons-overhead-ms'] = overheadMs(call, performance.now());
  call.response.writeHead(200, headers);
  call.response.end(body);
}

async function translateStream(call: Call, deps: DispatchDeps, plan: TranslatePlan, upstream: UpstreamResponse, attempt: Attempt): Promise<void> {
  const response = call.response;
  const decoder = plan.wire.createDecoder(plan.runtime);
  const encoder = plan.dialect.createEncoder({ model: call.model, includeUsage: plan.request.includeUsage });
  let usage: TokenUsage | null = null;
  let finished = false;
  let outputText = '';
  // Response cache: the parts are assembled only when this call's answer may be stored.
  const assembler = call.cacheCapture === undefined ? null : createResponseAssembler();
  const emit = (parts: StreamPart[]) => {
    let text = '';
    for (const part of parts) {
      assembler?.push(part);
      if (part.type === 'usage') usage = part.usage;
      else if (part.type === 'finish') finished = true;
      else if (part.type === 'response-start') attempt.servedModel = part.model || null;
      else if (part.type === 'text-delta' || part.type === 'reasoning-delta') outputText += part.text;
      else if (part.type === 'tool-call-delta') outputText += part.argumentsDelta;
      else if (part.type === 'error') attempt.errorCode ??= 'upstream_stream_error';
      text += encoder.encode(part);
    }
    if (text !== '' && !response.write(text)) {
      upstream.body.pause();
      response.once('drain', () => upstream.body.resume());
    }
  };
  const parser = createSseParser((event) => emit(decoder.decode(event)));
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-jevons-request-id': call.requestId,
    'x-jevons-overhead-ms': overheadMs(call, performance.now()),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      upstream.body.on('data', (chunk: Buffer) => parser.push(chunk));
      upstream.body.once('end', resolve);
      upstream.body.once('error', reject);
    });
    parser.end();
    emit(decoder.end());
    response.write(encoder.end());
  } catch {
    attempt.clientAborted = call.clientAborted;
    attempt.errorCode = call.clientAborted ? 'client_aborted' : 'upstream_stream_interrupted';
  } finally {
    if (!response.writableEnded) response.end();
  }
  const reported: TokenUsage | null = usage;
  if (finished && reported !== null && attempt.errorCode === null) {
    settleUsage({ attempt, deps, runtime: plan.runtime, usage: reported, estimated: false });
    if (assembler !== null && call.cacheCapture !== undefined) call.cacheCapture.response = assembler.result();
  } else {
    // A stream that ended without finishing (an error event, a cut) is flagged, whatever else went wrong.
    attempt.errorCode ??= 'upstream_stream_incomplete';
    const estimated = estimateUsage({ input: plan.estimateInput(), outputText, model: plan.upstreamModel, family: plan.runtime.priceFamily, deps, reported });
    settleUsage({ attempt, deps, runtime: plan.runtime, usage: estimated, estimated: true });
  }
}
