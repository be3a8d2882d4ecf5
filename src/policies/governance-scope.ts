/**
 * Which calls a budget or a rate limit covers, and under which scope value. A scope lists attribution dimensions (and
 * tags); each must match: a fixed value equals the call's, `*` keeps one budget / counter per distinct value (a call
 * without a value for that dimension is not covered). An empty scope is global.
 */
import type { Call } from '../pipeline/call.js';
import type { BudgetScope, ScopeDimension } from '../spec/config/governance-schema.js';
import { scopeDimensions } from '../spec/config/governance-schema.js';
import type { SpendQuery } from '../spec/governance.js';

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

export interface ScopedRule {
  /** Dimensions in the canonical order of scopeDimensions, with the configured value (`*` or a value). */
  dimensions: ReadonlyArray<readonly [ScopeDimension, string]>;
  /** Tag names (sorted) with the configured value. */
  tags: ReadonlyArray<readonly [string, string]>;
}

export function scopeOf(scope: BudgetScope): ScopedRule {
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

/** The scope value of the call for this budget or limit, or null when it does not cover the call. */
export function matchScope(rule: ScopedRule, call: Call): ScopeMatch | null {
  if (rule.dimensions.length === 0 && rule.tags.length === 0) return { scope: '', match: {} };
  const parts: string[] = [];
  const match: SpendQuery['match'] = {};
  for (const [dimension, wanted] of rule.dimensions) {
    const value = dimensionValue(call, dimension);
    if (value === null || (wanted !== '*' && value !== wanted)) return null;
    parts.push(`${dimension}=${value}`);
    match[dimension] = value;
  }
  if (rule.tags.length > 0) {
    const tags: Record<string, string> = {};
    for (const [name, wanted] of rule.tags) {
      const value = call.attribution.tags[name];
      if (value === undefined || (wanted !== '*' && value !== wanted)) return null;
      parts.push(`tag.${name}=${value}`);
      tags[name] = value;
    }
    match.tags = tags;
  }
  return { scope: parts.join(','), match };
}
