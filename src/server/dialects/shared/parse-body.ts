/**
 * Validation shared by the inbound dialects: zod issues become one GatewayError naming the deepest path at fault
 * (`messages[0].content[2].text: expected string`), and the two error kinds a dialect parser raises.
 */
import type { z } from 'zod';
import { GatewayError } from '../../../spec/errors.js';
import { formatPath } from '../../../spec/format-path.js';

export function invalid(param: string, message: string): GatewayError {
  return new GatewayError({ code: 'invalid_request', param, message: `${param}: ${message}` });
}

export function untranslatable(param: string, message: string): GatewayError {
  return new GatewayError({ code: 'untranslatable', param, message: `${param}: ${message}` });
}

/**
 * The issue to report: for a union that failed (`content: string | blocks[]`), the branch that got furthest into the
 * value, so `messages[0].content[2].text` is named rather than just `messages[0].content`.
 */
export function deepestIssue(issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string } {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    let best: z.core.$ZodIssue | undefined;
    for (const branch of issue.errors) {
      const first = branch[0];
      if (first !== undefined && first.path.length > 0 && (best === undefined || first.path.length > best.path.length)) best = first;
    }
    if (best !== undefined) {
      const inner = deepestIssue(best);
      return { path: [...issue.path, ...inner.path], message: inner.message };
    }
  }
  return { path: issue.path, message: issue.message };
}

/** Parses a body with a dialect's schema; on failure throws 'invalid_request' naming the path. */
export function parseBody<T>(schema: z.ZodType<T>, json: unknown): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  const issue = first === undefined ? { path: [], message: 'invalid request body' } : deepestIssue(first);
  const path = formatPath(issue.path);
  const message = issue.message.replace(/^Invalid input: /, '');
  if (path === '') throw new GatewayError({ code: 'invalid_request', message: `request body: ${message}` });
  throw invalid(path, message);
}
