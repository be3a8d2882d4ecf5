/**
 * The innermost handler: sends the call to its target provider by the cheapest correct path. Same wire as the caller
 * → forward (bytes through, usage read); different wire → translate through the canonical model.
 */
import type { Call, Handler, RouteTarget } from '../../pipeline/call.js';
import {
  createOpenAIResponsesStreamTap,
  createOpenAIStreamTap,
  isUsageOnlyChunk,
  readOpenAIEmbeddingsUsage,
  readOpenAIResponsesUsage,
  readOpenAIUsage,
} from '../../providers/openai/openai-usage-tap.js';
import { createAnthropicStreamTap, readAnthropicUsage } from '../../providers/anthropic/anthropic-usage-tap.js';
import { GatewayError } from '../../spec/errors.js';
import type { ChatRequest } from '../../spec/canonical.js';
import { authHeaders, type ProviderRuntime } from '../upstream/provider-runtime.js';
import { dialects, wires } from './codecs.js';
import type { DispatchDeps } from './dispatch-deps.js';
import { forward, type ForwardPlan } from './forward.js';
import { translate } from './translate.js';
import { runAttempts } from './attempts.js';

const openaiPaths = { chat: '/chat/completions', embeddings: '/embeddings', responses: '/responses' } as const;

export function upstreamHeaders(call: Call, runtime: ProviderRuntime, deps: DispatchDeps): Record<string, string> {
  // Pass-through forwards the caller's own provider key; a Jevons virtual key never leaves the gateway.
  const callerKey = deps.passthroughCredentials && call.key === null ? call.credential : null;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...authHeaders(runtime, callerKey) };
  if (runtime.wire === 'anthropic') {
    // Forward the caller's API version and betas; never pin them (SDKs differ: https://docs.anthropic.com/en/api/versioning).
    const version = call.headers['anthropic-version'];
    headers['anthropic-version'] = typeof version === 'string' && version !== '' ? version : '2023-06-01';
    const beta = call.headers['anthropic-beta'];
    if (typeof beta === 'string' && beta !== '') headers['anthropic-beta'] = beta;
  }
  return headers;
}

/** The body to send: the caller's bytes when nothing changes, otherwise one re-serialisation. */
function bodyFor(call: Call, changes: Record<string, unknown>): string | Buffer {
  return Object.keys(changes).length === 0 ? call.rawBody : JSON.stringify({ ...call.body, ...changes });
}

function estimator(call: Call, deps: DispatchDeps, runtime: ProviderRuntime, upstreamModel: string): () => number {
  return () => {
    try {
      return deps.countRequest(dialects[call.dialect].parse(call.body), upstreamModel, runtime.priceFamily);
    } catch {
      return deps.countText(call.rawBody.toString('utf8'), upstreamModel, runtime.priceFamily);
    }
  };
}

/** The fields a same-wire body must change: the policies' overrides, and the upstream model id when it differs. */
function bodyChanges(call: Call, upstreamModel: string): Record<string, unknown> {
  const changes: Record<string, unknown> = call.bodyOverrides === null ? {} : { ...call.bodyOverrides };
  if (upstreamModel !== call.model) changes.model = upstreamModel;
  return changes;
}

function openaiPlan(call: Call, deps: DispatchDeps, runtime: ProviderRuntime, upstreamModel: string): ForwardPlan {
  const changes = bodyChanges(call, upstreamModel);
  let dropEvent: ForwardPlan['dropEvent'] = null;
  if (call.endpoint === 'chat' && call.stream && runtime.quirks?.streamUsage !== false) {
    const options = call.body.stream_options;
    const asked = typeof options === 'object' && options !== null && (options as Record<string, unknown>).include_usage === true;
    if (!asked) {
      // Ask for usage even when the caller did not, and drop that chunk on its way back.
      changes.stream_options = { ...(typeof options === 'object' && options !== null ? options : {}), include_usage: true };
      dropEvent = isUsageOnlyChunk;
    }
  }
  const endpoint = call.endpoint === 'embeddings' ? 'embeddings' : call.endpoint === 'responses' ? 'responses' : 'chat';
  return {
    runtime,
    upstreamModel,
    path: openaiPaths[endpoint],
    body: bodyFor(call, changes),
    headers: upstreamHeaders(call, runtime, deps),
    readUsage: endpoint === 'embeddings' ? readOpenAIEmbeddingsUsage : endpoint === 'responses' ? readOpenAIResponsesUsage : readOpenAIUsage,
    createTap: endpoint === 'responses' ? createOpenAIResponsesStreamTap : endpoint === 'chat' ? createOpenAIStreamTap : null,
    dropEvent,
    estimateInput: endpoint === 'chat' ? estimator(call, deps, runtime, upstreamModel) : () => deps.countText(call.rawBody.toString('utf8'), upstreamModel, runtime.priceFamily),
  };
}

