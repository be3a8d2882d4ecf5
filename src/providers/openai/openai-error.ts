/**
 * An OpenAI (or OpenAI-compatible) error response → UpstreamHttpError. The body is kept verbatim for a
 * same-dialect caller; the message and type are read for a cross-dialect one.
 * https://platform.openai.com/docs/guides/error-codes
 */
import type { UpstreamHttpError } from '../../spec/errors.js';
import { toUpstreamError, type UpstreamErrorInput } from '../shared/upstream-error.js';
import { openaiErrorBodySchema } from './openai-api.js';
import { parseJson } from '../shared/parse-json.js';


function readError(body: string): { message: string | undefined; type: string | undefined } {
  const parsed = openaiErrorBodySchema.safeParse(parseJson(body));
  if (!parsed.success) return { message: undefined, type: undefined };
  const { error, message, type, detail } = parsed.data;
  if (typeof error === 'string') return { message: error, type: type ?? undefined };
  if (error != null) {
    const code = error.code == null ? undefined : String(error.code);
    return { message: error.message ?? undefined, type: error.type ?? code };
  }
  if (message != null) return { message, type: type ?? undefined };
  // FastAPI-style validation errors (Mistral 422: {"detail": [...]}) carry no message field of their own.
  if (detail !== undefined) return { message: typeof detail === 'string' ? detail : JSON.stringify(detail), type: undefined };
  return { message: undefined, type: undefined };
}

/**
 * Reads `error.message` and `error.type` (falling back to `error.code`) from the body; hosts that put `message` and
 * `type` at the top level are read too. When nothing can be read, the message is the raw text (truncated) or the
 * status line.
 */
export function parseOpenAIError(input: UpstreamErrorInput): UpstreamHttpError {
  return toUpstreamError(input, readError(input.body));
}
