/**
 * An Anthropic error response → UpstreamHttpError. The body is kept verbatim for a same-dialect caller; the message
 * and type are read for a cross-dialect one. Shape (https://docs.anthropic.com/en/api/errors):
 * `{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}, "request_id": "req_…"}`.
 * Errors returned before the API (Cloudflare's 413 page, a proxy's HTML) are not JSON: their raw text is the message.
 */
import type { UpstreamHttpError } from '../../spec/errors.js';
import { toUpstreamError, type UpstreamErrorInput } from '../shared/upstream-error.js';
import { anthropicErrorBodySchema } from './anthropic-api.js';
import { parseJson } from '../shared/parse-json.js';


function readError(body: string): { message: string | undefined; type: string | undefined } {
  const parsed = anthropicErrorBodySchema.safeParse(parseJson(body));
  if (!parsed.success) return { message: undefined, type: undefined };
  const { error, message, type } = parsed.data;
  if (typeof error === 'string') return { message: error, type: undefined };
  if (error != null && (error.message != null || error.type != null)) return { message: error.message ?? undefined, type: error.type ?? undefined };
  if (message != null) return { message, type: type === 'error' ? undefined : (type ?? undefined) };
  return { message: undefined, type: undefined };
}

/**
 * Reads `error.message` and `error.type` from the body. When nothing can be read the message is the raw text
 * (truncated to 500 characters) or, for an empty body, the status line.
 */
export function parseAnthropicError(input: UpstreamErrorInput): UpstreamHttpError {
  return toUpstreamError(input, readError(input.body));
}
