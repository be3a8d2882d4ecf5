/**
 * The HTTP surface: a fixed route table over plain node:http (the fastest server measured here; see
 * docs/decisions/0002-http-server.md). Reads and parses the body once, builds the Call, runs the pipeline, and renders
 * any error in the caller's dialect. Never lets an error escape to crash the process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Handler } from '../pipeline/call.js';
import type { Dialect } from '../spec/canonical.js';
import { GatewayError, UpstreamHttpError } from '../spec/errors.js';
import type { Endpoint } from '../spec/ledger.js';
import { dialects } from './dispatch/codecs.js';
import { renderAnthropicError } from './dialects/anthropic/anthropic-error.js';
import { renderOpenAIError } from './dialects/openai/openai-error.js';
import { newCall } from './http/new-call.js';
import { readBody } from './http/read-body.js';
import type { Logger } from './logger.js';

export interface AppDeps {
  handle: Handler;
  maxBodyBytes: number;
  newId: () => string;
  now: () => number;
  logger: Logger;
  /** GET /v1/models in the caller's dialect. */
  listModels: (dialect: Dialect) => Record<string, unknown>;
  /** GET /metrics: Prometheus text exposition. */
  metrics: () => Promise<{ contentType: string; body: string }>;
  /** POST /v1/jevons/estimate (estimate-endpoint.ts): answered locally; its dialect is read from the request. */
  estimate?: { handle: Handler; dialectOf: (request: IncomingMessage, body: Record<string, unknown> | null) => Dialect };
  /** POST /v1/jevons/outcomes (outcomes-endpoint.ts): authenticated like a model call, answered locally. */
  outcomes?: {
    handle: (input: { request: IncomingMessage; response: ServerResponse; requestId: string; credential: string | null }) => Promise<void>;
    dialectOf: (request: IncomingMessage) => Dialect;
  };
  /** /admin/v1/* (src/server/admin): answered by the admin API itself, never through the model pipeline. */
  admin?: (request: IncomingMessage, response: ServerResponse) => void;
  /** GET /dashboard/* and GET / (src/server/dashboard/static-files.ts): the dashboard's static files. */
  dashboard?: (request: IncomingMessage, response: ServerResponse) => void;
}

type RouteSpec = { dialect: Dialect; endpoint: Endpoint };

const routes: Record<string, { dialect: Dialect; endpoint: Endpoint }> = {
  '/v1/chat/completions': { dialect: 'openai', endpoint: 'chat' },
  '/v1/embeddings': { dialect: 'openai', endpoint: 'embeddings' },
  '/v1/responses': { dialect: 'openai', endpoint: 'responses' },
  '/v1/messages': { dialect: 'anthropic', endpoint: 'messages' },
  '/v1/messages/count_tokens': { dialect: 'anthropic', endpoint: 'count_tokens' },
};

/** Which dialect to answer an error in when the route does not say: Anthropic SDKs send anthropic-version. */
const guessDialect = (request: IncomingMessage): Dialect => (request.headers['anthropic-version'] ? 'anthropic' : 'openai');

function credentialOf(request: IncomingMessage): string | null {
  const authorization = request.headers.authorization;
  if (authorization !== undefined && authorization.startsWith('Bearer ')) return authorization.slice(7).trim() || null;
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey !== '' ? apiKey : null;
}

export function sendJson(response: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extra });
  response.end(text);
}

export function renderError(options: { response: ServerResponse; dialect: Dialect; error: unknown; requestId: string; logger: Logger }): void {
  const { response, error } = options;
  if (response.headersSent) {
    if (!response.writableEnded) response.end();
    return;
  }
  const headers: Record<string, string> = { 'x-jevons-request-id': options.requestId };
  if (error instanceof UpstreamHttpError) {
    const rendered = dialects[options.dialect].renderUpstreamError(error);
    const retryAfter = error.headers['retry-after'];
    if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
    return sendJson(response, rendered.status, rendered.body, headers);
  }
  const gatewayError = GatewayError.isInstance(error) ? error : new GatewayError({ code: 'internal', message: 'Internal gateway error; see the gateway log for the request id.', cause: error });
  if (gatewayError.code === 'internal') options.logger.error('internal error', { requestId: options.requestId, error: String(error instanceof Error ? error.stack : error) });
  const rendered = options.dialect === 'anthropic' ? renderAnthropicError(gatewayError) : renderOpenAIError(gatewayError);
  sendJson(response, rendered.status, rendered.body, { ...gatewayError.headers, ...headers });
}

