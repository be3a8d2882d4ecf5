/**
 * Lenient zod schemas of what the Gemini API sends back: the GenerateContentResponse (one whole body, or one SSE chunk
 * of `streamGenerateContent?alt=sse`, which has the same shape with incremental parts) and Google's error body.
 * Only the fields the gateway reads are declared; everything else is dropped, and every field may be missing or null
 * so a new or omitted field never breaks a call.
 * Reference: https://ai.google.dev/api/generate-content#generatecontentresponse
 */
import { z } from 'zod';

const modalityCounts = z.array(z.object({ modality: z.string().nullish(), tokenCount: z.number().nullish() })).nullish();

/** https://ai.google.dev/api/generate-content#UsageMetadata — see gemini-usage.ts for which count includes which. */
export const geminiUsageMetadataSchema = z.object({
  promptTokenCount: z.number().nullish(),
  cachedContentTokenCount: z.number().nullish(),
  candidatesTokenCount: z.number().nullish(),
  toolUsePromptTokenCount: z.number().nullish(),
  thoughtsTokenCount: z.number().nullish(),
  totalTokenCount: z.number().nullish(),
  /** Per-modality breakdowns (ModalityTokenCount: TEXT | IMAGE | AUDIO | VIDEO | DOCUMENT) of the counts above. */
  promptTokensDetails: modalityCounts,
  cacheTokensDetails: modalityCounts,
  candidatesTokensDetails: modalityCounts,
});

export type GeminiUsageMetadata = z.infer<typeof geminiUsageMetadataSchema>;

/** A whole function call: Gemini never splits one across chunks unless `streamFunctionCallArguments` is asked for. */
export const geminiFunctionCallSchema = z.object({
  id: z.string().nullish(),
  name: z.string(),
  args: z.record(z.string(), z.unknown()).nullish(),
});

/**
 * One Part (https://ai.google.dev/api/caching#Part). `thought: true` marks a thought summary; `thoughtSignature` may
 * sit on any part (https://ai.google.dev/gemini-api/docs/thought-signatures).
 */
export const geminiPartSchema = z.object({
  text: z.string().nullish(),
  thought: z.boolean().nullish(),
  thoughtSignature: z.string().nullish(),
  functionCall: geminiFunctionCallSchema.nullish(),
});

export type GeminiPart = z.infer<typeof geminiPartSchema>;

export const geminiCandidateSchema = z.object({
  content: z
    .object({
      parts: z.array(geminiPartSchema).nullish(),
      role: z.string().nullish(),
    })
    .nullish(),
  finishReason: z.string().nullish(),
  index: z.number().nullish(),
});

export const geminiResponseSchema = z.object({
  candidates: z.array(geminiCandidateSchema).nullish(),
  promptFeedback: z.object({ blockReason: z.string().nullish() }).nullish(),
  usageMetadata: geminiUsageMetadataSchema.nullish(),
  modelVersion: z.string().nullish(),
  responseId: z.string().nullish(),
});

export type GeminiResponse = z.infer<typeof geminiResponseSchema>;

/** Google's error object (https://ai.google.dev/gemini-api/docs/troubleshooting): `{code, message, status}`. */
export const googleErrorObjectSchema = z.object({
  code: z.number().nullish(),
  message: z.string().nullish(),
  status: z.string().nullish(),
});

export const googleErrorBodySchema = z.object({ error: googleErrorObjectSchema });

/** A stream chunk is a GenerateContentResponse; an error raised mid-stream arrives as a chunk holding `error`. */
export const geminiStreamChunkSchema = geminiResponseSchema.extend({
  error: googleErrorObjectSchema.nullish(),
});

export type GeminiStreamChunk = z.infer<typeof geminiStreamChunkSchema>;
