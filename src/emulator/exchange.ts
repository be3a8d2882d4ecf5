/**
 * One emulated exchange: the per-request context handed to every endpoint handler, and the shared prelude of all
 * model calls (read the directive, decide the scenario, wait the latency, answer a scripted error).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readDirective, type Directive } from './directive.js';
import type { PromptCacheSimulator } from './prompt-cache.js';
import { renderError, type ErrorSpec, type Provider } from './provider-errors.js';
import { sendJson, sleep } from './respond.js';
import { buildScenario, type Conversation, type Scenario } from './scenario.js';

export interface ExchangeContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The parsed JSON body, or null when there was none. */
  body: unknown;
  /** This request's number on this emulator; seeds the deterministic ids of the response. */
  seq: number;
  /** Clock in milliseconds (for `created` timestamps). */
  now: () => number;
  latencyMs: number;
  chunkDelayMs: number;
  tokensPerSecond: number | undefined;
  /** Simulated provider prompt caches, shared by the emulator's requests; absent when turned off. */
  promptCache?: PromptCacheSimulator;
  /** Requests seen per (model, directive) with `fail_times`, shared by the emulator's requests. */
  failureCounts?: Map<string, number>;
}

/**
 * The directive that applies to this request: its `models` entry for the requested model replaces its own fields,
 * and past `fail_times` requests (per model and directive) the misbehaviour fields are dropped.
 */
export function effectiveDirective(ctx: ExchangeContext, directive: Directive | undefined, model: string): Directive | undefined {
  if (directive === undefined) return undefined;
  const perModel = directive.models?.[model];
  let applied: Directive = perModel === undefined ? directive : { ...directive, ...perModel };
  if (directive.fail_times !== undefined) {
    const counts = ctx.failureCounts ?? new Map<string, number>();
    const key = `${model}\u0000${JSON.stringify(directive)}`;
    const seen = counts.get(key) ?? 0;
    counts.set(key, seen + 1);
    if (seen >= directive.fail_times) {
      const { error: _error, reset: _reset, latency_ms: _latency, ...rest } = applied;
      applied = rest;
    }
  }
  return applied;
}

/** Unix seconds, as `created` / `created_at` fields carry them. */
export function unixSeconds(ctx: ExchangeContext): number {
  return Math.floor(ctx.now() / 1000);
}

/** Sends an error in the provider's shape, at once (callers have already waited any latency). */
export function sendError(ctx: ExchangeContext, provider: Provider, spec: ErrorSpec): void {
  const rendered = renderError(provider, spec, ctx.seq);
  sendJson(ctx.res, { status: rendered.status, body: rendered.body, headers: rendered.headers });
}

/**
 * The shared prelude of a model call. Returns the scenario to render, or undefined when the response has already
 * been sent (invalid directive → 400, scripted `error` → that status). A scripted `error` together with
 * `stream_error_after` on a streaming request is not sent here: it becomes the in-stream error instead.
 */
export async function beginExchange(options: {
  ctx: ExchangeContext;
  provider: Provider;
  conversation: Omit<Conversation, 'promptText'> & { userText: string };
  stream: boolean;
}): Promise<Scenario | undefined> {
  const { ctx, provider } = options;
  const read = readDirective(options.conversation.userText);
  if (!read.ok) {
    await sleep(ctx.latencyMs);
    sendError(ctx, provider, { status: 400, message: read.message });
    return undefined;
  }
  const directive = effectiveDirective(ctx, read.directive, options.conversation.model);
  const scenario = buildScenario({
    conversation: { ...options.conversation, promptText: read.text },
    directive,
    defaults: { latencyMs: ctx.latencyMs, chunkDelayMs: ctx.chunkDelayMs },
  });
  await sleep(scenario.latencyMs);
  if (directive?.reset === true) {
    // A connection reset: the client sees ECONNRESET / "other side closed" and no response at all.
    ctx.req.socket.resetAndDestroy();
    return undefined;
  }
  const inStream = options.stream && scenario.streamErrorAfter !== undefined;
  if (scenario.error !== undefined && !inStream) {
    const { status, message, type, retry_after: retryAfter } = scenario.error;
    sendError(ctx, provider, { status, message, type, retryAfter });
    return undefined;
  }
  return scenario;
}
