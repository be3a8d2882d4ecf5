import { describe, expect, it } from 'vitest';
import { fixtureText } from './__fixtures__/fixtures.js';
import { parseAnthropicError } from './anthropic-error.js';

const parse = (status: number, body: string) => parseAnthropicError({ status, body, headers: { 'request-id': 'req_1' }, provider: 'anthropic' });

describe('parseAnthropicError', () => {
  it('reads error.type and error.message from the documented error shape and keeps the body verbatim', () => {
    const body = fixtureText('error-not-found.json');
    const error = parse(404, body);
    expect(error).toMatchObject({ status: 404, message: 'The requested resource could not be found.', upstreamType: 'not_found_error', provider: 'anthropic', body });
    expect(error.headers).toEqual({ 'request-id': 'req_1' });
    expect(error.code).toBe('upstream_client_error');
  });

  it('classifies 429 and 529 through the shared ledger codes', () => {
    const overloaded = parse(529, '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}');
    expect(overloaded).toMatchObject({ upstreamType: 'overloaded_error', message: 'Overloaded', code: 'upstream_server_error' });
    expect(parse(429, '{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}').code).toBe('upstream_rate_limited');
  });

  it('falls back to the raw text (truncated) for a body that is not JSON, and to the status line when empty', () => {
    const html = `<html><head><title>413 Request Entity Too Large</title></head><body>${'x'.repeat(600)}</body></html>`;
    const error = parse(413, html);
    expect(error.message).toBe(html.slice(0, 500));
    expect(error.upstreamType).toBeUndefined();
    expect(parse(502, '  ').message).toBe('HTTP 502 from provider "anthropic"');
  });

  it('reads proxies that put a string error or a top-level message', () => {
    expect(parse(400, '{"error":"bad key"}').message).toBe('bad key');
    expect(parse(400, '{"message":"Invalid API key","type":"authentication_error"}')).toMatchObject({ message: 'Invalid API key', upstreamType: 'authentication_error' });
  });
});
