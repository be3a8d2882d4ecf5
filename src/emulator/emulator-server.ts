/**
 * The provider emulator: a local node:http server that speaks the OpenAI, Anthropic and Gemini wire formats, so
 * tests, benchmarks and the demo never need a real provider. Keep-alive is on and each request does only the work
 * its response needs, because the emulator is also the fake upstream of the benchmarks.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { sendError, type ExchangeContext } from './exchange.js';
import { renderError } from './provider-errors.js';
import { createPromptCacheSimulator, type PromptCacheSimulator } from './prompt-cache.js';
import { sendJson, sleep } from './respond.js';
import { authFailure, guessProvider, malformedBody, resolveRoute, unknownPath } from './routes.js';

export interface EmulatorOptions {
  /** Port to listen on; 0 (the default) picks an ephemeral port. */
  port?: number;
  /** Interface to bind; default 127.0.0.1 (loopback only). */
  host?: string;
  /** Delay before response headers, default 0. A directive's `latency_ms` overrides it per request. */
  latencyMs?: number;
  /** Delay between stream chunks, default 0. A directive's `chunk_delay_ms` overrides it per request. */
  chunkDelayMs?: number;
  /** Optional pacing of streamed output: each content chunk waits its token count / tokensPerSecond. */
  tokensPerSecond?: number;
  /** Most requests kept in `requests` (oldest dropped first), so a long benchmark does not grow without bound. Default 10,000. */
  maxRecordedRequests?: number;
  /** Clock in milliseconds for `created` timestamps and the simulated prompt caches' TTLs; default Date.now. */
  now?: () => number;
  /** Simulate provider prompt caching for requests without a `usage` directive (docs/emulator.md); default true. */
  promptCaching?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** The request path including the query string. */
  path: string;
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The parsed JSON body, or null when there was none or it was not JSON. */
  body: unknown;
}

export interface RunningEmulator {
  /** Base URL, e.g. http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  port: number;
  /** Every request received (control endpoints excluded), in order of arrival. */
  requests: RecordedRequest[];
  clearRequests(): void;
  /** Stops listening and closes every open connection, including idle keep-alive ones. */
  close(): Promise<void>;
}

interface ReadBody {
  body: unknown;
  malformed: boolean;
}

async function readBody(req: IncomingMessage): Promise<ReadBody | undefined> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  } catch {
    return undefined; // the client went away mid-body
  }
  if (chunks.length === 0) return { body: null, malformed: req.method === 'POST' };
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return { body: parsed, malformed: false };
  } catch {
    return { body: null, malformed: true };
  }
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

interface ServerState {
  options: Required<Pick<EmulatorOptions, 'latencyMs' | 'chunkDelayMs' | 'maxRecordedRequests' | 'now'>> & {
    tokensPerSecond: number | undefined;
  };
  requests: RecordedRequest[];
  nextSeq: () => number;
  promptCache: PromptCacheSimulator | undefined;
  failureCounts: Map<string, number>;
}

function record(state: ServerState, entry: RecordedRequest): void {
  state.requests.push(entry);
  if (state.requests.length > state.options.maxRecordedRequests) state.requests.shift();
}

function handleControl(state: ServerState, req: IncomingMessage, res: ServerResponse): void {
  if (req.method === 'GET') return sendJson(res, { status: 200, body: state.requests });
  if (req.method === 'DELETE') {
    state.requests.length = 0;
    res.writeHead(204).end();
    return;
  }
  sendJson(res, { status: 405, body: { error: 'use GET or DELETE' } });
}

async function handleRequest(state: ServerState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rawPath = req.url ?? '/';
  const url = new URL(rawPath, 'http://emulator.invalid');
  const method = req.method ?? 'GET';
  const read = await readBody(req);
  if (read === undefined || res.destroyed) return;
  if (url.pathname === '/_emulator/requests') return handleControl(state, req, res);
  record(state, { method, path: rawPath, headers: flattenHeaders(req), body: read.body });
  const { options } = state;
  const ctx: ExchangeContext = {
    req,
    res,
    url,
    body: read.body,
    seq: state.nextSeq(),
    now: options.now,
    latencyMs: options.latencyMs,
    chunkDelayMs: options.chunkDelayMs,
    tokensPerSecond: options.tokensPerSecond,
    promptCache: state.promptCache,
    failureCounts: state.failureCounts,
  };
  const route = resolveRoute(method, url.pathname);
  const provider = route?.provider ?? guessProvider(url.pathname, req);
  const failure = route === undefined ? unknownPath(provider, method, url.pathname) : authFailure(provider, req, url);
  const badBody = failure === undefined && read.malformed && method === 'POST' ? malformedBody(provider) : undefined;
  const error = failure ?? badBody;
  if (error !== undefined || route === undefined) {
    await sleep(options.latencyMs);
    return sendError(ctx, provider, error ?? { status: 404 });
  }
  try {
    await route.handle(ctx);
  } catch (cause) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const message = cause instanceof Error ? cause.message : String(cause);
    const rendered = renderError(provider, { status: 500, message: `Emulator failure: ${message}` }, ctx.seq);
    sendJson(res, { status: 500, body: rendered.body, headers: rendered.headers });
  }
}

/**
 * Starts an emulator and resolves once it listens. Every request is recorded (see `requests`, or
 * `GET /_emulator/requests`; `DELETE /_emulator/requests` clears them) and answered in its provider's wire format,
 * scripted by an optional `[[emu:{...}]]` directive in the last user message (docs/emulator.md).
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  let seq = 0;
  const state: ServerState = {
    options: {
      latencyMs: options.latencyMs ?? 0,
      chunkDelayMs: options.chunkDelayMs ?? 0,
      tokensPerSecond: options.tokensPerSecond,
      maxRecordedRequests: options.maxRecordedRequests ?? 10_000,
      now: options.now ?? Date.now,
    },
    requests: [],
    nextSeq: () => ++seq,
    promptCache: undefined,
    failureCounts: new Map(),
  };
  if (options.promptCaching !== false) state.promptCache = createPromptCacheSimulator({ now: state.options.now });
  const server = createServer((req, res) => {
    res.on('error', () => undefined);
    handleRequest(state, req, res).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 65_000;
  server.on('clientError', (_error, socket) => socket.destroy());
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('emulator: server has no TCP address');
  const { port } = address;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    requests: state.requests,
    clearRequests: () => {
      state.requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
