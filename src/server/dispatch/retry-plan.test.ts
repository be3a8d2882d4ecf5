import { afterAll, describe, expect, it } from 'vitest';
import type { Attempt } from '../../pipeline/call.js';
import { resolveConfig } from '../../spec/config/load-config.js';
import { GatewayError, UpstreamHttpError } from '../../spec/errors.js';
import { createProviderRuntimes } from '../upstream/provider-runtime.js';
import { attemptError, backoffMs, classifyFailure, healthFailure, healthOutcome, retryAfterMs, statusReason } from './retry-plan.js';

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

describe('attemptError: failures of a body read after the headers', () => {
  const loaded = resolveConfig({ source: 'test', env: {}, input: { providers: [{ name: 'p', type: 'openai', base_url: 'http://127.0.0.1:9/v1', api_key: 'k', timeouts: { total_ms: 300, first_byte_ms: 200 } }] } });
  const runtime = createProviderRuntimes({ providers: loaded.config.providers, env: {}, requireKeys: true }).runtimes.get('p');
  afterAll(() => runtime?.pool.close());
  const undiciError = (code: string) => Object.assign(new Error(code), { code });
  const map = (error: unknown, flags: { timedOut?: boolean; clientAborted?: boolean } = {}) => attemptError({ error, runtime, timedOut: flags.timedOut ?? false, clientAborted: flags.clientAborted ?? false });

  it('the attempt total time ran out -> upstream_timeout naming the limit, retryable as a timeout', () => {
    const mapped = map(undiciError('UND_ERR_ABORTED'), { timedOut: true });
    expect(GatewayError.isInstance(mapped) && mapped.code).toBe('upstream_timeout');
    expect((mapped as Error).message).toContain('total time limit of 300 ms');
    expect(classifyFailure(mapped, now)).toEqual({ reason: 'timeout', retryAfterMs: null });
  });

  it('the client went away -> client_aborted (never retried); an idle body -> timeout; a cut connection -> connection', () => {
    const gone = map(undiciError('UND_ERR_ABORTED'), { clientAborted: true });
    expect(GatewayError.isInstance(gone) && gone.code).toBe('client_aborted');
    expect(classifyFailure(gone, now)).toBeNull();
    const idle = map(undiciError('UND_ERR_BODY_TIMEOUT'));
    expect(GatewayError.isInstance(idle) && idle.code).toBe('upstream_timeout');
    expect((idle as Error).message).toContain('idle timeout of 200 ms');
    for (const code of ['UND_ERR_SOCKET', 'ECONNRESET']) expect(classifyFailure(map(undiciError(code)), now)?.reason).toBe('connection');
  });

  it('leaves every other error as it is: HTTP errors, gateway errors, bugs, unknown providers', () => {
    const http = upstream(503);
    expect(map(http, { timedOut: true })).toBe(http);
    const gateway = new GatewayError({ code: 'upstream_bad_response', message: 'x' });
    expect(map(gateway, { timedOut: true })).toBe(gateway);
    const bug = new TypeError('x is undefined');
    expect(map(bug)).toBe(bug);
    const timedOut = undiciError('UND_ERR_ABORTED');
    expect(attemptError({ error: timedOut, runtime: undefined, timedOut: true, clientAborted: false })).toBe(timedOut);
  });
});

describe('health of an attempt', () => {
  const attempt = (fields: Partial<Attempt>): Attempt => ({
    provider: 'p', upstreamModel: 'm', servedModel: null, startedAt: 0, firstByteAt: null, endedAt: 0, status: 200, errorCode: null, streamed: false,
    clientAborted: false, usage: null, usageEstimated: false, cost: null, priceRef: null, cacheSource: null, costUncachedUsd: null, ...fields,
  });

  it('a total-time timeout after a 200 is a failure; the failure names its code and status', () => {
    const timedOut = attempt({ status: 200, errorCode: 'upstream_timeout' });
    expect(healthOutcome(timedOut)).toBe('failure');
    expect(healthFailure(timedOut)).toEqual({ code: 'upstream_timeout', status: 200 });
    expect(healthFailure(attempt({ status: 503 }))).toEqual({ code: 'http_503', status: 503 });
    expect(healthOutcome(attempt({ status: 200 }))).toBe('success');
    expect(healthOutcome(attempt({ status: 0, errorCode: 'client_aborted', clientAborted: true }))).toBe('neutral');
  });
});
