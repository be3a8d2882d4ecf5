/**
 * Canonical ChatRequest → a Gemini generateContent request (https://ai.google.dev/api/generate-content):
 * `systemInstruction`, `contents`, `tools.functionDeclarations`, `toolConfig` and `generationConfig`. Streaming uses
 * `:streamGenerateContent?alt=sse`, whose SSE chunks are whole GenerateContentResponses. What Gemini cannot express
 * throws GatewayError 'untranslatable' naming the canonical field; what is dropped on purpose is listed in
 * docs/translation.md (## Gemini).
 */
import type { ChatRequest, ReasoningEffort, ResponseFormat, ToolChoice, ToolDefinition } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import { toGeminiContents } from './gemini-convert-messages.js';

export interface GeminiRequestOptions {
  /** The provider's model id, e.g. "gemini-2.5-flash" (a leading "models/" is accepted). */
  upstreamModel: string;
}

/** GenerationConfig.stopSequences takes at most five sequences (https://ai.google.dev/api/generate-content#generationconfig). */
const maxStopSequences = 5;

/**
 * Reasoning effort → thinkingBudget, with the budgets Google's own OpenAI-compatible endpoint uses for low / medium /
 * high (https://ai.google.dev/gemini-api/docs/openai); minimal gets 512, the smallest budget every 2.5 model
 * accepts (Pro cannot turn thinking off). Gemini 3 models still accept thinkingBudget for backward compatibility.
 */
const effortBudgets: Record<ReasoningEffort, number> = { minimal: 512, low: 1024, medium: 8192, high: 24576 };

/** Builds the path (below the provider's base URL) and JSON body of the Gemini call. */
export function toGeminiRequest(request: ChatRequest, options: GeminiRequestOptions): { path: string; body: Record<string, unknown> } {
  const model = encodeURIComponent(options.upstreamModel.replace(/^models\//, ''));
  const path = `/v1beta/models/${model}:${request.stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
  const { contents, laterSystem } = toGeminiContents(request.messages, { signForeignCalls: validatesThoughtSignatures(options.upstreamModel) });
  const body: Record<string, unknown> = {};
  const system = [request.system ?? '', ...laterSystem].filter((text) => text !== '');
  if (system.length > 0) body.systemInstruction = { parts: system.map((text) => ({ text })) };
  body.contents = contents;
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = [{ functionDeclarations: request.tools.map(toFunctionDeclaration) }];
    if (request.toolChoice !== undefined) body.toolConfig = { functionCallingConfig: toFunctionCallingConfig(request.toolChoice) };
  }
  const generationConfig = toGenerationConfig(request);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  return { path, body };
}

/**
 * Gemini 3 and later reject function-call steps without a thought signature; Gemini 1.x / 2.x and non-Gemini models
 * served by the API (Gemma) do not check them, so they are sent no bypass value. Other "gemini-" names (aliases such as
 * "gemini-flash-latest") are treated as validating.
 */
function validatesThoughtSignatures(model: string): boolean {
  const name = model.replace(/^models\//, '');
  return name.startsWith('gemini-') && !/^gemini-[12][.-]/.test(name);
}

/**
 * Tool parameters go as `parametersJsonSchema`, which takes JSON Schema as it is instead of the OpenAPI subset of
 * `parameters` (https://ai.google.dev/api/caching#FunctionDeclaration). A function without parameters leaves it unset.
 */
function toFunctionDeclaration(tool: ToolDefinition): Record<string, unknown> {
  const declaration: Record<string, unknown> = { name: tool.name };
  if (tool.description !== undefined && tool.description !== '') declaration.description = tool.description;
  if (!isEmptyObjectSchema(tool.parameters)) declaration.parametersJsonSchema = withoutSchemaKeyword(tool.parameters);
  return declaration;
}

function isEmptyObjectSchema(schema: Record<string, unknown>): boolean {
  for (const key of Object.keys(schema)) {
    const value = schema[key];
    if (key === '$schema' || key === 'additionalProperties' || key === 'description' || key === 'title') continue;
    if (key === 'type' && value === 'object') continue;
    if (key === 'properties' && typeof value === 'object' && value !== null && Object.keys(value).length === 0) continue;
    if (key === 'required' && Array.isArray(value) && value.length === 0) continue;
    return false;
  }
  return true;
}

/** `$schema` names a draft; it says nothing about the arguments and is left out. */
function withoutSchemaKeyword(schema: Record<string, unknown>): Record<string, unknown> {
  if (!('$schema' in schema)) return schema;
  const copy = { ...schema };
  delete copy.$schema;
  return copy;
}

/** https://ai.google.dev/api/caching#FunctionCallingConfig — ANY forces a call, optionally to the allowed names. */
function toFunctionCallingConfig(choice: ToolChoice): Record<string, unknown> {
  if (choice === 'auto') return { mode: 'AUTO' };
  if (choice === 'none') return { mode: 'NONE' };
  if (choice === 'required') return { mode: 'ANY' };
  return { mode: 'ANY', allowedFunctionNames: [choice.name] };
}

function toGenerationConfig(request: ChatRequest): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (request.maxOutputTokens !== undefined) config.maxOutputTokens = request.maxOutputTokens;
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.topK !== undefined) config.topK = request.topK;
  if (request.stop !== undefined && request.stop.length > 0) {
    if (request.stop.length > maxStopSequences) {
      throw new GatewayError({
        code: 'untranslatable',
        param: 'stop',
        message: `Gemini accepts at most ${maxStopSequences} stop sequences; ${request.stop.length} were given.`,
      });
    }
    config.stopSequences = request.stop;
  }
  if (request.seed !== undefined) config.seed = request.seed;
  if (request.responseFormat !== undefined) Object.assign(config, toResponseConfig(request.responseFormat));
  if (request.reasoning !== undefined) config.thinkingConfig = toThinkingConfig(request.reasoning);
  return config;
}

/**
 * JSON mode → responseMimeType; a JSON Schema → `responseJsonSchema`, which takes JSON Schema as it is (unlike the
 * OpenAPI-subset `responseSchema`); it requires responseMimeType application/json.
 */
function toResponseConfig(format: ResponseFormat): Record<string, unknown> {
  if (format.type === 'text') return {};
  if (format.type === 'json_object') return { responseMimeType: 'application/json' };
  return { responseMimeType: 'application/json', responseJsonSchema: withoutSchemaKeyword(format.schema) };
}

/**
 * https://ai.google.dev/gemini-api/docs/thinking — thinkingBudget caps the thinking tokens (0 turns thinking off where
 * the model allows it); includeThoughts asks for thought summaries, which become canonical reasoning.
 */
function toThinkingConfig(reasoning: NonNullable<ChatRequest['reasoning']>): Record<string, unknown> {
  const budget = reasoning.budgetTokens ?? (reasoning.effort === undefined ? undefined : effortBudgets[reasoning.effort]);
  if (budget === undefined) return { includeThoughts: true };
  return { thinkingBudget: budget, includeThoughts: budget > 0 };
}
