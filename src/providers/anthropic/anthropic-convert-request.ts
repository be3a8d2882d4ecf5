/**
 * The canonical ChatRequest → an Anthropic Messages request body (`POST /v1/messages`,
 * https://docs.anthropic.com/en/api/messages). Messages and system are converted by anthropic-convert-messages.ts;
 * this file adds tools, sampling, output limits and thinking. The mapping is documented in docs/translation.md.
 */
import type { ChatRequest, ReasoningEffort, ResponseFormat, ToolChoice, ToolDefinition } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import { toAnthropicMessages } from './anthropic-convert-messages.js';

export interface ToAnthropicRequestOptions {
  /** The model id the upstream knows. */
  upstreamModel: string;
  /** `max_tokens` when the request sets no limit; defaults to defaultMaxTokensFor(upstreamModel). */
  defaultMaxTokens?: number;
}

type Json = Record<string, unknown>;

function untranslatable(param: string, message: string): GatewayError {
  return new GatewayError({ code: 'untranslatable', param, message: `${param}: ${message}` });
}

/**
 * `max_tokens` is required by Anthropic; other dialects may leave the limit unset. The default is one every model of
 * the family accepts: 4,096 for Claude 3 (and unrecognised names), 8,192 for Claude 3.5, 16,384 for Claude 3.7 and
 * Claude 4 and later (whose limits are 32,000 or more). It bounds the worst case a budget reserves.
 */
export function defaultMaxTokensFor(model: string): number {
  if (/claude-3-5-|claude-3\.5/i.test(model)) return 8192;
  if (/claude-(?:3-7|3\.7|(?:opus|sonnet|haiku)-[4-9]|[4-9])/i.test(model)) return 16384;
  return 4096;
}

/** Thinking budgets for a reasoning effort: the inverse of the OpenAI side's bands (≤ 2,048 low, ≤ 8,192 medium). */
export const effortBudgets: Readonly<Record<ReasoningEffort, number>> = { minimal: 1024, low: 2048, medium: 8192, high: 16384 };

/** Anthropic's smallest thinking budget (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking). */
const minBudget = 1024;
/** Room left for the answer above the thinking budget when the request set no max_tokens. */
const answerRoom = 4096;

function thinkingBudget(request: ChatRequest): number | undefined {
  const reasoning = request.reasoning;
  if (reasoning?.budgetTokens !== undefined) return reasoning.budgetTokens > 0 ? Math.max(minBudget, reasoning.budgetTokens) : undefined;
  return reasoning?.effort === undefined ? undefined : effortBudgets[reasoning.effort];
}

/**
 * `max_tokens` and `thinking`. Anthropic needs budget_tokens ≥ 1,024 and < max_tokens: without a limit, max_tokens
 * leaves 4,096 tokens above the budget; with one, the budget is cut to fit, and thinking is left off when fewer than
 * 1,024 tokens would remain.
 */
function limits(request: ChatRequest, options: ToAnthropicRequestOptions): { maxTokens: number; thinking: Json | undefined } {
  const budget = thinkingBudget(request);
  const fallback = options.defaultMaxTokens ?? defaultMaxTokensFor(options.upstreamModel);
  if (request.maxOutputTokens === undefined) {
    const maxTokens = budget === undefined ? fallback : Math.max(fallback, budget + answerRoom);
    return { maxTokens, thinking: budget === undefined ? undefined : { type: 'enabled', budget_tokens: budget } };
  }
  const maxTokens = request.maxOutputTokens;
  if (budget === undefined) return { maxTokens, thinking: undefined };
  const fitted = Math.min(budget, maxTokens - 1);
  return { maxTokens, thinking: fitted < minBudget ? undefined : { type: 'enabled', budget_tokens: fitted } };
}

/** Anthropic requires `input_schema.type: "object"`; a schema without a type (`{}` for no parameters) gets it. */
function toTool(tool: ToolDefinition): Json {
  const schema = tool.parameters.type === undefined ? { type: 'object', ...tool.parameters } : tool.parameters;
  const out: Json = { name: tool.name };
  if (tool.description !== undefined) out.description = tool.description;
  out.input_schema = schema;
  // Strict tool use (https://docs.anthropic.com/en/docs/build-with-claude/structured-outputs) is sent only when asked for.
  if (tool.strict === true) out.strict = true;
  return out;
}

function toToolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): Json | undefined {
  if (choice === 'none') return { type: 'none' };
  const out: Json | undefined =
    choice === undefined ? undefined : choice === 'auto' ? { type: 'auto' } : choice === 'required' ? { type: 'any' } : { type: 'tool', name: choice.name };
  if (parallel !== false) return out;
  return { ...(out ?? { type: 'auto' }), disable_parallel_tool_use: true };
}

/**
 * Structured output: `json_schema` → `output_config.format` (native structured outputs,
 * https://docs.anthropic.com/en/docs/build-with-claude/structured-outputs); `json_object` has no schema-less
 * equivalent and is rejected; `text` sends nothing.
 */
function toOutputFormat(format: ResponseFormat | undefined): Json | undefined {
  if (format === undefined || format.type === 'text') return undefined;
  if (format.type === 'json_object') {
    throw untranslatable('responseFormat', 'Anthropic has no schema-less JSON mode; send a json_schema response format instead.');
  }
  return { type: 'json_schema', schema: format.schema };
}

function addSampling(body: Json, request: ChatRequest): void {
  // Anthropic's temperature range is 0–1 (OpenAI's is 0–2): higher values are sent as 1.
  if (request.temperature !== undefined) body.temperature = Math.min(request.temperature, 1);
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.topK !== undefined) body.top_k = request.topK;
  if (request.stop !== undefined && request.stop.length > 0) body.stop_sequences = request.stop;
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  const format = toOutputFormat(request.responseFormat);
  if (format !== undefined) body.output_config = { format };
}

/**
 * Builds `POST /v1/messages`. Throws GatewayError 'untranslatable' (param in canonical terms) for what Anthropic
 * cannot express. `seed` is dropped (no equivalent; it is a best-effort hint everywhere) and `includeUsage` is moot
 * (Anthropic streams always carry usage).
 */
export function toAnthropicRequest(request: ChatRequest, options: ToAnthropicRequestOptions): { path: string; body: Record<string, unknown> } {
  const { system, messages } = toAnthropicMessages(request);
  const { maxTokens, thinking } = limits(request, options);
  const body: Json = { model: options.upstreamModel, max_tokens: maxTokens };
  if (system !== undefined) body.system = system;
  body.messages = messages;
  // tool_choice (and its parallel flag) goes only with tools.
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map(toTool);
    const choice = toToolChoice(request.toolChoice, request.parallelToolCalls);
    if (choice !== undefined) body.tool_choice = choice;
  }
  if (thinking !== undefined) body.thinking = thinking;
  addSampling(body, request);
  if (request.stream) body.stream = true;
  return { path: '/v1/messages', body };
}
