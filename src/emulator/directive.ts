/**
 * Test directives: a test scripts one emulated response by writing `[[emu:{...json...}]]` into the last user message.
 * The first occurrence wins. docs/emulator.md is the reference for every field.
 */
import { z } from 'zod';

const count = z.number().int().nonnegative();

const usageSchema = z
  .object({
    input: count.optional(),
    cache_read: count.optional(),
    cache_write_5m: count.optional(),
    cache_write_1h: count.optional(),
    output: count.optional(),
    reasoning: count.optional(),
  })
  .strict();

const errorSchema = z
  .object({
    status: z.number().int().min(400).max(599),
    message: z.string().optional(),
    type: z.string().optional(),
    retry_after: z.number().nonnegative().optional(),
  })
  .strict();

const toolCallSchema = z
  .object({ name: z.string().min(1), arguments: z.record(z.string(), z.unknown()).default({}) })
  .strict();

/** The fields that script one response; `models` and `fail_times` (below) choose when they apply. */
const responseFields = {
    reply: z.string().optional(),
    json: z.unknown().optional(),
    tool_calls: z.array(toolCallSchema).optional(),
    thinking: z.string().optional(),
    usage: usageSchema.optional(),
    finish: z.enum(['length', 'stop', 'content_filter', 'stop_sequence']).optional(),
    model: z.string().min(1).optional(),
    error: errorSchema.optional(),
    stream_error_after: count.optional(),
    disconnect_after: count.optional(),
    latency_ms: z.number().nonnegative().optional(),
    chunk_delay_ms: z.number().nonnegative().optional(),
    /** Reset the connection (TCP RST) after the latency, without answering: a connection-reset failure. */
    reset: z.boolean().optional(),
};

/** Strict on purpose: a misspelt field is a broken test, so it fails loudly with a 400 instead of being ignored. */
export const directiveSchema = z
  .object({
    ...responseFields,
    /** Per requested model: these fields replace the directive's own for a request to that model (fallback tests). */
    models: z.record(z.string().min(1), z.object(responseFields).strict()).optional(),
    /**
     * The misbehaviour (`error`, `reset`, `latency_ms`) applies to the first n requests that carry this directive
     * for the same model, counted per emulator; later ones are answered normally ("fail once, then succeed").
     */
    fail_times: count.optional(),
  })
  .strict();

export type Directive = z.infer<typeof directiveSchema>;
export type DirectiveUsage = z.infer<typeof usageSchema>;
export type DirectiveError = z.infer<typeof errorSchema>;

export type DirectiveResult =
  | { ok: true; directive: Directive | undefined; text: string }
  | { ok: false; message: string };

const marker = '[[emu:';

function parseCandidate(json: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(json) };
  } catch {
    return { ok: false };
  }
}

/**
 * Finds and validates the first directive in `text`. Returns the directive and the text with it removed (the
 * default reply quotes the prompt without the directive). The JSON may itself contain `]]`, so each `]]` after the
 * marker is tried as the end until the JSON parses.
 */
export function readDirective(text: string): DirectiveResult {
  const start = text.indexOf(marker);
  if (start === -1) return { ok: true, directive: undefined, text };
  const jsonStart = start + marker.length;
  for (let end = text.indexOf(']]', jsonStart); end !== -1; end = text.indexOf(']]', end + 1)) {
    const candidate = parseCandidate(text.slice(jsonStart, end));
    if (!candidate.ok) continue;
    const parsed = directiveSchema.safeParse(candidate.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
      return { ok: false, message: `Invalid emulator directive${where}: ${issue?.message ?? 'not an object'}` };
    }
    return { ok: true, directive: parsed.data, text: text.slice(0, start) + text.slice(end + 2) };
  }
  return { ok: false, message: 'Invalid emulator directive: the text after [[emu: is not JSON followed by ]]' };
}
