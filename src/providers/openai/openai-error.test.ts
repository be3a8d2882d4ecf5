import { describe, expect, it } from 'vitest';
import { parseOpenAIError } from './openai-error.js';

const parse = (status: number, body: string) => parseOpenAIError({ status, body, headers: { 'x-request-id': 'req_1' }, provider: 'openai' });

describe('parseOpenAIError', () => {
  it('OpenAI error body: message and type, body and headers kept', () => {
    const body = JSON.stringify({
      error: {
        message: 'Incorrect API key provided: sk-abc. You can find your API key at https://platform.openai.com/account/api-keys.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
    const error = parse(401, body);
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/^Incorrect API key provided/);
    expect(error.upstreamType).toBe('invalid_request_error');
    expect(error.body).toBe(body);
    expect(error.headers['x-request-id']).toBe('req_1');
    expect(error.provider).toBe('openai');
    expect(error.code).toBe('upstream_client_error');
  });

  it('a 429 whose type is missing falls back to the code', () => {
    const error = parse(429, JSON.stringify({ error: { message: 'Rate limit reached for requests', type: null, code: 'rate_limit_exceeded' } }));
    expect(error.upstreamType).toBe('rate_limit_exceeded');
    expect(error.code).toBe('upstream_rate_limited');
  });

  it('vLLM / Mistral top-level error objects, FastAPI detail and string errors', () => {
    const vllm = parse(400, JSON.stringify({ object: 'error', message: "The model `x` does not exist.", type: 'NotFoundError', code: 404 }));
    expect(vllm.message).toBe('The model `x` does not exist.');
    expect(vllm.upstreamType).toBe('NotFoundError');
    const detail = parse(422, JSON.stringify({ detail: [{ type: 'extra_forbidden', loc: ['body', 'stream_options'], msg: 'Extra inputs are not permitted' }] }));
    expect(detail.message).toContain('Extra inputs are not permitted');
    expect(parse(500, JSON.stringify({ error: 'upstream overloaded' })).message).toBe('upstream overloaded');
  });

  it('non-JSON bodies: the raw text, or the status when empty', () => {
    expect(parse(502, '<html>Bad gateway</html>').message).toBe('<html>Bad gateway</html>');
    expect(parse(503, '').message).toBe('HTTP 503 from provider "openai"');
    expect(parse(503, 'x'.repeat(2000)).message).toHaveLength(500);
    expect(parse(503, '').code).toBe('upstream_server_error');
  });
});
