/**
 * Which requests a rate limit counts, and under which scope value. A dimension set to a value matches only that
 * value; `*` keeps one counter per distinct value. A request without a value for a scoped dimension (no user, no
 * session, ...) is not counted by that limit. `tags` entries work the same way on request tags (shown as `tag.<name>=<value>`, as budgets show them).
 */
import type { Call } from '../../pipeline/call.js';
import { scopeDimensions, type BudgetScope, type ScopeDimension } from '../../spec/config/governance-schema.js';

interface Condition {
  /** `team`, `user`, ... or `tag.<name>`. */
  label: string;
  read: (call: Call) => string | null;
  /** null = `*` (any value, counted apart). */
  value: string | null;
}

const readers: Record<ScopeDimension, (call: Call) => string | null> = {
  team: (call) => call.attribution.team,
  app: (call) => call.attribution.app,
  feature: (call) => call.attribution.feature,
  key: (call) => call.attribution.keyId,
  user: (call) => call.attribution.user,
  customer: (call) => call.attribution.customer,
  session: (call) => call.attribution.session,
  model: (call) => call.model,
};

/** Returns the scope value of a call (`user=u-42,feature=chat`, '' for a global limit), or null when it does not apply. */
export type ScopeMatcher = (call: Call) => string | null;

export function scopeMatcher(scope: BudgetScope): ScopeMatcher {
  const conditions: Condition[] = [];
  for (const dimension of scopeDimensions) {
    const wanted = scope[dimension];
    if (wanted !== undefined) conditions.push({ label: dimension, read: readers[dimension], value: wanted === '*' ? null : wanted });
  }
  for (const [tag, wanted] of Object.entries(scope.tags ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    conditions.push({ label: `tag.${tag}`, read: (call) => call.attribution.tags[tag] ?? null, value: wanted === '*' ? null : wanted });
  }
  if (conditions.length === 0) return () => '';
  return (call) => {
    let key = '';
    for (const condition of conditions) {
      const actual = condition.read(call);
      if (actual === null || (condition.value !== null && actual !== condition.value)) return null;
      key += `${key === '' ? '' : ','}${condition.label}=${actual}`;
    }
    return key;
  };
}
