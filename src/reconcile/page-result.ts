import { z } from 'zod';
import type { ExportRecord } from './types.js';
import { describeIssues, placeOf, ReconcileInputError, type PagePlace } from './input-error.js';

/** What one page of an export contributes. */
export interface PageResult {
  records: ExportRecord[];
  /** Epoch ms of the earliest bucket start and the latest bucket end; null for a page without buckets. */
  since: number | null;
  until: number | null;
  /** The page's has_more flag (absent: null). */
  hasMore: boolean | null;
}

export interface PageContext {
  file: string;
  place: PagePlace;
}

/** Parses a page with a lenient schema (unknown fields ignored) or throws naming every bad path. */
export function parsePage<T>(schema: z.ZodType<T>, page: unknown, context: PageContext, what: string): T {
  const parsed = schema.safeParse(page);
  if (!parsed.success) throw describeIssues(context.file, context.place, parsed.error.issues, what);
  return parsed.data;
}

export const count = z.number().int().nonnegative();
export const optionalCount = count.nullish().transform((value) => value ?? 0);
export const rfc3339 = z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'expected an RFC 3339 timestamp');

/** UTC calendar day of an epoch-ms instant. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Exports are compared in USD only; anything else is bad input naming the field. */
export function requireUsd(currency: string, context: PageContext, path: readonly PropertyKey[]): void {
  if (currency.trim().toLowerCase() !== 'usd') {
    throw new ReconcileInputError(`${placeOf(context.file, context.place, path)}: only USD exports can be compared with the ledger (found "${currency}")`);
  }
}

/** Bounds of the buckets of a page. */
export function bucketBounds(buckets: ReadonlyArray<{ start: number; end: number }>): Pick<PageResult, 'since' | 'until'> {
  if (buckets.length === 0) return { since: null, until: null };
  return { since: Math.min(...buckets.map((b) => b.start)), until: Math.max(...buckets.map((b) => b.end)) };
}

/** Common defaults of a record; each parser fills what its format has. */
export const blankRecord = (format: ExportRecord['format'], day: string): ExportRecord => ({
  format,
  day,
  model: null,
  apiKeyId: null,
  usd: null,
  usdKind: null,
  tokens: null,
  requests: null,
  serviceTier: null,
  contextWindow: null,
  unmetered: null,
  audioTokens: 0,
});
