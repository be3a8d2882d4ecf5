import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGeminiError } from './gemini-error.js';

const fixtureText = (name: string): string => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
const parse = (status: number, body: string) => parseGeminiError({ status, body, headers: { 'content-type': 'application/json' }, provider: 'google' });

describe('parseGeminiError', () => {
  it('reads message and status from an invalid-key error and keeps the raw body', () => {
    const body = fixtureText('error-api-key-invalid.json');
    const error = parse(400, body);
    expect(error).toMatchObject({
      status: 400,
      message: 'API key not valid. Please pass a valid API key.',
      upstreamType: 'INVALID_ARGUMENT',
      provider: 'google',
      body,
      code: 'upstream_client_error',
    });
    expect(error.headers).toEqual({ 'content-type': 'application/json' });
  });

  it('reads a quota error as rate limited', () => {
    const error = parse(429, fixtureText('error-resource-exhausted.json'));
    expect(error.upstreamType).toBe('RESOURCE_EXHAUSTED');
    expect(error.message).toMatch(/^You exceeded your current quota/);
    expect(error.code).toBe('upstream_rate_limited');
  });

  it('reads the array-wrapped form', () => {
    const error = parse(503, '[{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}]');
    expect(error).toMatchObject({ message: 'The model is overloaded. Please try again later.', upstreamType: 'UNAVAILABLE', code: 'upstream_server_error' });
  });

  it('falls back to the raw text when the body is not a Google error', () => {
    expect(parse(502, '<html><body>Bad Gateway</body></html>\n')).toMatchObject({ message: '<html><body>Bad Gateway</body></html>', upstreamType: undefined });
    expect(parse(500, '{"unexpected":true}').message).toBe('{"unexpected":true}');
    expect(parse(500, '').message).toBe('HTTP 500 from provider "google"');
  });
});
