/** Small number helpers shared by the comparison, the causes and the renderers. */
import { tokenKinds, type KindAmounts } from './types.js';

export const sumKinds = (amounts: KindAmounts): number => tokenKinds.reduce((sum, kind) => sum + amounts[kind], 0);

export const addKinds = (into: KindAmounts, add: KindAmounts): void => {
  for (const kind of tokenKinds) into[kind] += add[kind];
};

/** (ledger - export) / export; null when the export is 0 and the ledger is not (the drift is unbounded). */
export function relativeDrift(ledger: number, exported: number): number | null {
  if (exported === 0) return ledger === 0 ? 0 : null;
  return (ledger - exported) / exported;
}

/** Floating-point slack so that exactly-at-tolerance drifts count as within it. */
const EPSILON = 1e-9;

/** True when `ledger` is within `tolerance` (a fraction) of `exported`. */
export function withinTolerance(ledger: number, exported: number, tolerance: number): boolean {
  const drift = relativeDrift(ledger, exported);
  return drift !== null && Math.abs(drift) <= tolerance + EPSILON;
}

/** USD per million tokens; null without tokens. */
export const perMtok = (usd: number, tokens: number): number | null => (tokens > 0 ? (usd / tokens) * 1_000_000 : null);

export const roundTo = (value: number, digits: number): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};
