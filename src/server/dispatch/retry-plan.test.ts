import { describe, expect, it } from 'vitest';
import { GatewayError, UpstreamHttpError } from '../../spec/errors.js';
import { backoffMs, classifyFailure, retryAfterMs, statusReason } from './retry-plan.js';

const now = Date.parse('2026-03-01T12:00:00Z');
const upstream = (status: number, headers: Record<string, string> = {}) => new UpstreamHttpError({ status, body: '{}', headers, provider: 'p', message: 'x' });

describe('retry plan', () => {
  it('retries 429, 408, 500, 502, 503, 504 and 529, nothing else', () => {
    expect([429, 408, 500, 502, 503, 504, 529].map(statusReason)).toEqual(['rate_limited', 'timeout', 'server_error', 'server_error', 'server_error', 'server_error', 'server_error']);
    expect([400, 401, 403, 404, 409, 413, 422, 501, 505].map(statusReason)).toEqual(Array(9).fill(null));
  });

  it('reads retry-after as seconds, as an HTTP date, and retry-after-ms first', () => {
    expect(retryAfterMs({ 'retry-after': '7' }, now)).toBe(7_000);
    expect(retryAfterMs({ 'retry-after': '1.5' }, now)).toBe(1_500);
    expect(retryAfterMs({ 'retry-after': 'Sun, 01 Mar 2026 12:00:30 GMT' }, now)).toBe(30_000);
    expect(retryAfterMs({ 'retry-after': 'Sun, 01 Mar 2026 11:00:00 GMT' }, now)).toBe(0);
    expect(retryAfterMs({ 'retry-after': '7', 'retry-after-ms': '250' }, now)).toBe(250);
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeNull();
    expect(retryAfterMs({}, now)).toBeNull();
  });

  it('classifies transport errors and upstream statuses', () => {
    expect(classifyFailure(upstream(429, { 'retry-after': '2' }), now)).toEqual({ reason: 'rate_limited', retryAfterMs: 2_000 });
    expect(classifyFailure(upstream(400), now)).toBeNull();
    expect(classifyFailure(new GatewayError({ code: 'upstream_timeout', message: 't' }), now)).toEqual({ reason: 'timeout', retryAfterMs: null });
    expect(classifyFailure(new GatewayError({ code: 'upstream_unreachable', message: 'u' }), now)).toEqual({ reason: 'connection', retryAfterMs: null });
    expect(classifyFailure(new GatewayError({ code: 'client_aborted', message: 'c' }), now)).toBeNull();
    expect(classifyFailure(new Error('bug'), now)).toBeNull();
  });

  it('backs off exponentially with full jitter, capped', () => {
    const at = (random: number, retry: number) => backoffMs({ retry, initialMs: 200, maxMs: 5_000, random: () => random });
    expect([0, 1, 2, 3, 4, 5, 6].map((retry) => at(0.999_999, retry))).toEqual([199, 399, 799, 1_599, 3_199, 4_999, 4_999]);
    expect(at(0, 3)).toBe(0);
  });
});
