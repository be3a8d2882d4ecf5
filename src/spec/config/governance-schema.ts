/**
 * The governance part of `jevons.yaml`: budgets, alert delivery, rate limits and agent circuit breakers. Strict like
 * the rest of the schema; every key is documented in docs/config.md and docs/governance.md.
 */
import { z } from 'zod';

const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `500ms`, `30s`, `10m`, `24h`, `7d`, `2w` → milliseconds. */
export const duration = z
  .string()
  .regex(/^\d+(\.\d+)?(ms|s|m|h|d|w)$/, 'expected a duration such as 30s, 10m, 24h or 7d')
  .transform((text) => {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text);
    return Number(match?.[1]) * (units[match?.[2] ?? 'ms'] ?? 1);
  })
  .refine((ms) => ms > 0, 'must be longer than 0');

/** The attribution dimensions a budget or limit can be scoped by. */
export const scopeDimensions = ['team', 'app', 'feature', 'key', 'user', 'customer', 'session', 'model'] as const;
export type ScopeDimension = (typeof scopeDimensions)[number];

/**
 * Which requests a budget covers: every dimension given must match (a value, or `*` = one budget per distinct value).
 * `tags` matches request tags the same way. Empty or absent = global.
 */
const scopeSchema = z
  .object({
    ...Object.fromEntries(scopeDimensions.map((dimension) => [dimension, z.string().min(1).optional()])),
    tags: z.record(z.string().min(1), z.string().min(1)).optional(),
  } as Record<ScopeDimension, z.ZodOptional<z.ZodString>> & { tags: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodString>> })
  .strict();
export type BudgetScope = z.output<typeof scopeSchema>;

const fraction = z.number().gt(0).lte(1);

export const budgetPeriods = ['hourly', 'daily', 'weekly', 'monthly', 'rolling', 'lifetime'] as const;

const budgetSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, ".", "-" and "_"'),
    scope: scopeSchema.default({}),
    period: z.enum(budgetPeriods),
    /** Rolling window length (period: rolling only). */
    window: duration.optional(),
    /** IANA time zone of calendar periods (default UTC); weeks start on Monday. */
    timezone: z.string().default('UTC'),
    limit_usd: z.number().positive().optional(),
    limit_tokens: z.number().int().positive().optional(),
    /** block: 429 naming the budget; downgrade: serve with downgrade_to; cap: lower max output; shadow: allow and record. */
    action: z.enum(['block', 'downgrade', 'cap', 'shadow']).default('block'),
    downgrade_to: z.string().min(1).optional(),
    cap_max_tokens: z.number().int().positive().optional(),
    cap_reasoning_effort: z.enum(['minimal', 'low', 'medium']).optional(),
    /** Alert thresholds as fractions of the limit, each fired once per period. */
    alerts: z.array(fraction).default([0.7, 0.9]),
    /** Alert when the burn rate of the period so far would exhaust the limit before the period ends. */
    forecast_alert: z.boolean().default(true),
  })
  .strict()
  .superRefine((budget, context) => {
    if (budget.limit_usd === undefined && budget.limit_tokens === undefined) context.addIssue({ code: 'custom', path: ['limit_usd'], message: 'a budget needs limit_usd, limit_tokens or both' });
    if (budget.period === 'rolling' && budget.window === undefined) context.addIssue({ code: 'custom', path: ['window'], message: 'required when period is rolling' });
    if (budget.period !== 'rolling' && budget.window !== undefined) context.addIssue({ code: 'custom', path: ['window'], message: 'only for period: rolling' });
    if (budget.action === 'downgrade' && budget.downgrade_to === undefined) context.addIssue({ code: 'custom', path: ['downgrade_to'], message: 'required when action is downgrade' });
    if (budget.action === 'cap' && budget.cap_max_tokens === undefined && budget.cap_reasoning_effort === undefined) {
      context.addIssue({ code: 'custom', path: ['cap_max_tokens'], message: 'action cap needs cap_max_tokens or cap_reasoning_effort' });
    }
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: budget.timezone });
    } catch {
      context.addIssue({ code: 'custom', path: ['timezone'], message: `unknown time zone "${budget.timezone}" (use an IANA name such as Europe/Paris)` });
    }
  });

const webhookSchema = z
  .object({
    url: z.url(),
    /** json: the alert event as JSON; slack: a Slack-compatible `{ text, blocks }` body. */
    format: z.enum(['json', 'slack']).default('json'),
    /** Environment variable holding a bearer token sent as Authorization. */
    token_env: z.string().optional(),
    timeout_ms: z.number().int().positive().default(5_000),
  })
  .strict();

const rateLimitSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, ".", "-" and "_"'),
    /** Counted per distinct value of this dimension (`*`), or for one value. */
    scope: scopeSchema.default({}),
    requests_per_minute: z.number().int().positive().optional(),
    tokens_per_minute: z.number().int().positive().optional(),
    usd_per_hour: z.number().positive().optional(),
  })
  .strict()
  .superRefine((limit, context) => {
    if (limit.requests_per_minute === undefined && limit.tokens_per_minute === undefined && limit.usd_per_hour === undefined) {
      context.addIssue({ code: 'custom', path: ['requests_per_minute'], message: 'a rate limit needs requests_per_minute, tokens_per_minute or usd_per_hour' });
    }
  });

const breakerSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, ".", "-" and "_"'),
    /** What identifies a session: the x-jevons-session header (default), or the virtual key. */
    session_from: z.enum(['session', 'key']).default('session'),
    /** Limits over the whole session, or over a sliding window when set. */
    window: duration.optional(),
    max_cost_usd: z.number().positive().optional(),
    max_calls: z.number().int().positive().optional(),
    max_duration: duration.optional(),
    /** The same request repeated `count` times within `within`. */
    retry_cap: z.object({ count: z.number().int().min(2), within: duration }).strict().optional(),
    loops: z
      .object({
        /** Identical consecutive requests (same messages, tools and parameters). */
        identical_requests: z.number().int().min(2).default(3),
        /** Near-identical consecutive requests (similarity of the conversation's new content, 0-1). */
        similar_requests: z.object({ count: z.number().int().min(2).default(4), similarity: fraction.default(0.95) }).strict().prefault({}),
        /** The same tool called with the same arguments this many times in a session. */
        repeated_tool_call: z.number().int().min(2).default(3),
        /** A cycle of tool calls (A -> B -> A -> B) repeated this many times. */
        tool_cycle_repeats: z.number().int().min(2).default(3),
        /** Assistant turns that repeat an earlier one (no progress), this many in a row. */
        no_progress: z.number().int().min(2).default(3),
      })
      .strict()
      .prefault({}),
    action: z.enum(['block', 'warn', 'shadow']).default('block'),
  })
  .strict();

export const governanceSchemas = {
  budgets: z.array(budgetSchema).default([]),
  alerts: z.object({ webhooks: z.array(webhookSchema).default([]) }).strict().prefault({}),
  rate_limits: z.array(rateLimitSchema).default([]),
  breakers: z.array(breakerSchema).default([]),
};

export type BudgetConfig = z.output<typeof budgetSchema>;
export type RateLimitConfig = z.output<typeof rateLimitSchema>;
export type BreakerConfig = z.output<typeof breakerSchema>;
export type WebhookConfig = z.output<typeof webhookSchema>;
