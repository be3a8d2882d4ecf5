/**
 * Which budgets cover a call, and under which scope value. A budget's scope lists attribution dimensions (and tags);
 * each must match: a fixed value equals the call's, `*` makes one budget per distinct value (a call without a value
 * for that dimension is not covered). An empty scope is global.
 */
import type { Call } from '../../pipeline/call.js';
import type { BudgetConfig, ScopeDimension } from '../../spec/config/governance-schema.js';
import { scopeDimensions } from '../../spec/config/governance-schema.js';
import type { SpendQuery } from '../../spec/governance.js';

/** The call's value of a dimension (`key` is the virtual key id, `model` the model name the caller asked for). */
export function dimensionValue(call: Call, dimension: ScopeDimension): string | null {
  const attribution = call.attribution;
  switch (dimension) {
    case 'key':
      return attribution.keyId;
    case 'model':
      return call.model;
    default:
      return attribution[dimension];
  }
}

export interface ScopedBudget {
  /** Dimensions in the canonical order of scopeDimensions, with the configured value (`*` or a value). */
  dimensions: ReadonlyArray<readonly [ScopeDimension, string]>;
  /** Tag names (sorted) with the configured value. */
  tags: ReadonlyArray<readonly [string, string]>;
}

export function scopeOf(config: BudgetConfig): ScopedBudget {
  const scope = config.scope;
  const dimensions = scopeDimensions.flatMap((dimension) => {
    const value = scope[dimension];
    return value === undefined ? [] : [[dimension, value] as const];
  });
  const tags = Object.entries(scope.tags ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { dimensions, tags };
}

/** The scope value of a covered call: `team=search,user=u-42,tag.env=prod` ('' for a global budget). */
export interface ScopeMatch {
  scope: string;
  match: SpendQuery['match'];
}

/** The scope value of the call for this budget, or null when the budget does not cover the call. */
export function matchScope(budget: ScopedBudget, call: Call): ScopeMatch | null {
  if (budget.dimensions.length === 0 && budget.tags.length === 0) return { scope: '', match: {} };
  const parts: string[] = [];
  const match: SpendQuery['match'] = {};
  for (const [dimension, wanted] of budget.dimensions) {
    const value = dimensionValue(call, dimension);
    if (value === null || (wanted !== '*' && value !== wanted)) return null;
    parts.push(`${dimension}=${value}`);
    match[dimension] = value;
  }
  if (budget.tags.length > 0) {
    const tags: Record<string, string> = {};
    for (const [name, wanted] of budget.tags) {
      const value = call.attribution.tags[name];
      if (value === undefined || (wanted !== '*' && value !== wanted)) return null;
      parts.push(`tag.${name}=${value}`);
      tags[name] = value;
    }
    match.tags = tags;
  }
  return { scope: parts.join(','), match };
}
