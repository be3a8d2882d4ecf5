/**
 * OpenAI Chat Completions, `POST /v1/chat/completions`, non-streaming and streaming.
 * https://platform.openai.com/docs/api-reference/chat/create
 * https://platform.openai.com/docs/api-reference/chat-streaming/streaming
 */
import { z } from 'zod';
import { beginExchange, sendError, unixSeconds, type ExchangeContext } from './exchange.js';
import { openAiErrorObject, providerHeaders } from './provider-errors.js';
import { collectText, describeIssue, toolsText, userText } from './request-text.js';
import { hashId, hexDigits, sendJson, sendStream, splitPieces, splitWords, sseEvent, type Frame } from './respond.js';
import type { FinishKind, PlannedToolCall, Scenario } from './scenario.js';
import { openAiChatUsage } from './usage-render.js';

const chatRequestSchema = z.object({
  model: z.string(),
  messages: z.array(z.object({ role: z.string().nullish(), content: z.unknown().optional(), tool_calls: z.unknown().optional() })),
  tools: z.unknown().optional(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish(), include_obfuscation: z.boolean().nullish() }).nullish(),
  max_tokens: z.number().nullish(),
  max_completion_tokens: z.number().nullish(),
  response_format: z.object({ type: z.string() }).nullish(),
  service_tier: z.string().nullish(),
});
type ChatRequest = z.infer<typeof chatRequestSchema>;

const finishReasons: Record<FinishKind, string> = {
  stop: 'stop',
  stop_sequence: 'stop',
  length: 'length',
  content_filter: 'content_filter',
  tool_calls: 'tool_calls',
};

/** `service_tier` as OpenAI reports it: `auto` (or nothing) is served as `default`. */
export function servedTier(requested: string | null | undefined): string {
  return requested === 'flex' || requested === 'priority' || requested === 'scale' ? requested : 'default';
}

export function openAiToolCallId(call: PlannedToolCall): string {
  return `call_${hashId(call.idSeed, 24)}`;
}

function conversationOf(request: ChatRequest) {
  const texts: string[] = [];
  let lastUser = '';
  for (const message of request.messages) {
    collectText(message.content, texts);
    if (message.tool_calls !== undefined && message.tool_calls !== null) texts.push(JSON.stringify(message.tool_calls));
    if (message.role === 'user') lastUser = userText(message.content);
  }
  texts.push(...toolsText(request.tools));
  const format = request.response_format?.type;
  return {
    model: request.model,
    texts,
    messageCount: request.messages.length,
    userText: lastUser,
    maxTokens: request.max_completion_tokens ?? request.max_tokens ?? undefined,
    jsonReply: format === 'json_object' || format === 'json_schema',
  };
}

interface ChatIdentity {
  id: string;
  created: number;
  model: string;
  serviceTier: string;
  fingerprint: string;
}

function identityOf(ctx: ExchangeContext, scenario: Scenario, request: ChatRequest): ChatIdentity {
  return {
    id: `chatcmpl-${hashId(`chat:${ctx.seq}`, 29)}`,
    created: unixSeconds(ctx),
    model: scenario.model,
    serviceTier: servedTier(request.service_tier),
    fingerprint: `fp_${hashId(`fp:${scenario.model}`, 10, hexDigits)}`,
  };
}

function completionBody(identity: ChatIdentity, scenario: Scenario) {
  const toolCalls = scenario.toolCalls.map((call) => ({
    id: openAiToolCallId(call),
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  }));
  const content = scenario.reply === '' && toolCalls.length > 0 ? null : scenario.reply;
  const message = { role: 'assistant', content, refusal: null, annotations: [], ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) };
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReasons[scenario.finish] }],
    usage: openAiChatUsage(scenario.usage),
    service_tier: identity.serviceTier,
    system_fingerprint: identity.fingerprint,
  };
}

