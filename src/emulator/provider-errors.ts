/**
 * Error bodies and response headers in each provider's own shape. Types per status follow the providers' error
 * references:
 * - OpenAI: https://platform.openai.com/docs/guides/error-codes#api-errors
 * - Anthropic: https://docs.anthropic.com/en/api/errors
 * - Gemini (google.rpc.Status): https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
 */
import { base58, hashId, hexDigits, type HeaderMap } from './respond.js';

export type Provider = 'openai' | 'anthropic' | 'gemini';

/** An error to render: the HTTP status and, optionally, the message and the provider's error type. */
export interface ErrorSpec {
  status: number;
  message?: string | undefined;
  type?: string | undefined;
  /** Seconds, sent as the `retry-after` header. */
  retryAfter?: number | undefined;
  /** OpenAI's `code` field (`rate_limit_exceeded`, `model_not_found`...). */
  code?: string | undefined;
  param?: string | undefined;
}

const openAiByStatus: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: 'invalid_request_error', code: null, message: 'Invalid request.' },
  401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
  403: { type: 'invalid_request_error', code: null, message: 'You are not allowed to perform this request.' },
  404: { type: 'invalid_request_error', code: null, message: 'The requested resource does not exist.' },
  429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests.' },
  500: { type: 'server_error', code: null, message: 'The server had an error while processing your request. Sorry about that!' },
  503: { type: 'server_error', code: null, message: 'The engine is currently overloaded, please try again later.' },
};

const anthropicByStatus: Record<number, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request.' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  402: { type: 'billing_error', message: 'Your credit balance is too low.' },
  403: { type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' },
  404: { type: 'not_found_error', message: 'Not Found' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit.' },
  500: { type: 'api_error', message: 'Internal server error' },
  504: { type: 'timeout_error', message: 'Request timed out' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

const geminiByStatus: Record<number, { status: string; message: string }> = {
  400: { status: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.' },
  401: { status: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.' },
  403: { status: 'PERMISSION_DENIED', message: 'The caller does not have permission.' },
  404: { status: 'NOT_FOUND', message: 'Requested entity was not found.' },
  409: { status: 'ABORTED', message: 'The operation was aborted.' },
  429: { status: 'RESOURCE_EXHAUSTED', message: 'Resource has been exhausted (e.g. check quota).' },
  499: { status: 'CANCELLED', message: 'The operation was cancelled.' },
  500: { status: 'INTERNAL', message: 'An internal error has occurred.' },
  503: { status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
  504: { status: 'DEADLINE_EXCEEDED', message: 'Deadline expired before operation could complete.' },
};

function byStatus<T>(table: Record<number, T>, status: number): T {
  const fallback = status >= 500 ? table[500] : table[400];
  const entry = table[status] ?? fallback;
  if (entry === undefined) throw new Error(`no default error entry for ${status}`);
  return entry;
}

/** The body OpenAI sends for this error, also used as the payload of an in-stream error chunk. */
export function openAiErrorObject(spec: ErrorSpec) {
  const base = byStatus(openAiByStatus, spec.status);
  const code = spec.code ?? (spec.type === undefined ? base.code : null);
  return { error: { message: spec.message ?? base.message, type: spec.type ?? base.type, param: spec.param ?? null, code } };
}

/** The error object Anthropic sends (`request_id` is added for HTTP errors, as the API does). */
export function anthropicErrorObject(spec: ErrorSpec) {
  const base = byStatus(anthropicByStatus, spec.status);
  return { type: 'error', error: { type: spec.type ?? base.type, message: spec.message ?? base.message } };
}

/** Google's error shape: `{error: {code, message, status}}`. */
export function geminiErrorObject(spec: ErrorSpec) {
  const base = byStatus(geminiByStatus, spec.status);
  return { error: { code: spec.status, message: spec.message ?? base.message, status: spec.type ?? base.status } };
}

/** Response headers each provider sends with every response: request ids (deterministic per emulator request). */
export function providerHeaders(provider: Provider, seq: number): HeaderMap {
  if (provider === 'openai') {
    return {
      'x-request-id': `req_${hashId(`req:${seq}`, 32, hexDigits)}`,
      'openai-version': '2020-10-01',
      'openai-processing-ms': '1',
    };
  }
  if (provider === 'anthropic') return { 'request-id': anthropicRequestId(seq) };
  return { 'content-type': 'application/json; charset=UTF-8' };
}

export function anthropicRequestId(seq: number): string {
  return `req_011C${hashId(`req:${seq}`, 20, base58)}`;
}

/** Status, headers and body of an error response in the provider's shape. */
export function renderError(provider: Provider, spec: ErrorSpec, seq: number): { status: number; headers: HeaderMap; body: unknown } {
  const headers = providerHeaders(provider, seq);
  if (spec.retryAfter !== undefined) headers['retry-after'] = String(spec.retryAfter);
  if (provider === 'openai') return { status: spec.status, headers, body: openAiErrorObject(spec) };
  if (provider === 'anthropic') {
    return { status: spec.status, headers, body: { ...anthropicErrorObject(spec), request_id: anthropicRequestId(seq) } };
  }
  return { status: spec.status, headers, body: geminiErrorObject(spec) };
}
