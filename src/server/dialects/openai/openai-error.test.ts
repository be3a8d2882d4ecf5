import { describe, expect, it } from 'vitest';
import { GatewayError, UpstreamHttpError } from '../../../spec/errors.js';
import { renderOpenAIError, renderOpenAIUpstreamError } from './openai-error.js';

const upstream = (status: number, message = 'upstream said no') =>
  new UpstreamHttpError({ status, body: '{}', headers: {}, provider: 'anthropic', message, upstreamType: 'overloaded_error' });

describe('renderOpenAIError', () => {
  it('status and type from the code table; param and code kept', () => {
    expect(renderOpenAIError(new GatewayError({ code: 'untranslatable', param: 'n', message: 'n: n > 1 cannot be translated' }))).toEqual({
      status: 400,
      body: { error: { message: 'n: n > 1 cannot be translated', type: 'invalid_request_error', param: 'n', code: 'untranslatable' } },
    });
    expect(renderOpenAIError(new GatewayError({ code: 'upstream_timeout', message: 'timed out' }))).toEqual({
      status: 504,
      body: { error: { message: 'timed out', type: 'api_error', param: null, code: 'upstream_timeout' } },
    });
  });
});

describe('renderOpenAIUpstreamError', () => {
  it('keeps status and message; maps the type to the OpenAI one for the status', () => {
    expect(renderOpenAIUpstreamError(upstream(429))).toEqual({ status: 429, body: { error: { message: 'upstream said no', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' } } });
    expect(renderOpenAIUpstreamError(upstream(529)).body).toEqual({ error: { message: 'upstream said no', type: 'api_error', param: null, code: null } });
    expect(renderOpenAIUpstreamError(upstream(529)).status).toBe(529);
    expect(renderOpenAIUpstreamError(upstream(400)).body).toMatchObject({ error: { type: 'invalid_request_error' } });
    expect(renderOpenAIUpstreamError(upstream(401)).body).toMatchObject({ error: { type: 'authentication_error', code: 'invalid_api_key' } });
    expect(renderOpenAIUpstreamError(upstream(403)).body).toMatchObject({ error: { type: 'permission_error' } });
  });
});
