import { z } from 'zod';

/**
 * A TEXT column holding JSON, parsed and validated by `schema` (never cast). Malformed JSON becomes a zod issue
 * naming the column instead of a SyntaxError escaping the parse.
 */
export function jsonColumn<T>(column: string, schema: z.ZodType<T>) {
  return z.string().transform((value, ctx): T => {
    let data: unknown;
    try {
      data = JSON.parse(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${column}: not valid JSON: ${value.slice(0, 80)}` });
      return z.NEVER;
    }
    const parsed = schema.safeParse(data);
    if (parsed.success) return parsed.data;
    ctx.addIssue({ code: 'custom', message: `${column}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}` });
    return z.NEVER;
  });
}
