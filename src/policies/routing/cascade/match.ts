/**
 * Whether a call matches `routing.cascade.match`: every field given must match (feature, key name or id, team, tags,
 * one header, requested model); an absent match covers every call.
 */
import type { Call } from '../../../pipeline/call.js';
import type { RoutingMatch } from '../../../spec/config/routing-schema.js';

export function matchesCall(match: RoutingMatch | undefined, call: Call): boolean {
  if (match === undefined) return true;
  const attribution = call.attribution;
  if (match.feature !== undefined && attribution.feature !== match.feature) return false;
  if (match.team !== undefined && attribution.team !== match.team) return false;
  if (match.key !== undefined && call.key?.name !== match.key && call.key?.id !== match.key) return false;
  if (match.model !== undefined && call.model !== match.model) return false;
  if (match.tags !== undefined) {
    for (const [name, value] of Object.entries(match.tags)) if (attribution.tags[name] !== value) return false;
  }
  if (match.header !== undefined) {
    const value = call.headers[match.header.name.toLowerCase()];
    if ((Array.isArray(value) ? value.join(', ') : value) !== match.header.value) return false;
  }
  return true;
}
