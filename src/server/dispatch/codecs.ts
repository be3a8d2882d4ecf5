/**
 * The converters each path needs, gathered per inbound dialect and per upstream wire, so the dispatch code is the same
 * whichever pair it serves (N dialects + M wires, not N × M).
 */
import type { SseEvent } from '../../providers/shared/sse.js';
import type { ChatRequest, ChatResponse, StreamPart } from '../../spec/canonical.js';
import type { UpstreamHttpError } from '../../spec/errors.js';
import type { ProviderRuntime } from '../upstream/provider-runtime.js';
import { createAnthropicStreamDecoder } from '../../providers/anthropic/anthropic-stream.js';
import { fromAnthropicResponse } from '../../providers/anthropic/anthropic-convert-response.js';
import { toAnthropicRequest } from '../../providers/anthropic/anthropic-convert-request.js';
import { parseAnthropicError } from '../../providers/anthropic/anthropic-error.js';
import { createGeminiStreamDecoder } from '../../providers/gemini/gemini-stream.js';
import { fromGeminiResponse } from '../../providers/gemini/gemini-convert-response.js';
import { toGeminiRequest } from '../../providers/gemini/gemini-convert-request.js';
import { parseGeminiError } from '../../providers/gemini/gemini-error.js';
import { createOpenAIStreamDecoder } from '../../providers/openai/openai-stream.js';
import { fromOpenAIResponse } from '../../providers/openai/openai-convert-response.js';
import { toOpenAIRequest } from '../../providers/openai/openai-convert-request.js';
import { parseOpenAIError } from '../../providers/openai/openai-error.js';
import { anthropicChatToCanonical, parseAnthropicChatBody } from '../dialects/anthropic/anthropic-request.js';
import { renderAnthropicResponse } from '../dialects/anthropic/anthropic-response.js';
import { createAnthropicStreamEncoder } from '../dialects/anthropic/anthropic-stream.js';
import { renderAnthropicUpstreamError } from '../dialects/anthropic/anthropic-error.js';
import { openaiChatToCanonical, parseOpenAIChatBody } from '../dialects/openai/openai-request.js';
import { renderOpenAIResponse } from '../dialects/openai/openai-response.js';
import { createOpenAIStreamEncoder } from '../dialects/openai/openai-stream.js';
import { renderOpenAIUpstreamError } from '../dialects/openai/openai-error.js';

export interface StreamEncoder {
  encode(part: StreamPart): string;
  end(): string;
}

export interface InboundDialect {
  /** Validates the body and converts it to the canonical request (400 naming the field otherwise). */
  parse(body: unknown): ChatRequest;
  renderResponse(response: ChatResponse, model: string): Record<string, unknown>;
  createEncoder(options: { model: string; includeUsage: boolean }): StreamEncoder;
  renderUpstreamError(error: UpstreamHttpError): { status: number; body: Record<string, unknown> };
}

export interface OutboundWire {
  toRequest(request: ChatRequest, options: { upstreamModel: string; runtime: ProviderRuntime }): { path: string; body: Record<string, unknown> };
  fromResponse(json: unknown): ChatResponse;
  createDecoder(runtime: ProviderRuntime): { decode(event: SseEvent): StreamPart[]; end(): StreamPart[] };
  parseError(input: { status: number; body: string; headers: Record<string, string>; provider: string }): UpstreamHttpError;
}

export const dialects: Record<'openai' | 'anthropic', InboundDialect> = {
  openai: {
    parse: (body) => openaiChatToCanonical(parseOpenAIChatBody(body)),
    renderResponse: (response, model) => renderOpenAIResponse(response, { model }),
    createEncoder: (options) => createOpenAIStreamEncoder(options),
    renderUpstreamError: renderOpenAIUpstreamError,
  },
  anthropic: {
    parse: (body) => anthropicChatToCanonical(parseAnthropicChatBody(body)),
    renderResponse: (response, model) => renderAnthropicResponse(response, { model }),
    createEncoder: (options) => createAnthropicStreamEncoder(options),
    renderUpstreamError: renderAnthropicUpstreamError,
  },
};

export const wires: Record<'openai' | 'anthropic' | 'gemini', OutboundWire> = {
  openai: {
    toRequest: (request, options) => toOpenAIRequest(request, { upstreamModel: options.upstreamModel, quirks: options.runtime.quirks ?? undefined }),
    fromResponse: fromOpenAIResponse,
    createDecoder: (runtime) => createOpenAIStreamDecoder({ reasoningField: runtime.quirks?.reasoningField }),
    parseError: parseOpenAIError,
  },
  anthropic: {
    toRequest: (request, options) => toAnthropicRequest(request, { upstreamModel: options.upstreamModel }),
    fromResponse: fromAnthropicResponse,
    createDecoder: () => createAnthropicStreamDecoder(),
    parseError: parseAnthropicError,
  },
  gemini: {
    toRequest: (request, options) => toGeminiRequest(request, { upstreamModel: options.upstreamModel }),
    fromResponse: fromGeminiResponse,
    createDecoder: () => createGeminiStreamDecoder(),
    parseError: parseGeminiError,
  },
};
