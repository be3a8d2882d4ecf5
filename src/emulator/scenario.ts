/**
 * The emulated outcome of one model call, decided once from the request and its directive: what the model says,
 * which tools it calls, why it stops, how many tokens it bills, and how the exchange misbehaves. Provider renderers
 * only format a Scenario; none of them decides anything.
 */
import { countTokens, decode, encode } from 'gpt-tokenizer';
import type { Directive, DirectiveError } from './directive.js';
import type { CacheSplit } from './prompt-cache.js';
import type { EmulatedUsage } from './usage-render.js';

/** What the request says, reduced to what the emulator needs. */
export interface Conversation {
  /** The requested model, reported back unless the directive overrides it. */
  model: string;
  /** Every text of the request in order: system, messages, tool definitions JSON. */
  texts: string[];
  /** Number of messages (a system prompt counts as one). */
  messageCount: number;
  /** The last user message's text with the directive removed. */
  promptText: string;
  /** `max_tokens` / `max_completion_tokens` / `max_output_tokens`, when given. */
  maxTokens: number | undefined;
  /** The request asked for JSON output (response_format json_* / responseMimeType application/json). */
  jsonReply: boolean;
  /**
   * Simulated provider prompt caching (prompt-cache.ts): given the request's input tokens, the cached part. Called
   * only when the directive scripts neither `usage` nor `error`.
   */
  promptCache?: (inputTokens: number) => CacheSplit;
}

export interface PlannedToolCall {
  name: string;
  /** The arguments as a JSON string, exactly as streamed and returned. */
  arguments: string;
  parsedArguments: Record<string, unknown>;
  /** Seed for provider-specific deterministic ids (`call_…`, `toolu_…`). */
  idSeed: string;
}

export type FinishKind = 'stop' | 'length' | 'content_filter' | 'stop_sequence' | 'tool_calls';

export interface Scenario {
  model: string;
  reply: string;
  thinking: string | undefined;
  toolCalls: PlannedToolCall[];
  finish: FinishKind;
  usage: EmulatedUsage;
  error: DirectiveError | undefined;
  streamErrorAfter: number | undefined;
  disconnectAfter: number | undefined;
  latencyMs: number;
  chunkDelayMs: number;
}

export interface ScenarioDefaults {
  latencyMs: number;
  chunkDelayMs: number;
}

/** Tokens each message adds beyond its text (role and separators), as chat formats do. */
export const perMessageOverhead = 4;

/** Default input token count: all request text joined by newlines, plus a fixed overhead per message. */
export function defaultInputTokens(conversation: Pick<Conversation, 'texts' | 'messageCount'>): number {
  return countTokens(conversation.texts.join('\n')) + perMessageOverhead * conversation.messageCount;
}

/** The default reply quotes the prompt's first eight words, so it is deterministic and traceable to its request. */
export function defaultReply(conversation: Conversation): string {
  const words = conversation.promptText.split(/\s+/).filter((word) => word !== '').slice(0, 8);
  const sentence = words.length === 0 ? 'Emulated reply.' : `Emulated reply to: ${words.join(' ')}`;
  return conversation.jsonReply ? JSON.stringify({ reply: sentence }) : sentence;
}

function chooseReply(conversation: Conversation, directive: Directive | undefined): string {
  if (directive?.json !== undefined) return JSON.stringify(directive.json);
  if (directive?.reply !== undefined) return directive.reply;
  if (directive?.tool_calls !== undefined && directive.tool_calls.length > 0) return '';
  return defaultReply(conversation);
}

function planToolCalls(directive: Directive | undefined): PlannedToolCall[] {
  return (directive?.tool_calls ?? []).map((call, index) => {
    const json = JSON.stringify(call.arguments);
    return { name: call.name, arguments: json, parsedArguments: call.arguments, idSeed: `${index}:${call.name}:${json}` };
  });
}

function outputTokens(options: { reply: string; toolCalls: PlannedToolCall[]; reasoning: number }): number {
  let tokens = options.reply === '' ? 0 : countTokens(options.reply);
  for (const call of options.toolCalls) tokens += countTokens(call.arguments);
  return tokens + options.reasoning;
}

function planUsage(options: {
  conversation: Conversation;
  directive: Directive | undefined;
  reply: string;
  toolCalls: PlannedToolCall[];
}): EmulatedUsage {
  const given = options.directive?.usage ?? {};
  const thinking = options.directive?.thinking;
  const reasoning = given.reasoning ?? (thinking === undefined || thinking === '' ? 0 : countTokens(thinking));
  const simulate = options.conversation.promptCache;
  if (simulate !== undefined && options.directive?.usage === undefined && options.directive?.error === undefined) {
    const total = defaultInputTokens(options.conversation);
    const cache = simulate(total);
    const input = total - cache.cacheRead - cache.cacheWrite5m - cache.cacheWrite1h;
    const output = outputTokens({ reply: options.reply, toolCalls: options.toolCalls, reasoning });
    return { input, ...cache, output, reasoning };
  }
  return {
    input: given.input ?? defaultInputTokens(options.conversation),
    cacheRead: given.cache_read ?? 0,
    cacheWrite5m: given.cache_write_5m ?? 0,
    cacheWrite1h: given.cache_write_1h ?? 0,
    output: given.output ?? outputTokens({ reply: options.reply, toolCalls: options.toolCalls, reasoning }),
    reasoning,
  };
}

/**
 * Decides the scenario. A reply longer than the request's token limit is cut to that many tokens (its tool calls
 * dropped) with finish `length`; a directive's `finish` overrides whatever was decided.
 */
export function buildScenario(options: {
  conversation: Conversation;
  directive: Directive | undefined;
  defaults: ScenarioDefaults;
}): Scenario {
  const { conversation, directive } = options;
  let reply = chooseReply(conversation, directive);
  let toolCalls = planToolCalls(directive);
  let finish: FinishKind = toolCalls.length > 0 ? 'tool_calls' : 'stop';
  const limit = conversation.maxTokens;
  if (limit !== undefined && reply !== '') {
    const tokens = encode(reply);
    if (tokens.length > limit) {
      reply = decode(tokens.slice(0, Math.max(0, limit)));
      toolCalls = [];
      finish = 'length';
    }
  }
  return {
    model: directive?.model ?? conversation.model,
    reply,
    thinking: directive?.thinking === '' ? undefined : directive?.thinking,
    toolCalls,
    finish: directive?.finish ?? finish,
    usage: planUsage({ conversation, directive, reply, toolCalls }),
    error: directive?.error,
    streamErrorAfter: directive?.stream_error_after,
    disconnectAfter: directive?.disconnect_after,
    latencyMs: directive?.latency_ms ?? options.defaults.latencyMs,
    chunkDelayMs: directive?.chunk_delay_ms ?? options.defaults.chunkDelayMs,
  };
}