/** Builds stream chunks sharing the completion's identity; `usage: null` and `obfuscation` as OpenAI adds them. */
function chunkMaker(identity: ChatIdentity, options: { includeUsage: boolean; obfuscate: boolean }) {
  let index = 0;
  return (choices: unknown[], usage?: unknown): string => {
    const chunk: Record<string, unknown> = {
      id: identity.id,
      object: 'chat.completion.chunk',
      created: identity.created,
      model: identity.model,
      service_tier: identity.serviceTier,
      system_fingerprint: identity.fingerprint,
      choices,
    };
    if (options.includeUsage) chunk.usage = usage ?? null;
    // Padding against length side channels, on by default: https://platform.openai.com/docs/api-reference/chat/create#chat_create-stream_options
    if (options.obfuscate) chunk.obfuscation = hashId(`${identity.id}:${index}`, 1 + ((index * 7) % 12));
    index++;
    return sseEvent(chunk);
  };
}

function choice(delta: unknown, finishReason: string | null = null) {
  return { index: 0, delta, logprobs: null, finish_reason: finishReason };
}

function toolCallFrames(calls: PlannedToolCall[], chunk: (choices: unknown[]) => string): Frame[] {
  const frames: Frame[] = [];
  calls.forEach((call, index) => {
    const opening = { index, id: openAiToolCallId(call), type: 'function', function: { name: call.name, arguments: '' } };
    frames.push({ kind: 'content', data: chunk([choice({ tool_calls: [opening] })]), text: call.name });
    for (const piece of splitPieces(call.arguments)) {
      const delta = { tool_calls: [{ index, function: { arguments: piece } }] };
      frames.push({ kind: 'content', data: chunk([choice(delta)]), text: piece });
    }
  });
  return frames;
}

function streamFrames(identity: ChatIdentity, scenario: Scenario, request: ChatRequest): Frame[] {
  const includeUsage = request.stream_options?.include_usage === true;
  const chunk = chunkMaker(identity, { includeUsage, obfuscate: request.stream_options?.include_obfuscation !== false });
  const onlyTools = scenario.reply === '' && scenario.toolCalls.length > 0;
  const frames: Frame[] = [
    { kind: 'head', data: chunk([choice({ role: 'assistant', content: onlyTools ? null : '', refusal: null })]) },
  ];
  for (const word of splitWords(scenario.reply)) {
    frames.push({ kind: 'content', data: chunk([choice({ content: word })]), text: word });
  }
  frames.push(...toolCallFrames(scenario.toolCalls, chunk));
  frames.push({ kind: 'tail', data: chunk([choice({}, finishReasons[scenario.finish])]) });
  // The usage chunk exists only when the client asked for it: https://platform.openai.com/docs/api-reference/chat/create#chat_create-stream_options-include_usage
  if (includeUsage) frames.push({ kind: 'tail', data: chunk([], openAiChatUsage(scenario.usage)) });
  frames.push({ kind: 'tail', data: 'data: [DONE]\n\n' });
  return frames;
}

/** Handles `POST /v1/chat/completions`. */
export async function handleChatCompletions(ctx: ExchangeContext): Promise<void> {
  const parsed = chatRequestSchema.safeParse(ctx.body);
  if (!parsed.success) return sendError(ctx, 'openai', { status: 400, message: describeIssue(parsed.error) });
  const request = parsed.data;
  const stream = request.stream === true;
  const cache = ctx.promptCache;
  const base = conversationOf(request);
  const conversation = { ...base, promptCache: cache === undefined ? undefined : (total: number) => cache.openai({ model: request.model, texts: base.texts }, total) };
  const scenario = await beginExchange({ ctx, provider: 'openai', conversation, stream });
  if (scenario === undefined) return;
  const identity = identityOf(ctx, scenario, request);
  const headers = providerHeaders('openai', ctx.seq);
  if (!stream) return sendJson(ctx.res, { status: 200, body: completionBody(identity, scenario), headers });
  const error = scenario.error;
  await sendStream(ctx.res, {
    headers: { ...headers, 'content-type': 'text/event-stream; charset=utf-8' },
    frames: streamFrames(identity, scenario, request),
    errorFrame: () => sseEvent(openAiErrorObject({ status: error?.status ?? 500, message: error?.message, type: error?.type })),
    errorAfter: scenario.streamErrorAfter,
    disconnectAfter: scenario.disconnectAfter,
    chunkDelayMs: scenario.chunkDelayMs,
    tokensPerSecond: ctx.tokensPerSecond,
  });
}
