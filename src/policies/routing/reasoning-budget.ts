/**
 * Reasoning budgets per tier (routing.tiers[].reasoning), written as body overrides in the CALLER's dialect: the
 * dispatcher merges them into the forwarded body, or parses them into the canonical request when it translates, so
 * a Gemini (thinkingBudget) or cross-dialect target gets the same budget through the canonical `reasoning` field.
 *
 * - OpenAI `reasoning_effort`: set when absent (from `effort`, or `max_thinking_tokens` when `enable_thinking`),
 *   lowered when the caller asked for more than the tier allows; never raised.
 * - Anthropic `thinking.budget_tokens`: capped at `max_thinking_tokens` (or the budget of `effort`), never below 1,024
 *   (Anthropic's minimum); a cap of 0 turns thinking off. Set when absent only with `enable_thinking`, and kept below
 *   `max_tokens` as Anthropic requires. Adaptive thinking's `output_config.effort` is lowered like OpenAI's.
 * - `budget_instruction` (off by default): a TALE-style instruction ("use less than N tokens") appended to the system
 *   prompt of calls that reason after the overrides.
 */
import type { Dialect, ReasoningEffort } from '../../spec/canonical.js';
import type { TierConfig } from '../../spec/config/routing-schema.js';

export type ReasoningBudget = NonNullable<TierConfig['reasoning']>;

/** Effort scale across both dialects (OpenAI none..xhigh, Anthropic low..max). */
const effortRank: Readonly<Record<string, number>> = { none: 0, minimal: 1, low: 2, medium: 3, high: 4, xhigh: 5, max: 6 };
/** Thinking tokens per effort: the bands the translators use (providers/anthropic effortBudgets, ≤ 2,048 low, ≤ 8,192 medium). */
const effortBudgets: Readonly<Record<ReasoningEffort, number>> = { minimal: 1024, low: 2048, medium: 8192, high: 16384 };
/** https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking: budget_tokens ≥ 1,024 and < max_tokens. */
export const ANTHROPIC_MIN_THINKING = 1024;

/** The effort band that spends about `tokens` thinking tokens (same bands as the translators). */
export function effortForTokens(tokens: number): ReasoningEffort {
  if (tokens <= 0) return 'minimal';
  if (tokens <= 2048) return 'low';
  if (tokens <= 8192) return 'medium';
  return 'high';
}

const lower = (a: ReasoningEffort, b: ReasoningEffort): ReasoningEffort => ((effortRank[a] ?? 0) <= (effortRank[b] ?? 0) ? a : b);

/** The highest effort the tier allows: `effort` and the band of `max_thinking_tokens`, whichever is lower. */
function effortCap(budget: ReasoningBudget): ReasoningEffort | undefined {
  const band = budget.max_thinking_tokens === undefined ? undefined : effortForTokens(budget.max_thinking_tokens);
  if (budget.effort === undefined) return band;
  return band === undefined ? budget.effort : lower(budget.effort, band);
}

/** The most thinking tokens the tier allows, or undefined when it sets no limit. */
function tokenCap(budget: ReasoningBudget): number | undefined {
  return budget.max_thinking_tokens ?? (budget.effort === undefined ? undefined : effortBudgets[budget.effort]);
}

const record = (value: unknown): Record<string, unknown> | null => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null);

function openaiOverrides(body: Record<string, unknown>, budget: ReasoningBudget): Record<string, unknown> {
  const cap = effortCap(budget);
  if (cap === undefined) return {};
  const asked = body.reasoning_effort;
  if (typeof asked === 'string') return (effortRank[asked] ?? effortRank.high ?? 0) > (effortRank[cap] ?? 0) ? { reasoning_effort: cap } : {};
  if (asked === undefined || asked === null) return budget.effort !== undefined || budget.enable_thinking ? { reasoning_effort: cap } : {};
  return {};
}

