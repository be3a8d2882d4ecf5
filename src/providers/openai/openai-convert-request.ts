/**
 * The canonical ChatRequest → an OpenAI Chat Completions request body (https://platform.openai.com/docs/api-reference/chat/create),
 * also used for OpenAI-compatible hosts through their quirks. The mapping is documented in docs/translation.md.
 */
import type { ChatMessage, ChatRequest, ImagePart, ReasoningEffort, ResponseFormat, ToolChoice } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import type { OpenAICompatibleQuirks } from '../openai-compatible/openai-compatible-quirks.js';

export interface ToOpenAIRequestOptions {
  /** The model id the upstream knows. */
  upstreamModel: string;
  /** Set for an OpenAI-compatible host; absent for OpenAI itself. */
  quirks?: OpenAICompatibleQuirks;
}

type Json = Record<string, unknown>;

function untranslatable(param: string, message: string): GatewayError {
  return new GatewayError({ code: 'untranslatable', param, message });
}

function imageUrl(part: ImagePart, param: string): string {
  if (part.url !== undefined && part.url !== '') return part.url;
  if (part.data !== undefined && part.data !== '') {
    if (part.mediaType === undefined || part.mediaType === '') throw untranslatable(param, `${param}: an inline image needs a media type to become an OpenAI data: URL.`);
    return `data:${part.mediaType};base64,${part.data}`;
  }
  throw untranslatable(param, `${param}: the image has neither a URL nor data.`);
}

function userMessage(message: Extract<ChatMessage, { role: 'user' }>, at: string): Json {
  const only = message.content[0];
  if (message.content.length === 1 && only?.type === 'text') return { role: 'user', content: only.text };
  const content = message.content.map((part, index) =>
    part.type === 'text' ? { type: 'text', text: part.text } : { type: 'image_url', image_url: { url: imageUrl(part, `${at}.content[${index}]`) } },
  );
  return { role: 'user', content };
}

/** Reasoning parts are dropped: Chat Completions has no field to send reasoning back (OpenAI keeps it server-side). */
function assistantMessage(message: Extract<ChatMessage, { role: 'assistant' }>): Json {
  let text = '';
  const toolCalls: Json[] = [];
  for (const part of message.content) {
    if (part.type === 'text') text += part.text;
    else if (part.type === 'tool-call') toolCalls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } });
  }
  if (toolCalls.length === 0) return { role: 'assistant', content: text };
  return { role: 'assistant', content: text === '' ? null : text, tool_calls: toolCalls };
}

function toMessages(request: ChatRequest): Json[] {
  const messages: Json[] = [];
  // The `system` role rather than `developer`: OpenAI treats system as developer for reasoning models, and
  // OpenAI-compatible hosts do not all know `developer`.
  if (request.system !== undefined && request.system !== '') messages.push({ role: 'system', content: request.system });
  request.messages.forEach((message, index) => {
    const at = `messages[${index}]`;
    switch (message.role) {
      case 'system':
        messages.push({ role: 'system', content: message.content });
        break;
      case 'user':
        messages.push(userMessage(message, at));
        break;
      case 'assistant':
        messages.push(assistantMessage(message));
        break;
      case 'tool':
        // One `tool` message per result; OpenAI has no error flag, so `isError` is not sent.
        for (const result of message.content) messages.push({ role: 'tool', tool_call_id: result.toolCallId, content: result.content });
        break;
    }
  });
  return messages;
}

function toToolChoice(choice: ToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

function toResponseFormat(format: ResponseFormat): Json {
  if (format.type !== 'json_schema') return { type: format.type };
  const schema: Json = { name: format.name, schema: format.schema };
  if (format.description !== undefined) schema.description = format.description;
  if (format.strict !== undefined) schema.strict = format.strict;
  return { type: 'json_schema', json_schema: schema };
}

/**
 * A thinking budget has no Chat Completions field; it becomes the effort band that spends about as much:
 * ≤ 2,048 tokens → low, ≤ 8,192 → medium, more → high.
 */
export function effortForBudget(budgetTokens: number): ReasoningEffort {
  if (budgetTokens <= 2048) return 'low';
  if (budgetTokens <= 8192) return 'medium';
  return 'high';
}

function addSampling(body: Json, request: ChatRequest, quirks: OpenAICompatibleQuirks | undefined): void {
  if (request.maxOutputTokens !== undefined) body[quirks?.maxTokensField ?? 'max_completion_tokens'] = request.maxOutputTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.topK !== undefined) throw untranslatable('topK', 'topK: OpenAI Chat Completions has no top_k parameter.');
  if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  const reasoning = request.reasoning;
  const effort = reasoning?.effort ?? (reasoning?.budgetTokens === undefined ? undefined : effortForBudget(reasoning.budgetTokens));
  if (effort !== undefined) body.reasoning_effort = effort;
}

/**
 * Builds `POST /chat/completions`. Streaming requests always carry `stream_options: {include_usage: true}` (the
 * gateway meters every stream) unless the host's quirks say it rejects the field. `user` is sent to OpenAI only:
 * some compatible hosts reject unknown fields, and the gateway records the end user itself.
 * Throws GatewayError 'untranslatable' (param in canonical terms) for what OpenAI cannot express.
 */
export function toOpenAIRequest(request: ChatRequest, options: ToOpenAIRequestOptions): { path: string; body: Record<string, unknown> } {
  const quirks = options.quirks;
  const body: Json = { model: options.upstreamModel, messages: toMessages(request) };
  // OpenAI rejects tool_choice and parallel_tool_calls without tools, so they go only with tools.
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => {
      const fn: Json = { name: tool.name, parameters: tool.parameters };
      if (tool.description !== undefined) fn.description = tool.description;
      if (tool.strict !== undefined) fn.strict = tool.strict;
      return { type: 'function', function: fn };
    });
    if (request.toolChoice !== undefined) body.tool_choice = toToolChoice(request.toolChoice);
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }
  addSampling(body, request, quirks);
  if (request.responseFormat !== undefined) body.response_format = toResponseFormat(request.responseFormat);
  if (request.user !== undefined && quirks === undefined) body.user = request.user;
  if (request.stream) {
    body.stream = true;
    if (quirks?.streamUsage !== false) body.stream_options = { include_usage: true };
  }
  return { path: '/chat/completions', body };
}