function parseJsonBody(bytes: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new GatewayError({ code: 'invalid_json', message: `Request body is not valid JSON: ${detail}`, cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new GatewayError({ code: 'invalid_request', message: 'Request body must be a JSON object.' });
  }
  return parsed as Record<string, unknown>;
}

function requiredModel(body: Record<string, unknown>): string {
  const model = body.model;
  if (typeof model !== 'string' || model === '') {
    throw new GatewayError({ code: 'invalid_request', param: 'model', message: `model: expected a non-empty string, got ${model === undefined ? 'nothing' : JSON.stringify(model)}` });
  }
  return model;
}

function bodyUser(dialect: Dialect, body: Record<string, unknown>): string | null {
  if (dialect === 'openai') return typeof body.user === 'string' && body.user !== '' ? body.user : null;
  const metadata = body.metadata;
  if (typeof metadata !== 'object' || metadata === null) return null;
  const userId = (metadata as Record<string, unknown>).user_id;
  return typeof userId === 'string' && userId !== '' ? userId : null;
}

async function handleModelCall(options: { deps: AppDeps; request: IncomingMessage; response: ServerResponse; route: RouteSpec | ((body: Record<string, unknown>) => RouteSpec); requestId: string; handle?: Handler }): Promise<void> {
  const { deps, request, response } = options;
  const rawBody = await readBody(request, deps.maxBodyBytes);
  const received = performance.now();
  const body = parseJsonBody(rawBody);
  const route = typeof options.route === 'function' ? options.route(body) : options.route;
  const model = requiredModel(body);
  if (body.stream !== undefined && typeof body.stream !== 'boolean') {
    throw new GatewayError({ code: 'invalid_request', param: 'stream', message: `stream: expected boolean, got ${JSON.stringify(body.stream)}` });
  }
  const call = newCall({
    requestId: options.requestId,
    dialect: route.dialect,
    endpoint: route.endpoint,
    receivedAt: deps.now(),
    headers: request.headers,
    body,
    rawBody,
    model,
    stream: body.stream === true,
    bodyUser: bodyUser(route.dialect, body),
    credential: credentialOf(request),
    response,
    received,
  });
  response.once('close', () => {
    if (response.writableFinished) return;
    call.clientAborted = true;
    call.controller.abort();
  });
  await (options.handle ?? deps.handle)(call);
}

export function createRequestListener(deps: AppDeps): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const path = request.url === undefined ? '/' : request.url.split('?', 1)[0] ?? '/';
    if (deps.admin !== undefined && (path === '/admin/v1' || path.startsWith('/admin/v1/'))) return deps.admin(request, response);
    if (deps.dashboard !== undefined && (path === '/dashboard' || path.startsWith('/dashboard/') || (path === '/' && (request.method === 'GET' || request.method === 'HEAD')))) return deps.dashboard(request, response);
    const route = routes[path];
    const requestId = deps.newId();
    const estimate = path === '/v1/jevons/estimate' ? deps.estimate : undefined;
    const outcomes = path === '/v1/jevons/outcomes' ? deps.outcomes : undefined;
    let dialect = estimate ? estimate.dialectOf(request, null) : outcomes ? outcomes.dialectOf(request) : (route?.dialect ?? guessDialect(request));
    const fail = (error: unknown) => renderError({ response, dialect, error, requestId, logger: deps.logger });
    if (outcomes) {
      if (request.method !== 'POST') {
        request.resume();
        return fail(new GatewayError({ code: 'method_not_allowed', message: `${request.method} ${path}: use POST.` }));
      }
      outcomes.handle({ request, response, requestId, credential: credentialOf(request) }).catch((error: unknown) => {
        if (!request.complete) request.resume();
        fail(error);
      });
      return;
    }
    if (estimate) {
      if (request.method !== 'POST') return fail(new GatewayError({ code: 'method_not_allowed', message: `${request.method} ${path}: use POST.` }));
      // Errors after the body is read are rendered in the dialect the body shows (estimate-endpoint.ts estimateDialect).
      const routeOf = (body: Record<string, unknown>): RouteSpec => {
        dialect = estimate.dialectOf(request, body);
        return { dialect, endpoint: dialect === 'anthropic' ? 'messages' : 'chat' };
      };
      handleModelCall({ deps, request, response, route: routeOf, requestId, handle: estimate.handle }).catch(fail);
      return;
    }
    if (route) {
      if (request.method !== 'POST') return fail(new GatewayError({ code: 'method_not_allowed', message: `${request.method} ${path}: use POST.` }));
      handleModelCall({ deps, request, response, route, requestId }).catch(fail);
      return;
    }
    if (request.method === 'GET' && (path === '/v1/models' || path === '/models')) return sendJson(response, 200, deps.listModels(dialect));
    if (request.method === 'GET' && path === '/health') return sendJson(response, 200, { status: 'ok' });
    if (request.method === 'GET' && path === '/metrics') {
      deps.metrics().then(({ contentType, body }) => {
        response.writeHead(200, { 'content-type': contentType }).end(body);
      }, fail);
      return;
    }
    request.resume();
    fail(new GatewayError({ code: 'not_found', message: `No route for ${request.method} ${path}. Jevons serves POST /v1/chat/completions, /v1/embeddings, /v1/responses, /v1/messages, /v1/messages/count_tokens, /v1/jevons/estimate, /v1/jevons/outcomes and GET /v1/models.` }));
  };
}
