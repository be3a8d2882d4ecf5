/**
 * OpenAI Responses, `POST /v1/responses`, non-streaming and streaming.
 * https://platform.openai.com/docs/api-reference/responses/create
 * https://platform.openai.com/docs/api-reference/responses-streaming
 */
import { z } from 'zod';
import { beginExchange, sendError, unixSeconds, type ExchangeContext } from './exchange.js';
import { openAiToolCallId, servedTier } from './openai-chat.js';
import { providerHeaders } from './provider-errors.js';
import { collectText, describeIssue, isRecord, toolsText, userText } from './request-text.js';
import { responseItems, type ResponseItem } from './openai-responses-items.js';
import { hashId, hexDigits, sendJson, sendStream, sseEvent, type Frame } from './respond.js';
import type { Scenario } from './scenario.js';
import { openAiResponsesUsage } from './usage-render.js';

const responsesRequestSchema = z.object({
  model: z.string(),
  input: z.union([z.string(), z.array(z.unknown())]),
  instructions: z.string().nullish(),
  tools: z.array(z.unknown()).nullish(),
  tool_choice: z.unknown().optional(),
  stream: z.boolean().nullish(),
  max_output_tokens: z.number().nullish(),
  text: z.object({ format: z.object({ type: z.string() }).loose().nullish() }).loose().nullish(),
  reasoning: z.unknown().optional(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  previous_response_id: z.string().nullish(),
  store: z.boolean().nullish(),
  metadata: z.unknown().optional(),
  user: z.string().nullish(),
  service_tier: z.string().nullish(),
});
type ResponsesRequest = z.infer<typeof responsesRequestSchema>;

function conversationOf(request: ResponsesRequest) {
  const texts: string[] = request.instructions ? [request.instructions] : [];
  let lastUser = '';
  const items = typeof request.input === 'string' ? [{ role: 'user', content: request.input }] : request.input;
  for (const item of items) {
    collectText(item, texts);
    if (isRecord(item) && item.role === 'user') lastUser = userText(item.content);
  }
  texts.push(...toolsText(request.tools));
  const format = request.text?.format?.type;
  return {
    model: request.model,
    texts,
    messageCount: items.length + (request.instructions ? 1 : 0),
    userText: lastUser,
    maxTokens: request.max_output_tokens ?? undefined,
    jsonReply: format === 'json_object' || format === 'json_schema',
  };
}

/** `status` and `incomplete_details` for how the scenario finishes. */
function outcome(scenario: Scenario): { status: string; incomplete: { reason: string } | null } {
  if (scenario.finish === 'length') return { status: 'incomplete', incomplete: { reason: 'max_output_tokens' } };
  if (scenario.finish === 'content_filter') return { status: 'incomplete', incomplete: { reason: 'content_filter' } };
  return { status: 'completed', incomplete: null };
}

/** The Response object; request parameters are echoed back as the API does. */
function responseBody(options: {
  ctx: ExchangeContext;
  request: ResponsesRequest;
  scenario: Scenario;
  done: boolean;
  output: ResponseItem[];
}) {
  const { request, scenario, done } = options;
  const result = outcome(scenario);
  return {
    id: `resp_${hashId(`resp:${options.ctx.seq}`, 48, hexDigits)}`,
    object: 'response',
    created_at: unixSeconds(options.ctx),
    status: done ? result.status : 'in_progress',
    background: false,
    error: null,
    incomplete_details: done ? result.incomplete : null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    max_tool_calls: null,
    model: scenario.model,
    output: done ? options.output : [],
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    prompt_cache_key: null,
    reasoning: request.reasoning ?? { effort: null, summary: null },
    safety_identifier: null,
    service_tier: servedTier(request.service_tier),
    store: request.store ?? true,
    temperature: request.temperature ?? 1,
    text: { format: request.text?.format ?? { type: 'text' }, verbosity: 'medium' },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_logprobs: 0,
    top_p: request.top_p ?? 1,
    truncation: 'disabled',
    usage: done ? openAiResponsesUsage(scenario.usage) : null,
    user: request.user ?? null,
    metadata: request.metadata ?? {},
  };
}

/** Handles `POST /v1/responses`. */
export async function handleResponses(ctx: ExchangeContext): Promise<void> {
  const parsed = responsesRequestSchema.safeParse(ctx.body);
  if (!parsed.success) return sendError(ctx, 'openai', { status: 400, message: describeIssue(parsed.error) });
  const request = parsed.data;
  const stream = request.stream === true;
  const scenario = await beginExchange({ ctx, provider: 'openai', conversation: conversationOf(request), stream });
  if (scenario === undefined) return;
  const ids = {
    reasoning: `rs_${hashId(`rs:${ctx.seq}`, 48, hexDigits)}`,
    message: `msg_${hashId(`msg:${ctx.seq}`, 48, hexDigits)}`,
    functionCall: (index: number) => `fc_${hashId(`fc:${ctx.seq}:${index}`, 48, hexDigits)}`,
    callId: openAiToolCallId,
  };
  const items = responseItems({ scenario, ids });
  const headers = providerHeaders('openai', ctx.seq);
  const body = (done: boolean) => responseBody({ ctx, request, scenario, done, output: items.map((item) => item.done) });
  if (!stream) return sendJson(ctx.res, { status: 200, body: body(true), headers });
  const frames: Frame[] = [];
  const push = (kind: Frame['kind'], type: string, fields: Record<string, unknown>, text?: string) => {
    frames.push({ kind, data: sseEvent({ type, sequence_number: frames.length, ...fields }, type), text });
  };
  push('head', 'response.created', { response: body(false) });
  push('head', 'response.in_progress', { response: body(false) });
  items.forEach((item, outputIndex) => item.events(outputIndex, push));
  const final = body(true);
  push('tail', final.status === 'completed' ? 'response.completed' : 'response.incomplete', { response: final });
  const error = scenario.error;
  await sendStream(ctx.res, {
    headers: { ...headers, 'content-type': 'text/event-stream; charset=utf-8' },
    frames,
    errorFrame: (index) => {
      const fields = { type: 'error', code: error?.type ?? 'server_error', message: error?.message ?? 'The server had an error while processing your request. Sorry about that!', param: null, sequence_number: index };
      return sseEvent(fields, 'error');
    },
    errorAfter: scenario.streamErrorAfter,
    disconnectAfter: scenario.disconnectAfter,
    chunkDelayMs: scenario.chunkDelayMs,
    tokensPerSecond: ctx.tokensPerSecond,
  });
}
