/**
 * What a budget does at its limit, apart from counting: the block error, and the request changes of a cap.
 */
import type { Call } from '../../pipeline/call.js';
import { GatewayError } from '../../spec/errors.js';
import type { Line } from './budget-counters.js';

/** Strictness when several budgets refuse the same call: the strictest action wins. */
export const actionRank = { block: 3, downgrade: 2, cap: 1, shadow: 0 } as const;

const money = (usd: number): string => `$${usd.toFixed(usd >= 1 ? 2 : 6).replace(/(\.\d\d\d*?)0+$/, '$1')}`;
const amountText = (line: Line, value: number): string => (line.unit === 'usd' ? money(value) : `${Math.round(value)} tokens`);

/** When the budget has room again: the period's end; for a rolling window, when its oldest spending bucket leaves it. */
export function resetAt(line: Line, oldestBucket: number | null): number | null {
  const covered = line.covered;
  if (covered.rolling !== null) {
    const windowMs = covered.rolling.bucketMs * covered.rolling.starts.length;
    return (oldestBucket ?? covered.rolling.starts[0] ?? 0) + windowMs;
  }
  return covered.period.end === Infinity ? null : covered.period.end;
}

/**
 * The 429 of a block: names the budget, its limit, what is spent (reservations of calls in flight included), what this
 * call could cost, and when the period resets (retry-after in seconds; none for a lifetime budget).
 */
export function budgetExceeded(options: { line: Line; resetAt: number | null; now: number }): GatewayError {
  const { line } = options;
  const config = line.covered.config;
  const scope = line.covered.scope === '' ? '' : ` for ${line.covered.scope}`;
  const period = config.period === 'rolling' ? `the rolling ${Math.round((config.window ?? 0) / 1000)}s window` : config.period === 'lifetime' ? 'its lifetime' : `this ${config.period.replace(/ly$/, '').replace(/^dai$/, 'day')} period`;
  const reset = options.resetAt === null ? 'It does not reset (lifetime budget).' : `It resets at ${new Date(options.resetAt).toISOString()}.`;
  const headers: Record<string, string> = { 'x-jevons-budget': config.name };
  if (options.resetAt !== null) headers['retry-after'] = String(Math.max(1, Math.ceil((options.resetAt - options.now) / 1000)));
  return new GatewayError({
    code: 'budget_exceeded',
    message: `Budget "${config.name}"${scope} is exhausted: ${amountText(line, line.spent)} spent of its ${amountText(line, line.limit)} limit in ${period}, and this request could cost up to ${amountText(line, line.amount)}. ${reset}`,
    headers,
    details: {
      budget: config.name,
      scope: line.covered.scope,
      period: config.period,
      unit: line.unit,
      limit: line.limit,
      spent: line.spent,
      requested: line.amount,
      reset_at: options.resetAt === null ? null : new Date(options.resetAt).toISOString(),
    },
  });
}

/** The request field that bounds output, in the caller's dialect (OpenAI: the one the caller used). */
export function maxOutputField(call: Call): string {
  if (call.dialect === 'anthropic') return 'max_tokens';
  if (call.body.max_completion_tokens != null) return 'max_completion_tokens';
  return call.body.max_tokens != null ? 'max_tokens' : 'max_completion_tokens';
}

const efforts = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;
/** Anthropic thinking budget per effort level (the smallest Anthropic accepts is 1,024). */
const thinkingBudgets = { minimal: 1_024, low: 4_096, medium: 16_384 } as const;
export type CapEffort = keyof typeof thinkingBudgets;

/**
 * Body overrides that lower the output limit to `maxTokens` and, when `effort` is given, the reasoning effort: OpenAI
 * `reasoning_effort` when the request sets a stronger one; Anthropic `thinking.budget_tokens` (kept below max_tokens as
 * Anthropic requires; thinking is disabled when that leaves less than the 1,024 minimum).
 */
export function capOverrides(call: Call, maxTokens: number, effort: CapEffort | undefined): { overrides: Record<string, unknown>; changes: string[] } {
  const field = maxOutputField(call);
  const overrides: Record<string, unknown> = { ...call.bodyOverrides, [field]: maxTokens };
  const changes = [`${field}=${maxTokens}`];
  if (call.dialect === 'openai') {
    const current = call.body.reasoning_effort;
    if (effort !== undefined && typeof current === 'string' && efforts.indexOf(current as (typeof efforts)[number]) > efforts.indexOf(effort)) {
      overrides.reasoning_effort = effort;
      changes.push(`reasoning_effort=${effort}`);
    }
    return { overrides, changes };
  }
  const thinking = call.body.thinking;
  if (typeof thinking === 'object' && thinking !== null && (thinking as Record<string, unknown>).type === 'enabled') {
    const current = Number((thinking as Record<string, unknown>).budget_tokens);
    const wanted = Math.min(Number.isFinite(current) ? current : Infinity, effort === undefined ? Infinity : thinkingBudgets[effort], maxTokens - 1);
    if (wanted < 1_024) {
      overrides.thinking = { type: 'disabled' };
      changes.push('thinking=disabled');
    } else if (wanted < current) {
      overrides.thinking = { ...(thinking as Record<string, unknown>), budget_tokens: wanted };
      changes.push(`thinking.budget_tokens=${wanted}`);
    }
  }
  return { overrides, changes };
}
