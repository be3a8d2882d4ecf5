/**
 * The fast path: caller and upstream speak the same wire format and no policy rewrote the body, so the request bytes
 * go up unchanged (or re-serialised once when the model id or stream usage option had to change) and the response
 * bytes come back unchanged while usage is READ from them as they pass. No buffering of streams: each upstream chunk
 * is written to the client before it is parsed.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { Attempt, Call } from '../../pipeline/call.js';
import { createSseParser, formatSse, type SseEvent } from '../../providers/shared/sse.js';
import type { StreamTap } from '../../providers/shared/stream-tap.js';
import { emptyUsage, type TokenUsage } from '../../spec/usage.js';
import type { UpstreamResponse } from '../upstream/upstream-client.js';
import type { ProviderRuntime } from '../upstream/provider-runtime.js';
import { formatCost, overheadMs, passHeaders, readAll, openAttempt, settleUsage, type DispatchDeps } from './dispatch-deps.js';
import { errorCodeOf, estimateUsage } from './estimate.js';
import { captureWhole, capturingTap } from '../cache/capture.js';
import { RetryableUpstreamFailure, statusReason } from './retry-plan.js';

export interface ForwardPlan {
  runtime: ProviderRuntime;
  upstreamModel: string;
  path: string;
  body: string | Buffer;
  headers: Record<string, string>;
  readUsage: (json: unknown) => { usage: TokenUsage | null; servedModel: string | null };
  createTap: (() => StreamTap) | null;
  /** Events the caller must not see (the usage chunk it did not ask for). */
  dropEvent: ((event: SseEvent) => boolean) | null;
  /** Input tokens estimated from the request, for usage an upstream never reported. */
  estimateInput: () => number;
  /** Usage of an endpoint the provider does not bill (count_tokens): metered as zero. */
  free?: boolean;
  /** A retryable HTTP error is thrown unwritten (RetryableUpstreamFailure) for the attempt loop (attempts.ts). */
  deferRetryable?: boolean;
}

export async function forward(call: Call, deps: DispatchDeps, plan: ForwardPlan): Promise<void> {
  const { runtime } = plan;
  const { attempt, upstream } = await openAttempt({ call, deps, runtime, upstreamModel: plan.upstreamModel, path: plan.path, headers: plan.headers, body: plan.body });
  const contentType = String(upstream.headers['content-type'] ?? '');
  try {
    if (upstream.status >= 400 || !contentType.includes('text/event-stream')) await forwardWhole(call, deps, plan, upstream, attempt);
    else await forwardStream(call, deps, plan, upstream, attempt);
  } finally {
    upstream.done();
    attempt.endedAt = deps.now();
  }
}


async function forwardWhole(call: Call, deps: DispatchDeps, plan: ForwardPlan, upstream: UpstreamResponse, attempt: Attempt): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await readAll(upstream.body);
  } catch (error) {
    attempt.clientAborted = call.clientAborted;
    attempt.errorCode = errorCodeOf(error);
    if (!plan.free) settleUsage({ attempt, deps, runtime: plan.runtime, usage: estimateUsage({ input: plan.estimateInput(), outputText: '', model: plan.upstreamModel, family: plan.runtime.priceFamily, deps }), estimated: true });
    throw error;
  }
  const headers = passHeaders(upstream.headers);
  headers['x-jevons-request-id'] = call.requestId;
  if (upstream.status >= 400) {
    attempt.errorCode = upstream.status === 429 ? 'upstream_rate_limited' : upstream.status >= 500 ? 'upstream_server_error' : 'upstream_client_error';
    // Providers do not bill a request they refused: its usage is known to be zero.
    if (!plan.free) settleUsage({ attempt, deps, runtime: plan.runtime, usage: emptyUsage(), estimated: false });
  } else if (!plan.free) {
    let json: unknown = null;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      attempt.errorCode = 'upstream_bad_response';
    }
    const read = plan.readUsage(json);
    attempt.servedModel = read.servedModel;
    if (read.usage === null) {
      settleUsage({ attempt, deps, runtime: plan.runtime, usage: estimateUsage({ input: plan.estimateInput(), outputText: '', model: plan.upstreamModel, family: plan.runtime.priceFamily, deps }), estimated: true });
    } else {
      settleUsage({ attempt, deps, runtime: plan.runtime, usage: read.usage, estimated: false });
      // Response cache: decode the answer only when this call's answer may be stored (src/server/cache/capture.ts).
      if (call.cacheCapture !== undefined && upstream.status === 200) captureWhole(call, plan.runtime, json);
    }
    const cost = formatCost(attempt.cost);
    if (cost !== undefined) headers['x-jevons-cost-usd'] = cost;
  }
  // Routing execution: a retryable error is not shown yet; the attempt loop retries or delivers it as it is.
  if (plan.deferRetryable === true && statusReason(upstream.status) !== null) {
    throw new RetryableUpstreamFailure({ status: upstream.status, headers: upstream.headers, deliver: () => writeWhole(call, upstream.status, headers, bytes) });
  }
  writeWhole(call, upstream.status, headers, bytes);
}