function anthropicPlan(call: Call, deps: DispatchDeps, runtime: ProviderRuntime, upstreamModel: string): ForwardPlan {
  const free = call.endpoint === 'count_tokens';
  return {
    runtime,
    upstreamModel,
    path: free ? '/v1/messages/count_tokens' : '/v1/messages',
    body: bodyFor(call, bodyChanges(call, upstreamModel)),
    headers: upstreamHeaders(call, runtime, deps),
    readUsage: readAnthropicUsage,
    createTap: createAnthropicStreamTap,
    dropEvent: null,
    estimateInput: estimator(call, deps, runtime, upstreamModel),
    free,
  };
}

function unsupported(call: Call, runtime: ProviderRuntime, what: string): GatewayError {
  return new GatewayError({ code: 'unsupported', param: 'model', message: `${what} is not available for model "${call.model}": its provider "${runtime.name}" is a ${runtime.type} upstream.` });
}

/** count_tokens for a model whose provider has no such endpoint: counted locally, nothing sent upstream. */
function countLocally(call: Call, deps: DispatchDeps, runtime: ProviderRuntime, upstreamModel: string): void {
  const request: ChatRequest = dialects.anthropic.parse({ ...call.body, max_tokens: 1 });
  const body = JSON.stringify({ input_tokens: deps.countRequest(request, upstreamModel, runtime.priceFamily) });
  call.response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-jevons-request-id': call.requestId });
  call.response.end(body);
}

/**
 * One attempt to `target` by the cheapest correct path. `defer`: a retryable upstream HTTP error on the forward path
 * is thrown unwritten (RetryableUpstreamFailure) so the attempt loop may try again.
 */
async function dispatchTo(call: Call, deps: DispatchDeps, target: RouteTarget | null, defer: boolean): Promise<void> {
  const runtime = target ? deps.runtimes.get(target.provider) : undefined;
  if (!target || !runtime) throw new GatewayError({ code: 'internal', message: `No runtime for the target of model "${call.model}".` });
  const model = target.upstreamModel;
  const sameWire = runtime.wire === call.dialect;
  switch (call.endpoint) {
    case 'embeddings':
    case 'responses':
      if (runtime.wire !== 'openai') throw unsupported(call, runtime, call.endpoint === 'embeddings' ? '/v1/embeddings' : '/v1/responses');
      return forward(call, deps, { ...openaiPlan(call, deps, runtime, model), deferRetryable: defer });
    case 'count_tokens':
      if (runtime.wire === 'anthropic') return forward(call, deps, { ...anthropicPlan(call, deps, runtime, model), deferRetryable: defer });
      return countLocally(call, deps, runtime, model);
    case 'chat':
    case 'messages': {
      if (sameWire) return forward(call, deps, { ...(runtime.wire === 'openai' ? openaiPlan(call, deps, runtime, model) : anthropicPlan(call, deps, runtime, model)), deferRetryable: defer });
      const dialect = dialects[call.dialect];
      const request = dialect.parse(call.bodyOverrides === null ? call.body : { ...call.body, ...call.bodyOverrides });
      return translate(call, deps, {
        runtime,
        upstreamModel: model,
        request,
        dialect,
        wire: wires[runtime.wire],
        headers: upstreamHeaders(call, runtime, deps),
        estimateInput: () => deps.countRequest(request, model, runtime.priceFamily),
      });
    }
  }
}

/** The innermost handler: the attempt loop (attempts.ts: fallbacks, health, cascades) around dispatchTo. */
export function createDispatcher(deps: DispatchDeps): Handler {
  const paths = { send: (call: Call, target: RouteTarget | null, defer: boolean) => dispatchTo(call, deps, target, defer), headers: upstreamHeaders };
  return function dispatch(call) {
    return runAttempts(call, deps, paths);
  };
}
