/**
 * One emulated exchange: the per-request context handed to every endpoint handler, and the shared prelude of all
 * model calls (read the directive, decide the scenario, wait the latency, answer a scripted error).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readDirective } from './directive.js';
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
  const scenario = buildScenario({
    conversation: { ...options.conversation, promptText: read.text },
    directive: read.directive,
    defaults: { latencyMs: ctx.latencyMs, chunkDelayMs: ctx.chunkDelayMs },
  });
  await sleep(scenario.latencyMs);
  const inStream = options.stream && scenario.streamErrorAfter !== undefined;
  if (scenario.error !== undefined && !inStream) {
    const { status, message, type, retry_after: retryAfter } = scenario.error;
    sendError(ctx, provider, { status, message, type, retryAfter });
    return undefined;
  }
  return scenario;
}
