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

type ScopeNode = Map<string, ScopeNode | ScopeMatch>;

/** Distinct scope values a resolver remembers; past this the memo starts again. */
const RESOLVER_LIMIT = 10_000;

/**
 * matchScope remembered per combination of the call's values for the rule's `*` dimensions and tags: every call with
 * the same values gets the same ScopeMatch (same scope string, so map lookups keyed by it hash it once), with no
 * string built per call. The returned object is shared: callers must not change it.
 */
export function scopeResolver(rule: ScopedRule): (call: Call) => ScopeMatch | null {
  const wildcards = rule.dimensions.filter(([, wanted]) => wanted === '*').length + rule.tags.filter(([, wanted]) => wanted === '*').length;
  let root: ScopeNode = new Map();
  let size = 0;
  let fixed: ScopeMatch | null = null;

  return (call) => {
    let node: ScopeNode | ScopeMatch | undefined = root;
    for (const [dimension, wanted] of rule.dimensions) {
      const value = dimensionValue(call, dimension);
      if (value === null || (wanted !== '*' && value !== wanted)) return null;
      if (wanted === '*') node = node instanceof Map ? node.get(value) : undefined;
    }
    for (const [name, wanted] of rule.tags) {
      const value = call.attribution.tags[name];
      if (value === undefined || (wanted !== '*' && value !== wanted)) return null;
      if (wanted === '*') node = node instanceof Map ? node.get(value) : undefined;
    }
    if (wildcards === 0) return (fixed ??= matchScope(rule, call));
    if (node !== undefined && !(node instanceof Map)) return node;
    const match = matchScope(rule, call);
    if (match === null) return null;
    if (size >= RESOLVER_LIMIT) {
      root = new Map();
      size = 0;
    }
    size += 1;
    remember(root, rule, call, match);
    return match;
  };
}

/** Stores a match at the path of its wildcard values (creating the levels a reset memo lost). */
function remember(root: ScopeNode, rule: ScopedRule, call: Call, match: ScopeMatch): void {
  const values: string[] = [];
  for (const [dimension, wanted] of rule.dimensions) if (wanted === '*') values.push(dimensionValue(call, dimension) ?? '');
  for (const [name, wanted] of rule.tags) if (wanted === '*') values.push(call.attribution.tags[name] ?? '');
  let node = root;
  for (let index = 0; index < values.length - 1; index += 1) {
    const value = values[index] as string;
    const found = node.get(value);
    if (found instanceof Map) node = found;
    else {
      const child: ScopeNode = new Map();
      node.set(value, child);
      node = child;
    }
  }
  node.set(values[values.length - 1] as string, match);
}