function writeWhole(call: Call, status: number, headers: OutgoingHttpHeaders, bytes: Buffer): void {
  headers['content-length'] = bytes.length;
  headers['x-jevons-overhead-ms'] = overheadMs(call, performance.now());
  call.response.writeHead(status, headers);
  call.response.end(bytes);
}

async function forwardStream(call: Call, deps: DispatchDeps, plan: ForwardPlan, upstream: UpstreamResponse, attempt: Attempt): Promise<void> {
  // Response cache: the same tap, also decoding the events, only when this call's answer may be stored.
  const tap = call.cacheCapture === undefined ? (plan.createTap?.() ?? null) : capturingTap(call, plan.runtime, plan.createTap?.() ?? null);
  const drop = plan.dropEvent;
  const response = call.response;
  const body = upstream.body;
  // Backpressure: a slow client pauses the upstream body instead of growing our buffers.
  const send = (chunk: string | Buffer) => {
    if (!response.write(chunk)) {
      body.pause();
      response.once('drain', () => body.resume());
    }
  };
  // Re-framed events (only when an event must be dropped) are written once per upstream chunk, not once per event.
  let reframed = '';
  const parser = createSseParser((event) => {
    tap?.observe(event);
    if (drop !== null && !drop(event)) reframed += formatSse(event.data, event.event);
  });
  const headers = passHeaders(upstream.headers);
  headers['x-jevons-request-id'] = call.requestId;
  headers['x-jevons-overhead-ms'] = overheadMs(call, performance.now());
  response.writeHead(upstream.status, headers);
  try {
    await new Promise<void>((resolve, reject) => {
      body.on('data', (chunk: Buffer) => {
        // Bytes go to the client before they are parsed: no added latency for metering.
        if (drop === null) send(chunk);
        parser.push(chunk);
        if (reframed !== '') {
          send(reframed);
          reframed = '';
        }
      });
      body.once('end', resolve);
      body.once('error', reject);
    });
    parser.end();
    if (reframed !== '') send(reframed);
  } catch {
    attempt.clientAborted = call.clientAborted;
    attempt.errorCode = call.clientAborted ? 'client_aborted' : 'upstream_stream_interrupted';
  } finally {
    if (!response.writableEnded) response.end();
  }
  const result = tap?.result() ?? null;
  attempt.servedModel = result?.servedModel ?? null;
  if (result !== null && result.finished && result.usage !== null) {
    settleUsage({ attempt, deps, runtime: plan.runtime, usage: result.usage, estimated: false });
  } else if (!plan.free) {
    // A stream that ended without finishing (an error event, a cut) is flagged, whatever else went wrong.
    attempt.errorCode ??= 'upstream_stream_incomplete';
    const usage = estimateUsage({ input: plan.estimateInput(), outputText: result?.outputText ?? '', model: plan.upstreamModel, family: plan.runtime.priceFamily, deps, reported: result?.usage ?? null });
    settleUsage({ attempt, deps, runtime: plan.runtime, usage, estimated: true });
  }
}
