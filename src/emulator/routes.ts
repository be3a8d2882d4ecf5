/**
 * Which handler serves a path, which provider's conventions (auth, error shape) apply to it, and the providers'
 * authentication checks.
 */
import type { IncomingMessage } from 'node:http';
import { handleCountTokens, handleMessages } from './anthropic-messages.js';
import type { ExchangeContext } from './exchange.js';
import { handleGenerateContent } from './gemini.js';
import { handleBatchEmbedContents, handleEmbedContent, handleGeminiCountTokens } from './gemini-extras.js';
import { handleChatCompletions } from './openai-chat.js';
import { handleEmbeddings } from './openai-embeddings.js';
import { handleListModels, handleRetrieveModel } from './openai-models.js';
import { handleResponses } from './openai-responses.js';
import type { ErrorSpec, Provider } from './provider-errors.js';

export interface Route {
  provider: Provider;
  handle: (ctx: ExchangeContext) => Promise<void>;
}

const fixedRoutes: Record<string, Route> = {
  'POST /v1/chat/completions': { provider: 'openai', handle: handleChatCompletions },
  'POST /v1/embeddings': { provider: 'openai', handle: handleEmbeddings },
  'POST /v1/responses': { provider: 'openai', handle: handleResponses },
  'GET /v1/models': { provider: 'openai', handle: handleListModels },
  'POST /v1/messages': { provider: 'anthropic', handle: handleMessages },
  'POST /v1/messages/count_tokens': { provider: 'anthropic', handle: handleCountTokens },
};

const geminiPath = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):([A-Za-z]+)$/;
const openAiModelPath = /^\/v1\/models\/([^/:]+)$/;

function geminiRoute(model: string, method: string): Route | undefined {
  const handlers: Record<string, Route['handle'] | undefined> = {
    generateContent: (ctx) => handleGenerateContent(ctx, { model, stream: false, sse: false }),
    streamGenerateContent: (ctx) => handleGenerateContent(ctx, { model, stream: true, sse: ctx.url.searchParams.get('alt') === 'sse' }),
    countTokens: (ctx) => handleGeminiCountTokens(ctx, model),
    embedContent: (ctx) => handleEmbedContent(ctx, model),
    batchEmbedContents: (ctx) => handleBatchEmbedContents(ctx, model),
  };
  const handle = handlers[method];
  return handle === undefined ? undefined : { provider: 'gemini', handle };
}

/** The route for a method and path, or undefined for an unknown endpoint. */
export function resolveRoute(method: string, pathname: string): Route | undefined {
  const fixed = fixedRoutes[`${method} ${pathname}`];
  if (fixed !== undefined) return fixed;
  const gemini = method === 'POST' ? geminiPath.exec(pathname) : null;
  if (gemini?.[1] !== undefined && gemini[2] !== undefined) return geminiRoute(decodeURIComponent(gemini[1]), gemini[2]);
  const model = method === 'GET' ? openAiModelPath.exec(pathname) : null;
  if (model?.[1] !== undefined) {
    const id = decodeURIComponent(model[1]);
    return { provider: 'openai', handle: (ctx) => handleRetrieveModel(ctx, id) };
  }
  return undefined;
}

/** Whose error shape an unknown path gets: Gemini for `/v1beta` or `:method` paths, Anthropic when it looks like Anthropic. */
export function guessProvider(pathname: string, req: IncomingMessage): Provider {
  if (pathname.startsWith('/v1beta/') || pathname.includes(':')) return 'gemini';
  if (pathname.startsWith('/v1/messages') || req.headers['anthropic-version'] !== undefined) return 'anthropic';
  return 'openai';
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
}

function bearerToken(req: IncomingMessage): string {
  const match = /^Bearer\s+(.*)$/i.exec(header(req, 'authorization'));
  return match?.[1]?.trim() ?? '';
}

/**
 * The provider's authentication failure for this request, or undefined when it passes. Any non-empty key is
 * accepted; only a missing one fails, with the provider's own message.
 */
export function authFailure(provider: Provider, req: IncomingMessage, url: URL): ErrorSpec | undefined {
  if (provider === 'openai') {
    if (bearerToken(req) !== '') return undefined;
    // https://platform.openai.com/docs/api-reference/authentication
    const message =
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.";
    return { status: 401, message, type: 'invalid_request_error' };
  }
  if (provider === 'anthropic') {
    // https://docs.anthropic.com/en/api/overview#authentication — x-api-key, or Bearer as @anthropic-ai/sdk sends it.
    if (header(req, 'x-api-key') === '' && bearerToken(req) === '') {
      return { status: 401, message: 'x-api-key header is required', type: 'authentication_error' };
    }
    // https://docs.anthropic.com/en/api/versioning — any value is accepted here; absence is rejected.
    if (header(req, 'anthropic-version') === '') {
      return { status: 400, message: 'anthropic-version: header is required', type: 'invalid_request_error' };
    }
    return undefined;
  }
  // https://ai.google.dev/gemini-api/docs/api-key — header or ?key=; Google answers a keyless call with 403.
  if (header(req, 'x-goog-api-key') !== '' || (url.searchParams.get('key') ?? '') !== '') return undefined;
  const message =
    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.";
  return { status: 403, message };
}

/** The provider's message for a body that is not valid JSON. */
export function malformedBody(provider: Provider): ErrorSpec {
  if (provider === 'openai') {
    const message =
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)";
    return { status: 400, message };
  }
  if (provider === 'anthropic') return { status: 400, message: 'There was an issue with the request body: invalid JSON' };
  return { status: 400, message: 'Invalid JSON payload received. Unexpected token.' };
}

/** The provider's answer for an unknown path. */
export function unknownPath(provider: Provider, method: string, pathname: string): ErrorSpec {
  if (provider === 'openai') return { status: 404, message: `Invalid URL (${method} ${pathname})` };
  return { status: 404 };
}
