/**
 * Sends one request to a provider over its keep-alive undici Pool, with connect / first-byte / total timeouts and
 * the client's abort signal. Transport failures become GatewayErrors that name the provider; HTTP error statuses are
 * returned as they are (the caller decides how to pass them through).
 */
import type { Dispatcher } from 'undici';
import type { CallAbort } from '../../pipeline/call.js';
import { GatewayError } from '../../spec/errors.js';
import type { ProviderRuntime } from './provider-runtime.js';

export interface UpstreamRequest {
  runtime: ProviderRuntime;
  /** Path below the provider's base path, e.g. "/chat/completions" (query allowed). */
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
  /** The call's abort handle: the client going away aborts it; the total-time limit aborts it too. */
  controller: CallAbort;
  /** Whether the client has gone (tells a client abort from a timeout). */
  clientAborted: () => boolean;
}

export interface UpstreamResponse {
  status: number;
  headers: Dispatcher.ResponseData['headers'];
  body: Dispatcher.ResponseData['body'];
  /** Clears the total-time timer; call when the body has been consumed or abandoned. */
  done(): void;
}

const timeoutCodes = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Maps a transport error to a stable GatewayError; `state` tells which of our own aborts fired. */
export function mapTransportError(options: { error: unknown; runtime: ProviderRuntime; timedOut: boolean; clientAborted: boolean }): GatewayError {
  const { error, runtime } = options;
  if (GatewayError.isInstance(error)) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const detail = error instanceof Error ? error.message : String(error);
  if (options.clientAborted && !options.timedOut) {
    return new GatewayError({ code: 'client_aborted', message: 'The client closed the connection.', provider: runtime.name, cause: error });
  }
  if (options.timedOut || timeoutCodes.has(code)) {
    const which = options.timedOut
      ? `total time limit of ${runtime.timeouts.total_ms} ms`
      : code === 'UND_ERR_CONNECT_TIMEOUT'
        ? `connect timeout of ${runtime.timeouts.connect_ms} ms`
        : code === 'UND_ERR_HEADERS_TIMEOUT'
          ? `first-byte timeout of ${runtime.timeouts.first_byte_ms} ms`
          : `idle timeout of ${runtime.timeouts.first_byte_ms} ms between body chunks`;
    return new GatewayError({ code: 'upstream_timeout', message: `Provider "${runtime.name}" (${runtime.origin}) did not answer within the ${which}.`, provider: runtime.name, cause: error });
  }
  return new GatewayError({ code: 'upstream_unreachable', message: `Provider "${runtime.name}" (${runtime.origin}) is unreachable: ${detail}${code ? ` (${code})` : ''}.`, provider: runtime.name, cause: error });
}

export async function sendUpstream(request: UpstreamRequest): Promise<UpstreamResponse> {
  const { runtime, controller } = request;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, runtime.timeouts.total_ms);
  const done = () => clearTimeout(timer);
  try {
    const response = await runtime.pool.request({
      method: 'POST',
      path: runtime.basePath + request.path,
      headers: request.headers,
      body: request.body,
      signal: controller,
      headersTimeout: runtime.timeouts.first_byte_ms,
      bodyTimeout: runtime.timeouts.first_byte_ms,
    });
    return { status: response.statusCode, headers: response.headers, body: response.body, done };
  } catch (error) {
    done();
    throw mapTransportError({ error, runtime, timedOut, clientAborted: request.clientAborted() });
  }
}
