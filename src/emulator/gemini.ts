/**
 * Gemini generateContent and streamGenerateContent (`?alt=sse`).
 * https://ai.google.dev/api/generate-content
 * Streamed chunks are whole GenerateContentResponse objects on `data:` lines; every chunk carries a running
 * usageMetadata and the last one the finishReason and the final counts.
 */
import { z } from 'zod';
import { beginExchange, sendError, type ExchangeContext } from './exchange.js';
import { geminiErrorObject, providerHeaders } from './provider-errors.js';
import { collectText, describeIssue, toolsText, userText } from './request-text.js';
import { hashId, sendJson, sendStream, splitWords, type Frame } from './respond.js';
import type { FinishKind, Scenario } from './scenario.js';
import { geminiUsage } from './usage-render.js';

export const geminiContentsSchema = z.array(z.object({ role: z.string().nullish(), parts: z.unknown().optional() }));

export const generateRequestSchema = z.object({
  contents: geminiContentsSchema,
  systemInstruction: z.unknown().optional(),
  tools: z.unknown().optional(),
  generationConfig: z
    .object({ maxOutputTokens: z.number().nullish(), responseMimeType: z.string().nullish() })
    .loose()
    .nullish(),
});
type GenerateRequest = z.infer<typeof generateRequestSchema>;

const finishReasons: Record<FinishKind, string> = {
  stop: 'STOP',
  stop_sequence: 'STOP',
  tool_calls: 'STOP',
  length: 'MAX_TOKENS',
  content_filter: 'SAFETY',
};

/** The emulator's view of a generateContent request; also used by countTokens. */
export function geminiConversation(request: GenerateRequest, model: string) {
  const texts = collectText(request.systemInstruction);
  let lastUser = '';
  for (const content of request.contents) {
    collectText(content.parts, texts);
    if (content.role === 'user' || content.role === undefined || content.role === null) lastUser = userText(content.parts);
  }
  texts.push(...toolsText(request.tools));
  const hasSystem = request.systemInstruction !== undefined && request.systemInstruction !== null;
  return {
    model,
    texts,
    messageCount: request.contents.length + (hasSystem ? 1 : 0),
    userText: lastUser,
    maxTokens: request.generationConfig?.maxOutputTokens ?? undefined,
    jsonReply: request.generationConfig?.responseMimeType === 'application/json',
  };
}

type Part = Record<string, unknown>;

function allParts(scenario: Scenario): Part[] {
  const parts: Part[] = [];
  if (scenario.thinking !== undefined) parts.push({ text: scenario.thinking, thought: true });
  if (scenario.reply !== '' || scenario.toolCalls.length === 0) parts.push({ text: scenario.reply });
  for (const call of scenario.toolCalls) parts.push({ functionCall: { name: call.name, args: call.parsedArguments } });
  return parts;
}

/** One part per streamed chunk: thought and text split into words, each function call whole (as Gemini sends it). */
function streamedParts(scenario: Scenario): Part[] {
  const parts: Part[] = [];
  if (scenario.thinking !== undefined) for (const word of splitWords(scenario.thinking)) parts.push({ text: word, thought: true });
  for (const word of splitWords(scenario.reply)) parts.push({ text: word });
  for (const call of scenario.toolCalls) parts.push({ functionCall: { name: call.name, args: call.parsedArguments } });
  if (parts.length === 0) parts.push({ text: '' });
  return parts;
}

function responseOf(options: { scenario: Scenario; responseId: string; parts: Part[]; final: boolean; candidates?: number }) {
  const { scenario } = options;
  const candidate: Record<string, unknown> = { content: { parts: options.parts, role: 'model' } };
  if (options.final) candidate.finishReason = finishReasons[scenario.finish];
  candidate.index = 0;
  return {
    candidates: [candidate],
    usageMetadata: geminiUsage(scenario.usage, options.final ? undefined : options.candidates),
    modelVersion: scenario.model,
    responseId: options.responseId,
  };
}

/**
 * Gemini frames its SSE events with CRLF line ends (`data: {...}\r\n\r\n`), unlike OpenAI and Anthropic; clients
 * and the gateway's parser must accept both. https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */
function geminiSse(data: unknown): string {
  return `data: ${JSON.stringify(data)}\r\n\r\n`;
}

function streamChunks(scenario: Scenario, responseId: string): Array<{ body: unknown; text: string | undefined }> {
  const parts = streamedParts(scenario);
  const finalCandidates = Math.max(0, scenario.usage.output - scenario.usage.reasoning);
  return parts.map((part, i) => {
    const final = i === parts.length - 1;
    const candidates = Math.floor((finalCandidates * (i + 1)) / parts.length);
    const text = typeof part.text === 'string' ? part.text : undefined;
    return { body: responseOf({ scenario, responseId, parts: [part], final, candidates }), text };
  });
}

/** Handles `models/{model}:generateContent` and `models/{model}:streamGenerateContent`. */
export async function handleGenerateContent(ctx: ExchangeContext, options: { model: string; stream: boolean; sse: boolean }): Promise<void> {
  const parsed = generateRequestSchema.safeParse(ctx.body);
  if (!parsed.success) return sendError(ctx, 'gemini', { status: 400, message: describeIssue(parsed.error) });
  const conversation = geminiConversation(parsed.data, options.model);
  const scenario = await beginExchange({ ctx, provider: 'gemini', conversation, stream: options.stream && options.sse });
  if (scenario === undefined) return;
  const responseId = hashId(`gemini:${ctx.seq}`, 22);
  const headers = providerHeaders('gemini', ctx.seq);
  if (!options.stream) {
    const body = responseOf({ scenario, responseId, parts: allParts(scenario), final: true });
    return sendJson(ctx.res, { status: 200, body, headers });
  }
  const chunks = streamChunks(scenario, responseId);
  // Without alt=sse Gemini streams one JSON array of the same chunks.
  if (!options.sse) return sendJson(ctx.res, { status: 200, body: chunks.map((chunk) => chunk.body), headers });
  const error = scenario.error;
  await sendStream(ctx.res, {
    headers: { ...headers, 'content-type': 'text/event-stream' },
    frames: chunks.map((chunk): Frame => ({ kind: 'content', data: geminiSse(chunk.body), text: chunk.text })),
    errorFrame: () => geminiSse(geminiErrorObject({ status: error?.status ?? 503, message: error?.message, type: error?.type })),
    errorAfter: scenario.streamErrorAfter,
    disconnectAfter: scenario.disconnectAfter,
    chunkDelayMs: scenario.chunkDelayMs,
    tokensPerSecond: ctx.tokensPerSecond,
  });
}
