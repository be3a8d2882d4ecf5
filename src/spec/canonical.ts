/**
 * The canonical request / response / stream-part model. Every inbound dialect converts to it and every
 * upstream provider converts from it, so N dialects + M providers need N + M converters, not N × M.
 * It carries only what can be translated between wire formats; same-dialect traffic never passes through
 * it (the fast path forwards bytes).
 */
import type { TokenUsage } from './usage.js';

export type Dialect = 'openai' | 'anthropic';

export interface TextPart {
  type: 'text';
  text: string;
}

/** An image given either by URL (http(s) or data:) or as base64 data with its media type. */
export interface ImagePart {
  type: 'image';
  url?: string;
  data?: string;
  mediaType?: string;
}

export interface ToolCallPart {
  type: 'tool-call';
  id: string;
  name: string;
  /** The arguments as the model produced them: a JSON text, possibly invalid. */
  arguments: string;
}

export interface ReasoningPart {
  type: 'reasoning';
  text: string;
  /** Anthropic thinking signature; must be echoed back verbatim in later turns. */
  signature?: string;
  /** Anthropic redacted_thinking payload. */
  redactedData?: string;
}

export interface ToolResultPart {
  type: 'tool-result';
  toolCallId: string;
  /** Text of the result; images in tool results are not translatable and are rejected by dialect parsers. */
  content: string;
  isError?: boolean;
}

export type UserContentPart = TextPart | ImagePart;
export type AssistantContentPart = TextPart | ToolCallPart | ReasoningPart;

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: UserContentPart[] }
  | { role: 'assistant'; content: AssistantContentPart[] }
  | { role: 'tool'; content: ToolResultPart[] };

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  strict?: boolean;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean; description?: string };

export type ReasoningEffort = 'minimal' | 'low' | 'medium' | 'high';

export interface ChatRequest {
  /** The public model name the caller asked for. */
  model: string;
  /** Leading system instructions (OpenAI system/developer messages at the start, Anthropic `system`). */
  system?: string;
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  seed?: number;
  responseFormat?: ResponseFormat;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`: the caller wants the usage chunk. */
  includeUsage: boolean;
  reasoning?: { effort?: ReasoningEffort; budgetTokens?: number };
  /** End-user id (OpenAI `user`, Anthropic `metadata.user_id`). */
  user?: string;
}

export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'stop-sequence' | 'refusal' | 'other';

export interface ChatResponse {
  id: string;
  /** The model the upstream says served the request. */
  model: string;
  created: number;
  content: AssistantContentPart[];
  finishReason: FinishReason;
  /** Set when finishReason is 'stop-sequence' and the upstream said which one. */
  stopSequence?: string;
  usage: TokenUsage;
}

/**
 * Stream parts, noun-verb named. A stream is: response-start, then deltas in any order, then finish and
 * usage (either order; usage may be absent if the upstream never sent it), or an error part at any point.
 */
export type StreamPart =
  | { type: 'response-start'; id: string; model: string; created: number }
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string }
  | { type: 'reasoning-signature'; signature: string }
  | { type: 'redacted-reasoning'; data: string }
  | { type: 'tool-call-start'; index: number; id: string; name: string }
  | { type: 'tool-call-delta'; index: number; argumentsDelta: string }
  | { type: 'finish'; finishReason: FinishReason; stopSequence?: string }
  | { type: 'usage'; usage: TokenUsage }
  | { type: 'error'; errorType: string; message: string };
