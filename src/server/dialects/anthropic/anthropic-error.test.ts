import { describe, expect, it } from 'vitest';
import { GatewayError, UpstreamHttpError } from '../../../spec/errors.js';
import { renderAnthropicError, renderAnthropicUpstreamError } from './anthropic-error.js';

const upstream = (status: number, message = 'upstream said no') => new UpstreamHttpError({ status, body: '{}', headers: {}, provider: 'openai', message, upstreamType: 'whatever' });

describe('renderAnthropicError', () => {
  it('renders {type: "error", error: {type, message}} with the status and type of the errors table', () => {
    expect(renderAnthropicError(new GatewayError({ code: 'invalid_request', param: 'max_tokens', message: 'max_tokens: Field required' }))).toEqual({
      status: 400,
      body: { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } },
    });
    expect(renderAnthropicError(new GatewayError({ code: 'unauthenticated', message: 'no key' }))).toMatchObject({ status: 401, body: { error: { type: 'authentication_error' } } });
    expect(renderAnthropicError(new GatewayError({ code: 'body_too_large', message: 'big' }))).toMatchObject({ status: 413, body: { error: { type: 'request_too_large' } } });
    expect(renderAnthropicError(new GatewayError({ code: 'upstream_timeout', message: 'slow' }))).toMatchObject({ status: 504, body: { error: { type: 'timeout_error' } } });
  });
});

describe('renderAnthropicUpstreamError', () => {
  it('keeps the status and message and uses the Anthropic type for the status', () => {
    expect(renderAnthropicUpstreamError(upstream(429, 'Rate limit reached'))).toEqual({ status: 429, body: { type: 'error', error: { type: 'rate_limit_error', message: 'Rate limit reached' } } });
    const cases: [number, string][] = [
      [400, 'invalid_request_error'],
      [401, 'authentication_error'],
      [402, 'billing_error'],
      [403, 'permission_error'],
      [404, 'not_found_error'],
      [413, 'request_too_large'],
      [422, 'invalid_request_error'],
      [500, 'api_error'],
      [503, 'api_error'],
      [504, 'timeout_error'],
      [529, 'overloaded_error'],
    ];
    for (const [status, type] of cases) expect(renderAnthropicUpstreamError(upstream(status))).toMatchObject({ status, body: { error: { type, message: 'upstream said no' } } });
  });
});
