/**
 * Errors in the Anthropic dialect: `{"type": "error", "error": {"type", "message"}}`
 * (https://docs.anthropic.com/en/api/errors). The only place a GatewayError becomes an Anthropic body.
 */
import { errorCodes, type GatewayError, type UpstreamHttpError } from '../../../spec/errors.js';

/** A gateway error: status and type from the errors.ts table. */
export function renderAnthropicError(error: GatewayError): { status: number; body: Record<string, unknown> } {
  return { status: error.status, body: { type: 'error', error: { type: errorCodes[error.code].anthropic, message: error.message, ...(error.details ? { jevons: error.details } : {}) } } };
}

/**
 * The Anthropic error type for an HTTP status, as the errors reference pairs them: 400 invalid_request_error,
 * 401 authentication_error, 402 billing_error, 403 permission_error, 404 not_found_error, 413 request_too_large,
 * 429 rate_limit_error, 500 api_error, 504 timeout_error, 529 overloaded_error; any other 4xx is an
 * invalid_request_error and any other 5xx an api_error.
 */
export function anthropicTypeFor(status: number): string {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/**
 * An upstream error for an Anthropic-dialect caller whose call went to another wire format (a same-dialect caller gets
 * the upstream body as is): the status and message are kept, the type is the one Anthropic uses for that status.
 */
export function renderAnthropicUpstreamError(error: UpstreamHttpError): { status: number; body: Record<string, unknown> } {
  return { status: error.status, body: { type: 'error', error: { type: anthropicTypeFor(error.status), message: error.message } } };
}
