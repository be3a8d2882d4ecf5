/**
 * What the attempt loop (attempts.ts) needs to decide a retry, as pure functions: which failures are retryable and
 * why, how long a `retry-after` asks to wait, the backoff, the stable error of a failed body read, and the health
 * outcome of an attempt.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Attempt } from '../../pipeline/call.js';
import type { HealthFailure, HealthOutcome } from '../../policies/routing/health/index.js';
import { GatewayError, UpstreamHttpError } from '../../spec/errors.js';
import type { ProviderRuntime } from '../upstream/provider-runtime.js';
import { mapTransportError } from '../upstream/upstream-client.js';

/** Why an attempt follows the previous one (Attempt.followsReason). */
export type FallbackReason = 'rate_limited' | 'server_error' | 'timeout' | 'connection' | 'circuit_open';

/**
 * A retryable upstream HTTP error on the forward path, not yet shown to the caller: thrown instead of writing the
 * response so that the loop can try again; `deliver()` writes it exactly as the forward path would have (the
 * upstream's status, headers and bytes) when the loop gives up.
 */
export class RetryableUpstreamFailure extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly deliver: () => void;

  constructor(options: { status: number; headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>; deliver: () => void }) {
    super(`upstream answered ${options.status}`);
    this.name = 'RetryableUpstreamFailure';
    this.status = options.status;
    this.headers = {};
    for (const name in options.headers) {
      const value = options.headers[name];
      if (value !== undefined) this.headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    this.deliver = options.deliver;
  }
}

/** HTTP statuses worth another try: rate limits, server errors, Anthropic's 529 overloaded, request timeout. */
export function statusReason(status: number): FallbackReason | null {
  if (status === 429) return 'rate_limited';
  if (status === 408) return 'timeout';
  if (status === 500 || status === 502 || status === 503 || status === 504 || status === 529) return 'server_error';
  return null;
}

export interface Failure {
  reason: FallbackReason;
  /** What the upstream asked us to wait (retry-after / retry-after-ms), in ms; null when it did not say. */
  retryAfterMs: number | null;
}

/**
 * `retry-after-ms` (OpenAI), else `retry-after` in seconds or as an HTTP date (RFC 9110 §10.2.3); null when absent
 * or unreadable. A date in the past is 0.
 */
export function retryAfterMs(headers: Record<string, string>, now: number): number | null {
  const ms = headers['retry-after-ms'];
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Number(ms.trim());
  const value = headers['retry-after']?.trim();
  if (value === undefined || value === '') return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** The retryable failure an error stands for, or null (other 4xx, client gone, internal errors: never retried). */
export function classifyFailure(error: unknown, now: number): Failure | null {
  if (error instanceof RetryableUpstreamFailure || error instanceof UpstreamHttpError) {
    const reason = statusReason(error.status);
    return reason === null ? null : { reason, retryAfterMs: retryAfterMs(error.headers, now) };
  }
  if (GatewayError.isInstance(error)) {
    if (error.code === 'upstream_timeout') return { reason: 'timeout', retryAfterMs: null };
    if (error.code === 'upstream_unreachable') return { reason: 'connection', retryAfterMs: null };
  }
  return null;
}

/** Codes of undici / socket errors raised while a response body is read: the request was aborted, the body went idle, the connection broke. */
const bodyTransportCodes = new Set(['UND_ERR_ABORTED', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNRESET', 'EPIPE']);

/**
 * The stable error of a failed attempt. The upstream client maps what the request itself throws (connect, first byte)
 * to GatewayErrors, but a whole body read afterwards by a dispatch path fails with undici's own error: that one is
 * mapped the same way (`mapTransportError`): the attempt's total time ran out (`timedOut`: its abort handle fired and
 * the client is still there) -> upstream_timeout; the client went away -> client_aborted; the body went idle past the
 * first-byte timeout -> upstream_timeout; the connection broke -> upstream_unreachable. Any other error (an HTTP
 * error, a bug) is returned unchanged.
 */
export function attemptError(options: { error: unknown; runtime: ProviderRuntime | undefined; timedOut: boolean; clientAborted: boolean }): unknown {
  const { error, runtime } = options;
  if (runtime === undefined || error instanceof RetryableUpstreamFailure || error instanceof UpstreamHttpError || GatewayError.isInstance(error)) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (!options.timedOut && !bodyTransportCodes.has(code)) return error;
  return mapTransportError({ error, runtime, timedOut: options.timedOut, clientAborted: options.clientAborted });
}

/** Exponential backoff with full jitter: uniform in [0, min(max, initial * 2^retry)). */
export function backoffMs(options: { retry: number; initialMs: number; maxMs: number; random: () => number }): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** options.retry);
  return Math.floor(options.random() * ceiling);
}

const failedCodes = new Set(['upstream_timeout', 'upstream_unreachable', 'upstream_bad_response', 'upstream_stream_interrupted', 'upstream_stream_incomplete', 'upstream_stream_error']);

/** How an attempt reflects on its provider's health: answered (even 4xx) = up; retryable status or transport = down. */
export function healthOutcome(attempt: Attempt): HealthOutcome {
  if (attempt.clientAborted || attempt.errorCode === 'client_aborted') return 'neutral';
  if (statusReason(attempt.status) !== null) return 'failure';
  if (attempt.errorCode !== null && failedCodes.has(attempt.errorCode)) return 'failure';
  return attempt.status === 0 ? 'neutral' : 'success';
}

/** What a failed attempt tells the health tracker: its error code (`http_<status>` without one) and status (0 = no answer). */
export function healthFailure(attempt: Attempt): HealthFailure {
  return { code: attempt.errorCode ?? `http_${attempt.status}`, status: attempt.status };
}