function anthropicOverrides(body: Record<string, unknown>, budget: ReasoningBudget): Record<string, unknown> {
  const thinking = record(body.thinking);
  const cap = tokenCap(budget);
  if (thinking?.type === 'enabled') {
    const asked = typeof thinking.budget_tokens === 'number' ? thinking.budget_tokens : undefined;
    if (cap === undefined || asked === undefined || asked <= cap) return {};
    return cap <= 0 ? { thinking: { type: 'disabled' } } : { thinking: { ...thinking, budget_tokens: Math.max(ANTHROPIC_MIN_THINKING, cap) } };
  }
  if (thinking?.type === 'adaptive') {
    const config = record(body.output_config);
    const wanted = effortCap(budget);
    const asked = typeof config?.effort === 'string' ? config.effort : 'high';
    if (wanted === undefined || (effortRank[asked] ?? 0) <= (effortRank[wanted] ?? 0)) return {};
    return { output_config: { ...config, effort: wanted === 'minimal' ? 'low' : wanted } };
  }
  if (!budget.enable_thinking || (thinking !== null && thinking.type !== 'disabled') || cap === 0) return {};
  const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : 0;
  const wanted = Math.max(ANTHROPIC_MIN_THINKING, cap ?? effortBudgets.medium);
  const fitted = Math.min(wanted, maxTokens - 1);
  return fitted < ANTHROPIC_MIN_THINKING ? {} : { thinking: { type: 'enabled', budget_tokens: fitted } };
}

/** The thinking tokens a call reasons with once `overrides` apply, or null when it does not reason. */
function reasoningTokens(dialect: Dialect, merged: Record<string, unknown>): number | null {
  if (dialect === 'openai') {
    const effort = merged.reasoning_effort;
    return typeof effort === 'string' && effort !== 'none' && effort in effortBudgets ? (effortBudgets[effort as ReasoningEffort] ?? null) : null;
  }
  const thinking = record(merged.thinking);
  return thinking?.type === 'enabled' && typeof thinking.budget_tokens === 'number' ? thinking.budget_tokens : null;
}

/** TALE (Han et al., 2024, "Token-Budget-Aware LLM Reasoning"): state the budget in the prompt. */
export const budgetInstruction = (tokens: number): string => `Let's think step by step and use less than ${tokens} tokens.`;

function instructionOverrides(dialect: Dialect, merged: Record<string, unknown>, tokens: number): Record<string, unknown> {
  const text = budgetInstruction(tokens);
  if (dialect === 'anthropic') {
    const system = merged.system;
    if (typeof system === 'string' && system !== '') return { system: `${system}\n\n${text}` };
    if (Array.isArray(system)) return { system: [...(system as unknown[]), { type: 'text', text }] };
    return { system: text };
  }
  const messages = Array.isArray(merged.messages) ? (merged.messages as unknown[]) : [];
  return { messages: [{ role: 'system', content: text }, ...messages] };
}

/**
 * The body fields (caller's dialect) that apply a tier's reasoning budget, merged over `existing` overrides; null
 * when nothing changes. Pure.
 */
export function reasoningOverrides(options: { dialect: Dialect; body: Record<string, unknown>; existing: Record<string, unknown> | null; budget: ReasoningBudget }): Record<string, unknown> | null {
  const { dialect, budget } = options;
  const merged = options.existing === null ? options.body : { ...options.body, ...options.existing };
  let changes = dialect === 'openai' ? openaiOverrides(merged, budget) : anthropicOverrides(merged, budget);
  if (budget.budget_instruction) {
    const after = { ...merged, ...changes };
    const tokens = reasoningTokens(dialect, after);
    if (tokens !== null) changes = { ...changes, ...instructionOverrides(dialect, after, Math.min(tokens, tokenCap(budget) ?? tokens)) };
  }
  if (Object.keys(changes).length === 0) return null;
  return { ...options.existing, ...changes };
}
