/**
 * The zod schema of an inbound Anthropic Messages request (https://docs.anthropic.com/en/api/messages). Fields the
 * gateway interprets are typed strictly; unknown fields pass through (the fast path forwards them untouched, and new
 * Anthropic parameters must not break old gateways). `cache_control` is accepted on every block and tool and never
 * interpreted. Block and tool types the canonical model cannot carry (documents, search results, server tools, …) are
 * typed just enough to be recognised, so the translating path can reject them by name.
 */
import { z } from 'zod';

/** A type error that says "Field required" when the field is missing, as the Anthropic API does. */
const expected = (what: string) => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? 'Field required' : `expected ${what}`) });

const text = z.string(expected('string'));
const integer = z.number(expected('integer')).int({ error: 'expected integer' });
const number = z.number(expected('number'));
const object = z.record(z.string(), z.unknown(), expected('object'));

const textBlock = z.looseObject({ type: z.literal('text'), text });

const imageSource = z.discriminatedUnion(
  'type',
  [
    z.looseObject({ type: z.literal('base64'), media_type: text, data: text }),
    z.looseObject({ type: z.literal('url'), url: text }),
    z.looseObject({ type: z.literal('file'), file_id: text }),
  ],
  { error: 'expected an image source of type base64, url or file' },
);
const imageBlock = z.looseObject({ type: z.literal('image'), source: imageSource });

/** Block types recognised but not translatable; listed so the error names them rather than calling them invalid. */
export const untranslatableBlockTypes = [
  'document',
  'search_result',
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'tool_search_tool_result',
  'tool_reference',
  'container_upload',
  'mcp_tool_use',
  'mcp_tool_result',
] as const;
const untranslatableBlock = z.looseObject({ type: z.enum(untranslatableBlockTypes) });

const toolResultContent = z.discriminatedUnion('type', [textBlock, imageBlock, untranslatableBlock], {
  error: 'expected a tool_result content block of type text, image, search_result or document',
});

const contentBlock = z.discriminatedUnion(
  'type',
  [
    textBlock,
    imageBlock,
    z.looseObject({ type: z.literal('tool_use'), id: text, name: text, input: object }),
    z.looseObject({
      type: z.literal('tool_result'),
      tool_use_id: text,
      content: z.union([text, z.array(toolResultContent)], { error: 'expected string or array' }).nullish(),
      is_error: z.boolean(expected('boolean')).nullish(),
    }),
    z.looseObject({ type: z.literal('thinking'), thinking: text, signature: text }),
    z.looseObject({ type: z.literal('redacted_thinking'), data: text }),
    untranslatableBlock,
  ],
  { error: 'expected a content block of type text, image, tool_use, tool_result, thinking, redacted_thinking, document or a server tool block' },
);
export type AnthropicInboundBlock = z.infer<typeof contentBlock>;

const content = z.union([text, z.array(contentBlock, expected('array'))], expected('string or array'));
const systemContent = z.union([text, z.array(textBlock, expected('array'))], expected('string or array of text blocks'));

const message = z.discriminatedUnion(
  'role',
  [
    z.looseObject({ role: z.literal('user'), content }),
    z.looseObject({ role: z.literal('assistant'), content }),
    /** The SDK's SystemMessageParam (a system turn inside `messages`). */
    z.looseObject({ role: z.literal('system'), content: systemContent }),
  ],
  { error: 'expected role user or assistant' },
);
export type AnthropicInboundMessage = z.infer<typeof message>;

/**
 * A tool: a custom tool (`type` absent or `custom`, with an `input_schema`), or a server tool (web_search_20250305,
 * bash_20250124, …: a versioned `type` other than `custom`).
 */
const tool = z
  .looseObject({
    type: z.string(expected('string')).nullish(),
    name: text,
    description: z.string(expected('string')).nullish(),
    input_schema: object.optional(),
    strict: z.boolean(expected('boolean')).nullish(),
  })
  .superRefine((value, context) => {
    if ((value.type == null || value.type === 'custom') && value.input_schema === undefined) {
      context.addIssue({ code: 'custom', path: ['input_schema'], message: 'Field required' });
    }
  });

const toolChoice = z.discriminatedUnion(
  'type',
  [
    z.looseObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean(expected('boolean')).nullish() }),
    z.looseObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean(expected('boolean')).nullish() }),
    z.looseObject({ type: z.literal('tool'), name: text, disable_parallel_tool_use: z.boolean(expected('boolean')).nullish() }),
    z.looseObject({ type: z.literal('none') }),
  ],
  { error: 'expected tool_choice type auto, any, tool or none' },
);

const thinking = z.discriminatedUnion(
  'type',
  [
    z.looseObject({ type: z.literal('enabled'), budget_tokens: integer }),
    z.looseObject({ type: z.literal('disabled') }),
    z.looseObject({ type: z.literal('adaptive') }),
    z.looseObject({ type: z.literal('between_tools') }),
  ],
  { error: 'expected thinking type enabled, disabled or adaptive' },
);

const outputConfig = z.looseObject({
  effort: z.string(expected('string')).nullish(),
  format: z.looseObject({ type: z.literal('json_schema', { error: 'expected format type json_schema' }), schema: object }).nullish(),
});

export const anthropicChatBodySchema = z.looseObject({
  model: z.string(expected('a non-empty string')).min(1, { error: 'expected a non-empty string' }),
  max_tokens: integer.nonnegative({ error: 'expected a non-negative integer' }),
  messages: z.array(message, expected('array')),
  system: systemContent.nullish(),
  stream: z.boolean(expected('boolean')).nullish(),
  tools: z.array(tool, expected('array')).nullish(),
  tool_choice: toolChoice.nullish(),
  thinking: thinking.nullish(),
  output_config: outputConfig.nullish(),
  metadata: z.looseObject({ user_id: z.string(expected('string')).nullish() }).nullish(),
  stop_sequences: z.array(text, expected('array of strings')).nullish(),
  temperature: number.nullish(),
  top_p: number.nullish(),
  top_k: integer.nullish(),
  container: z.unknown().optional(),
  mcp_servers: z.unknown().optional(),
  context_management: z.unknown().optional(),
});
export type AnthropicChatBody = z.infer<typeof anthropicChatBodySchema>;
