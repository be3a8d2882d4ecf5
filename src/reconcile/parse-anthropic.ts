/**
 * Anthropic Admin API reports. Buckets are `{ starting_at, ending_at, results }` with RFC 3339 times (UTC; daily with
 * bucket_width=1d); pages are `{ data: [bucket], has_more, next_page }`. Schemas are lenient: fields this comparison
 * does not use are ignored, and the fields that are null unless grouped by them are nullable.
 */
import { z } from 'zod';
import type { ExportRecord, TokenKind } from './types.js';
import { blankRecord, bucketBounds, count, optionalCount, parsePage, requireUsd, rfc3339, utcDay, type PageContext, type PageResult } from './page-result.js';

const bucket = <T extends z.ZodType>(result: T) =>
  z.object({
    starting_at: rfc3339,
    ending_at: rfc3339,
    results: z.array(result),
  });

const page = <T extends z.ZodType>(result: T) =>
  z.object({
    data: z.array(bucket(result)),
    has_more: z.boolean().nullish(),
    next_page: z.string().nullish(),
  });

/**
 * Messages usage report, `GET /v1/organizations/usage_report/messages`:
 * https://docs.anthropic.com/en/api/admin-api/usage-cost/get-messages-usage-report
 * `uncached_input_tokens`, `cache_read_input_tokens`, `cache_creation.{ephemeral_5m_input_tokens,
 * ephemeral_1h_input_tokens}` and `output_tokens` are disjoint, like the ledger's columns. `api_key_id`,
 * `workspace_id`, `model`, `service_tier` ("standard", "batch", "priority", ...) and `context_window` ("0-200k",
 * "200k-1M") are null unless grouped by them.
 */
const usageResult = z.object({
  uncached_input_tokens: count,
  cache_creation: z
    .object({ ephemeral_5m_input_tokens: optionalCount, ephemeral_1h_input_tokens: optionalCount })
    .nullish(),
  cache_read_input_tokens: optionalCount,
  output_tokens: count,
  api_key_id: z.string().nullish(),
  workspace_id: z.string().nullish(),
  model: z.string().nullish(),
  service_tier: z.string().nullish(),
  context_window: z.string().nullish(),
});
const usagePage = page(usageResult);

/**
 * Cost report, `GET /v1/organizations/cost_report`: https://docs.anthropic.com/en/api/admin-api/usage-cost/get-cost-report
 * `amount` is a decimal STRING in the currency's lowest units: "123.45" in "USD" is $1.2345 (cents), so it is
 * divided by 100. `description`, `cost_type` ("tokens", "web_search", "code_execution", "session_usage"),
 * `model`, `token_type`, `service_tier` and `context_window` are null unless grouped by description.
 */
const costResult = z.object({
  currency: z.string(),
  amount: z.union([z.string().regex(/^-?\d+(\.\d+)?$/, 'expected a decimal string (lowest currency units, e.g. cents)').transform(Number), z.number()]),
  workspace_id: z.string().nullish(),
  description: z.string().nullish(),
  cost_type: z.string().nullish(),
  context_window: z.string().nullish(),
  model: z.string().nullish(),
  service_tier: z.string().nullish(),
  token_type: z.string().nullish(),
});
const costPage = page(costResult);

const tokenTypeKinds: Readonly<Record<string, TokenKind>> = {
  uncached_input_tokens: 'input',
  cache_read_input_tokens: 'cacheRead',
  'cache_creation.ephemeral_5m_input_tokens': 'cacheWrite',
  'cache_creation.ephemeral_1h_input_tokens': 'cacheWrite',
  output_tokens: 'output',
};

const boundsOf = (buckets: ReadonlyArray<{ starting_at: string; ending_at: string }>) =>
  bucketBounds(buckets.map((b) => ({ start: Date.parse(b.starting_at), end: Date.parse(b.ending_at) })));

export function parseAnthropicUsagePage(input: unknown, context: PageContext): PageResult {
  const parsed = parsePage(usagePage, input, context, 'Anthropic usage report page (GET /v1/organizations/usage_report/messages)');
  const records: ExportRecord[] = [];
  for (const b of parsed.data) {
    const day = utcDay(Date.parse(b.starting_at));
    for (const result of b.results) {
      records.push({
        ...blankRecord('anthropic-usage', day),
        model: result.model ?? null,
        apiKeyId: result.api_key_id ?? null,
        tokens: {
          input: result.uncached_input_tokens,
          cacheRead: result.cache_read_input_tokens,
          cacheWrite5m: result.cache_creation?.ephemeral_5m_input_tokens ?? 0,
          cacheWrite1h: result.cache_creation?.ephemeral_1h_input_tokens ?? 0,
          output: result.output_tokens,
        },
        serviceTier: result.service_tier ?? null,
        contextWindow: result.context_window ?? null,
      });
    }
  }
  return { records, ...boundsOf(parsed.data), hasMore: parsed.has_more ?? null };
}

export function parseAnthropicCostPage(input: unknown, context: PageContext): PageResult {
  const parsed = parsePage(costPage, input, context, 'Anthropic cost report page (GET /v1/organizations/cost_report)');
  const records: ExportRecord[] = [];
  parsed.data.forEach((b, bucketIndex) => {
    const day = utcDay(Date.parse(b.starting_at));
    b.results.forEach((result, resultIndex) => {
      requireUsd(result.currency, context, ['data', bucketIndex, 'results', resultIndex, 'currency']);
      const record: ExportRecord = {
        ...blankRecord('anthropic-cost', day),
        usd: result.amount / 100,
        serviceTier: result.service_tier ?? null,
        contextWindow: result.context_window ?? null,
      };
      const costType = result.cost_type ?? null;
      if (costType !== null && costType !== 'tokens') record.unmetered = result.description ?? costType;
      else if (result.model) {
        record.model = result.model;
        record.usdKind = result.token_type ? (tokenTypeKinds[result.token_type] ?? null) : null;
      } else if (costType === 'tokens') record.unmetered = result.description ?? 'tokens (no model)';
      records.push(record);
    });
  });
  return { records, ...boundsOf(parsed.data), hasMore: parsed.has_more ?? null };
}
