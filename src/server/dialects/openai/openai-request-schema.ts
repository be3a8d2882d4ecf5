/**
 * The zod schema of an inbound OpenAI Chat Completions request (https://platform.openai.com/docs/api-reference/chat/create).
 * Fields the gateway interprets are typed strictly; unknown top-level fields pass through (the fast path forwards
 * them untouched, and new OpenAI parameters must not break old gateways). Fields that only matter for being
 * rejected when translating (logprobs, audio, …) are typed just enough to tell whether they are set.
 */
import { z } from 'zod';

const text = z.string({ error: 'expected string' });
const textPart = z.object({ type: z.literal('text'), text });

const userPart = z.discriminatedUnion(
  'type',
  [
    textPart,
    z.object({ type: z.literal('image_url'), image_url: z.object({ url: text, detail: z.string().nullish() }) }),
    z.object({ type: z.literal('input_audio'), input_audio: z.unknown().optional() }),
    z.object({ type: z.literal('file'), file: z.unknown().optional() }),
  ],
  { error: 'expected a content part of type text, image_url, input_audio or file' },
);
export type OpenAIUserPart = z.infer<typeof userPart>;

const assistantPart = z.discriminatedUnion(
  'type',
  [textPart, z.object({ type: z.literal('refusal'), refusal: text })],
  { error: 'expected a content part of type text or refusal' },
);

const textContent = z.union([text, z.array(textPart)], { error: 'expected string or array of text parts' });

const toolCall = z.object({
  id: text,
  type: z.string(),
  function: z.object({ name: text, arguments: text }).nullish(),
});

const message = z.discriminatedUnion(
  'role',
  [
    z.object({ role: z.literal('system'), content: textContent, name: z.string().nullish() }),
    z.object({ role: z.literal('developer'), content: textContent, name: z.string().nullish() }),
    z.object({
      role: z.literal('user'),
      content: z.union([text, z.array(userPart)], { error: 'expected string or array' }),
      name: z.string().nullish(),
    }),
    z.object({
      role: z.literal('assistant'),
      content: z.union([text, z.array(assistantPart)], { error: 'expected string, array or null' }).nullish(),
      refusal: z.string().nullish(),
      tool_calls: z.array(toolCall).nullish(),
      function_call: z.unknown().optional(),
      audio: z.unknown().optional(),
      name: z.string().nullish(),
    }),
    z.object({ role: z.literal('tool'), tool_call_id: text, content: textContent }),
    z.object({ role: z.literal('function'), name: text, content: z.string().nullish() }),
  ],
  { error: 'expected role system, developer, user, assistant, tool or function' },
);
export type OpenAIChatMessage = z.infer<typeof message>;

const tool = z.discriminatedUnion(
  'type',
  [
    z.object({
      type: z.literal('function'),
      function: z.object({
        name: text,
        description: z.string().nullish(),
        parameters: z.record(z.string(), z.unknown()).nullish(),
        strict: z.boolean().nullish(),
      }),
    }),
    z.object({ type: z.literal('custom'), custom: z.unknown().optional() }),
  ],
  { error: 'expected a tool of type function or custom' },
);

const toolChoice = z.union(
  [
    z.enum(['none', 'auto', 'required']),
    z.object({ type: z.literal('function'), function: z.object({ name: text }) }),
    z.object({ type: z.enum(['allowed_tools', 'custom']) }),
  ],
  { error: 'expected "none", "auto", "required" or a named tool' },
);

const responseFormat = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('text') }),
    z.object({ type: z.literal('json_object') }),
    z.object({
      type: z.literal('json_schema'),
      json_schema: z.object({
        name: text,
        description: z.string().nullish(),
        schema: z.record(z.string(), z.unknown()).nullish(),
        strict: z.boolean().nullish(),
      }),
    }),
  ],
  { error: 'expected response_format type text, json_object or json_schema' },
);

const number = z.number({ error: 'expected number' });
const integer = z.number({ error: 'expected integer' }).int({ error: 'expected integer' });

export const openaiChatBodySchema = z.looseObject({
  model: z.string({ error: 'expected a non-empty string' }).min(1, { error: 'expected a non-empty string' }),
  messages: z.array(message, { error: 'expected array' }),
  stream: z.boolean({ error: 'expected boolean' }).nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish(), include_obfuscation: z.boolean().nullish() }).nullish(),
  tools: z.array(tool, { error: 'expected array' }).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean({ error: 'expected boolean' }).nullish(),
  response_format: responseFormat.nullish(),
  max_tokens: integer.nonnegative().nullish(),
  max_completion_tokens: integer.nonnegative().nullish(),
  temperature: number.nullish(),
  top_p: number.nullish(),
  stop: z.union([z.string(), z.array(z.string())], { error: 'expected string or array of strings' }).nullish(),
  seed: integer.nullish(),
  user: z.string({ error: 'expected string' }).nullish(),
  reasoning_effort: z.string({ error: 'expected string' }).nullish(),
  n: integer.positive().nullish(),
  metadata: z.record(z.string(), z.string(), { error: 'expected an object of strings' }).nullish(),
  store: z.boolean({ error: 'expected boolean' }).nullish(),
  logprobs: z.boolean({ error: 'expected boolean' }).nullish(),
  top_logprobs: integer.nullish(),
  frequency_penalty: number.nullish(),
  presence_penalty: number.nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
  modalities: z.array(z.string()).nullish(),
  audio: z.unknown().optional(),
  prediction: z.unknown().optional(),
  web_search_options: z.unknown().optional(),
  functions: z.unknown().optional(),
  function_call: z.unknown().optional(),
});
export type OpenAIChatBody = z.infer<typeof openaiChatBodySchema>;
