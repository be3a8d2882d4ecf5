/**
 * Errors in the OpenAI dialect: `{"error": {"message", "type", "param", "code"}}`
 * (https://platform.openai.com/docs/guides/error-codes). The only place a GatewayError becomes an OpenAI body.
 */
import { errorCodes, type GatewayError, type UpstreamHttpError } from '../../../spec/errors.js';

/** A gateway error: status and type from the errors.ts table; `code` is the gateway's stable code. */
export function renderOpenAIError(error: GatewayError): { status: number; body: Record<string, unknown> } {
  return {
    status: error.status,
    body: { error: { message: error.message, type: errorCodes[error.code].openai, param: error.param ?? null, code: error.code, ...(error.details ? { jevons: error.details } : {}) } },
  };
}

/** The OpenAI error type and code an OpenAI client expects for an HTTP status. */
function openaiTypeFor(status: number): { type: string; code: string | null } {
  if (status === 429) return { type: 'rate_limit_error', code: 'rate_limit_exceeded' };
  if (status === 401) return { type: 'authentication_error', code: 'invalid_api_key' };
  if (status === 403) return { type: 'permission_error', code: null };
  if (status >= 500) return { type: 'api_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

/**
 * An upstream error for an OpenAI-dialect caller whose call went to another wire format (a same-dialect caller gets
 * the upstream body as is): the status and message are kept, the type is the one OpenAI uses for that status.
 */
export function renderOpenAIUpstreamError(error: UpstreamHttpError): { status: number; body: Record<string, unknown> } {
  const { type, code } = openaiTypeFor(error.status);
  return { status: error.status, body: { error: { message: error.message, type, param: null, code } } };
}
