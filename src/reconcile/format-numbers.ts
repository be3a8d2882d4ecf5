/** Number formats of the reconcile report. */

export const formatTokens = (value: number): string => Math.round(value).toLocaleString('en-US');

export function formatUsd(value: number): string {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  if (abs === 0) return '$0';
  if (abs < 0.01) return `${sign}$${abs.toFixed(6)}`;
  return `${sign}$${abs.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 })}`;
}

export const formatPerMtok = (value: number | null): string => (value === null ? 'n/a' : `$${value.toFixed(value < 1 ? 4 : 2)}/Mtok`);

/** +1.25% / -40.00%; "n/a" when the export has nothing and the ledger has something (unbounded drift). */
export function formatDrift(drift: number | null): string {
  if (drift === null) return 'n/a';
  const pct = drift * 100;
  if (Math.abs(pct) < 0.005) return '0.00%';
  const text = Math.abs(pct) >= 1000 ? pct.toFixed(0) : pct.toFixed(2);
  return `${pct > 0 ? '+' : ''}${text}%`;
}
