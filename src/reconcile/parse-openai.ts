/**
 * OpenAI organization exports. Buckets are `{ start_time, end_time }` in unix seconds (UTC days with the default
 * bucket_width=1d); pages are `{ object: "page", data: [bucket], has_more, next_page }`. Schemas are lenient: fields
 * this comparison does not use are ignored, and fields that are null unless grouped by them are nullable.
 */
import { z } from 'zod';
import type { ExportRecord, TokenKind } from './types.js';
import { blankRecord, bucketBounds, count, optionalCount, parsePage, requireUsd, utcDay, type PageContext, type PageResult } from './page-result.js';

/** A JSON number, or a decimal string (some tools write amounts as text to keep every digit). */
const amountValue = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?(e-?\d+)?$/i, 'expected a decimal number').transform(Number)]);

const bucket = <T extends z.ZodType>(result: T) =>
  z.object({
    start_time: z.number().int(),
    end_time: z.number().int(),
    results: z.array(result),
  });

const page = <T extends z.ZodType>(result: T) =>
  z.object({
    object: z.literal('page').optional(),
    data: z.array(bucket(result)),
    has_more: z.boolean().nullish(),
    next_page: z.string().nullish(),
  });

/**
 * Costs API result, `GET /v1/organization/costs`: https://platform.openai.com/docs/api-reference/usage/costs
 * (object "organization.costs.result"; `amount: { value, currency }` with currency lower-case ISO-4217, e.g. "usd";
 * `line_item` and `project_id` are null unless grouped by them).
 */
const costResult = z.object({
  object: z.literal('organization.costs.result').optional(),
  amount: z.object({ value: amountValue, currency: z.string() }),
  line_item: z.string().nullish(),
  project_id: z.string().nullish(),
});
const costsPage = page(costResult);

/**
 * Usage API, completions, `GET /v1/organization/usage/completions`:
 * https://platform.openai.com/docs/api-reference/usage/completions (object "organization.usage.completions.result").
 * `input_tokens` includes `input_cached_tokens`; `model`, `api_key_id`, `project_id`, `user_id` and `batch` are null
 * unless grouped by them. Audio token counts are reported apart and shown for information.
 */
const usageResult = z.object({
  object: z.literal('organization.usage.completions.result').optional(),
  input_tokens: count,
  output_tokens: count,
  input_cached_tokens: optionalCount,
  input_audio_tokens: optionalCount,
  output_audio_tokens: optionalCount,
  num_model_requests: optionalCount,
  project_id: z.string().nullish(),
  user_id: z.string().nullish(),
  api_key_id: z.string().nullish(),
  model: z.string().nullish(),
  batch: z.boolean().nullish(),
  service_tier: z.string().nullish(),
});
const usagePage = page(usageResult);

/** Billing kind of a line-item component ("input", "cached input", "output", "cache write", "audio input"...). */
function componentKind(component: string): TokenKind | null {
  const text = component.toLowerCase();
  if (text.includes('cached') || text.includes('cache read')) return 'cacheRead';
  if (text.includes('cache write') || text.includes('cache creation')) return 'cacheWrite';
  if (text.includes('input')) return 'input';
  if (text.includes('output')) return 'output';
  return null;
}

/**
 * With group_by=line_item, a model's line items read "<model>, <component>", e.g. "gpt-4o-2024-08-06, input",
 * "gpt-4o-2024-08-06, cached input", "gpt-4o-2024-08-06, output". A line item without that form (tool calls,
 * storage, ...) is not model tokens. Exported for tests.
 */
export function parseLineItem(lineItem: string): { model: string; kind: TokenKind | null } | null {
  const comma = lineItem.lastIndexOf(', ');
  if (comma <= 0) return null;
  const model = lineItem.slice(0, comma).trim();
  if (model === '' || /\s/.test(model)) return null;
  return { model, kind: componentKind(lineItem.slice(comma + 2)) };
}

const seconds = (value: number) => value * 1_000;

export function parseOpenAiCostsPage(input: unknown, context: PageContext): PageResult {
  const parsed = parsePage(costsPage, input, context, 'OpenAI costs page (GET /v1/organization/costs)');
  const records: ExportRecord[] = [];
  parsed.data.forEach((b, bucketIndex) => {
    const day = utcDay(seconds(b.start_time));
    b.results.forEach((result, resultIndex) => {
      requireUsd(result.amount.currency, context, ['data', bucketIndex, 'results', resultIndex, 'amount', 'currency']);
      const record: ExportRecord = { ...blankRecord('openai-costs', day), usd: result.amount.value };
      if (result.line_item !== null && result.line_item !== undefined) {
        const item = parseLineItem(result.line_item);
        if (item === null) record.unmetered = result.line_item;
        else {
          record.model = item.model;
          record.usdKind = item.kind;
        }
      }
      records.push(record);
    });
  });
  const bounds = bucketBounds(parsed.data.map((b) => ({ start: seconds(b.start_time), end: seconds(b.end_time) })));
  return { records, ...bounds, hasMore: parsed.has_more ?? null };
}

export function parseOpenAiUsagePage(input: unknown, context: PageContext): PageResult {
  const parsed = parsePage(usagePage, input, context, 'OpenAI completions usage page (GET /v1/organization/usage/completions)');
  const records: ExportRecord[] = [];
  for (const b of parsed.data) {
    const day = utcDay(seconds(b.start_time));
    for (const result of b.results) {
      const cached = Math.min(result.input_cached_tokens, result.input_tokens);
      records.push({
        ...blankRecord('openai-usage', day),
        model: result.model ?? null,
        apiKeyId: result.api_key_id ?? null,
        tokens: { input: result.input_tokens - cached, cacheRead: cached, cacheWrite5m: 0, cacheWrite1h: 0, output: result.output_tokens },
        requests: result.num_model_requests,
        serviceTier: result.batch === true ? 'batch' : (result.service_tier ?? null),
        audioTokens: result.input_audio_tokens + result.output_audio_tokens,
      });
    }
  }
  const bounds = bucketBounds(parsed.data.map((b) => ({ start: seconds(b.start_time), end: seconds(b.end_time) })));
  return { records, ...bounds, hasMore: parsed.has_more ?? null };
}
