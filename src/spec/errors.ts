/**
 * One error model with stable codes. A code fixes the HTTP status and the type each dialect shows; the
 * dialect renderers (server/dialects/*) are the only places that turn a GatewayError into a body.
 */

export const errorCodes = {
  invalid_json: { status: 400, openai: 'invalid_request_error', anthropic: 'invalid_request_error' },
  invalid_request: { status: 400, openai: 'invalid_request_error', anthropic: 'invalid_request_error' },
  untranslatable: { status: 400, openai: 'invalid_request_error', anthropic: 'invalid_request_error' },
  unauthenticated: { status: 401, openai: 'invalid_request_error', anthropic: 'authentication_error' },
  forbidden: { status: 403, openai: 'invalid_request_error', anthropic: 'permission_error' },
  not_found: { status: 404, openai: 'invalid_request_error', anthropic: 'not_found_error' },
  model_not_found: { status: 404, openai: 'invalid_request_error', anthropic: 'not_found_error' },
  method_not_allowed: { status: 405, openai: 'invalid_request_error', anthropic: 'invalid_request_error' },
  body_too_large: { status: 413, openai: 'invalid_request_error', anthropic: 'request_too_large' },
  unsupported: { status: 400, openai: 'invalid_request_error', anthropic: 'invalid_request_error' },
  upstream_unreachable: { status: 502, openai: 'api_error', anthropic: 'api_error' },
  upstream_bad_response: { status: 502, openai: 'api_error', anthropic: 'api_error' },
  upstream_timeout: { status: 504, openai: 'api_error', anthropic: 'timeout_error' },
  client_aborted: { status: 499, openai: 'api_error', anthropic: 'api_error' },
  /** A budget in the request's scope is spent (action block). */
  budget_exceeded: { status: 429, openai: 'insufficient_quota', anthropic: 'rate_limit_error' },
  /** A Jevons rate limit (requests / tokens per minute, USD per hour) is reached. */
  rate_limited: { status: 429, openai: 'rate_limit_error', anthropic: 'rate_limit_error' },
  /** An agent circuit breaker tripped for the session (limits or a detected loop). */
  breaker_open: { status: 429, openai: 'rate_limit_error', anthropic: 'rate_limit_error' },
  /** `x-jevons-cache: only` and no cached answer (docs/caching.md): the request was not sent upstream. */
  cache_miss: { status: 412, openai: 'invalid_request_error', anthropic: 'invalid_request_error' },
  internal: { status: 500, openai: 'api_error', anthropic: 'api_error' },
} as const satisfies Record<string, { status: number; openai: string; anthropic: string }>;

export type ErrorCode = keyof typeof errorCodes;

const brand = Symbol.for('jevons.GatewayError');

export interface GatewayErrorOptions {
  code: ErrorCode;
  message: string;
  /** The request field at fault, rendered as OpenAI `param`. */
  param?: string;
  cause?: unknown;
  /** Which provider was involved, for upstream_* codes. */
  provider?: string;
  /** Response headers that go with the error (retry-after, rate-limit state). */
  headers?: Record<string, string>;
  /** Machine-readable facts behind the error (budget name, limit, spent, reset), rendered as `jevons` in the body. */
  details?: Record<string, unknown>;
}

export class GatewayError extends Error {
  readonly [brand] = true;
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | undefined;
  readonly provider: string | undefined;
  readonly headers: Record<string, string> | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(options: GatewayErrorOptions) {
    super(options.message, { cause: options.cause });
    this.name = 'GatewayError';
    this.code = options.code;
    this.status = errorCodes[options.code].status;
    this.param = options.param;
    this.provider = options.provider;
    this.headers = options.headers;
    this.details = options.details;
  }

  get isRetryable(): boolean {
    return this.code === 'upstream_unreachable' || this.code === 'upstream_timeout';
  }

  static isInstance(value: unknown): value is GatewayError {
    return typeof value === 'object' && value !== null && brand in value;
  }
}

/**
 * An error response from the upstream provider. It is passed through to a same-dialect caller with its
 * status and body unchanged, and re-rendered (status kept, message kept) for a cross-dialect caller.
 */
export class UpstreamHttpError extends Error {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly provider: string;
  /** Error type as the upstream named it (`rate_limit_error`, `RESOURCE_EXHAUSTED`...), if it could be read. */
  readonly upstreamType: string | undefined;

  constructor(options: {
    status: number;
    body: string;
    headers: Record<string, string>;
    provider: string;
    message: string;
    upstreamType?: string;
  }) {
    super(options.message);
    this.name = 'UpstreamHttpError';
    this.status = options.status;
    this.body = options.body;
    this.headers = options.headers;
    this.provider = options.provider;
    this.upstreamType = options.upstreamType;
  }

  /** Ledger error code: stable across providers. */
  get code(): string {
    if (this.status === 429) return 'upstream_rate_limited';
    if (this.status >= 500) return 'upstream_server_error';
    return 'upstream_client_error';
  }
}
