/**
 * Anthropic Messages: `POST /v1/messages` (non-streaming and streaming) and `POST /v1/messages/count_tokens`.
 * https://docs.anthropic.com/en/api/messages
 * https://docs.anthropic.com/en/docs/build-with-claude/streaming
 * https://docs.anthropic.com/en/api/messages-count-tokens
 */
import { z } from 'zod';
import { anthropicStreamFrames } from './anthropic-stream.js';
import { beginExchange, sendError, type ExchangeContext } from './exchange.js';
import { anthropicErrorObject, providerHeaders } from './provider-errors.js';
import { collectText, describeIssue, toolsText, userText } from './request-text.js';
import { base58, hashId, sendJson, sendStream, sseEvent } from './respond.js';
import type { FinishKind, PlannedToolCall, Scenario } from './scenario.js';
import { anthropicUsage, totalInput } from './usage-render.js';

const messagesRequestSchema = z.object({
  model: z.string(),
  messages: z.array(z.object({ role: z.string(), content: z.unknown().optional() })),
  max_tokens: z.number().int(),
  system: z.unknown().optional(),
  tools: z.unknown().optional(),
  stream: z.boolean().nullish(),
  stop_sequences: z.array(z.string()).nullish(),
});
const countRequestSchema = messagesRequestSchema.omit({ max_tokens: true, stream: true, stop_sequences: true });
type CountRequest = z.infer<typeof countRequestSchema>;
type MessagesRequest = z.infer<typeof messagesRequestSchema>;

const stopReasons: Record<FinishKind, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  stop_sequence: 'stop_sequence',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
};

export interface AnthropicReply {
  id: string;
  model: string;
  blocks: Array<Record<string, unknown>>;
  stopReason: string;
  stopSequence: string | null;
}

export function anthropicToolUseId(call: PlannedToolCall): string {
  return `toolu_01${hashId(call.idSeed, 22, base58)}`;
}

/** An opaque, deterministic stand-in for the signature Anthropic attaches to thinking blocks. */
export function thinkingSignature(thinking: string): string {
  return `Eq${Buffer.from(hashId(`sig:${thinking}`, 96)).toString('base64')}`;
}

function conversationOf(request: CountRequest & { max_tokens?: number }) {
  const texts = collectText(request.system);
  let lastUser = '';
  for (const message of request.messages) {
    collectText(message.content, texts);
    if (message.role === 'user') lastUser = userText(message.content);
  }
  texts.push(...toolsText(request.tools));
  const hasSystem = request.system !== undefined && request.system !== null;
  return {
    model: request.model,
    texts,
    messageCount: request.messages.length + (hasSystem ? 1 : 0),
    userText: lastUser,
    maxTokens: request.max_tokens,
    jsonReply: false,
  };
}

function replyOf(ctx: ExchangeContext, scenario: Scenario, request: MessagesRequest): AnthropicReply {
  const blocks: Array<Record<string, unknown>> = [];
  if (scenario.thinking !== undefined) {
    blocks.push({ type: 'thinking', thinking: scenario.thinking, signature: thinkingSignature(scenario.thinking) });
  }
  if (scenario.reply !== '' || scenario.toolCalls.length === 0) blocks.push({ type: 'text', text: scenario.reply });
  for (const call of scenario.toolCalls) {
    blocks.push({ type: 'tool_use', id: anthropicToolUseId(call), name: call.name, input: call.parsedArguments });
  }
  const isStopSequence = scenario.finish === 'stop_sequence';
  return {
    id: `msg_01${hashId(`msg:${ctx.seq}`, 22, base58)}`,
    model: scenario.model,
    blocks,
    stopReason: stopReasons[scenario.finish],
    stopSequence: isStopSequence ? (request.stop_sequences?.[0] ?? '\n\nHuman:') : null,
  };
}

/** Handles `POST /v1/messages`. */
export async function handleMessages(ctx: ExchangeContext): Promise<void> {
  const parsed = messagesRequestSchema.safeParse(ctx.body);
  if (!parsed.success) return sendError(ctx, 'anthropic', { status: 400, message: describeIssue(parsed.error) });
  const request = parsed.data;
  const stream = request.stream === true;
  const cache = ctx.promptCache;
  const conversation = { ...conversationOf(request), promptCache: cache === undefined ? undefined : (total: number) => cache.anthropic(request, total) };
  const scenario = await beginExchange({ ctx, provider: 'anthropic', conversation, stream });
  if (scenario === undefined) return;
  const reply = replyOf(ctx, scenario, request);
  const headers = providerHeaders('anthropic', ctx.seq);
  if (!stream) {
    const body = {
      id: reply.id,
      type: 'message',
      role: 'assistant',
      model: reply.model,
      content: reply.blocks,
      stop_reason: reply.stopReason,
      stop_sequence: reply.stopSequence,
      usage: anthropicUsage(scenario.usage, { outputTokens: scenario.usage.output, serviceTier: 'standard' }),
    };
    return sendJson(ctx.res, { status: 200, body, headers });
  }
  const error = scenario.error ?? { status: 529 };
  await sendStream(ctx.res, {
    headers: { ...headers, 'content-type': 'text/event-stream; charset=utf-8' },
    frames: anthropicStreamFrames(reply, scenario),
    // In-stream errors carry no request_id: https://docs.anthropic.com/en/docs/build-with-claude/streaming#error-events
    errorFrame: () => sseEvent(anthropicErrorObject({ status: error.status, message: error.message, type: error.type }), 'error'),
    errorAfter: scenario.streamErrorAfter,
    disconnectAfter: scenario.disconnectAfter,
    chunkDelayMs: scenario.chunkDelayMs,
    tokensPerSecond: ctx.tokensPerSecond,
  });
}

/** Handles `POST /v1/messages/count_tokens`: `{"input_tokens": N}` over every input kind. */
export async function handleCountTokens(ctx: ExchangeContext): Promise<void> {
  const parsed = countRequestSchema.safeParse(ctx.body);
  if (!parsed.success) return sendError(ctx, 'anthropic', { status: 400, message: describeIssue(parsed.error) });
  const conversation = { ...conversationOf(parsed.data), maxTokens: undefined };
  const scenario = await beginExchange({ ctx, provider: 'anthropic', conversation, stream: false });
  if (scenario === undefined) return;
  const body = { input_tokens: totalInput(scenario.usage) };
  sendJson(ctx.res, { status: 200, body, headers: providerHeaders('anthropic', ctx.seq) });
}
