/**
 * The likely causes of a gap in one cell (day x model [x key]), most likely first, each with its numbers.
 *
 * Ledger short of the export (or the export has the cell alone):
 *   1. unpriced  — dollars only: ledger rows without a price carry tokens but no cost;
 *   2. bypassed  — the export has tokens the ledger lacks (beyond the tolerance), or
 *      price       — the tokens agree but the dollars do not (implied per-Mtok price vs the one Jevons used).
 *      Without export tokens (a cost export alone) the token kinds decide: when some kinds' dollars agree and
 *      others do not, the same traffic was priced differently (price first); when every kind is short, traffic
 *      is missing (bypassed first);
 *   3. estimated — ledger rows whose usage was estimated.
 * Ledger above the export: only-in-ledger (traffic the export lacks) or price, by the same token rules; estimated
 * first when the estimated tokens alone cover the excess. A cell within tolerance keeps its unpriced / estimated
 * rows as information, and a usage export also checks its catalog dollars (price) without failing on them.
 */
import { perMtok, roundTo, sumKinds, withinTolerance } from './amounts.js';
import { formatPerMtok, formatTokens, formatUsd } from './format-numbers.js';
import { tokenKinds, type ExportSide, type Finding, type KindAmounts, type LedgerSide, type Measure, type TokenKind } from './types.js';

export interface DiagnoseInput {
  measure: Measure;
  /** Max drift as a fraction (1% = 0.01). */
  tolerance: number;
  export: ExportSide;
  ledger: LedgerSide;
  exportAmount: number;
  ledgerAmount: number;
  ok: boolean;
}

const kindLabel: Record<TokenKind, string> = { input: 'input', cacheRead: 'cache read', cacheWrite: 'cache write', output: 'output' };

const byKindText = (amounts: KindAmounts, format: (n: number) => string): string =>
  tokenKinds.filter((kind) => amounts[kind] !== 0).map((kind) => `${kindLabel[kind]} ${format(amounts[kind])}`).join(', ');

const kindDiff = (a: KindAmounts, b: KindAmounts): KindAmounts => ({
  input: a.input - b.input,
  cacheRead: a.cacheRead - b.cacheRead,
  cacheWrite: a.cacheWrite - b.cacheWrite,
  output: a.output - b.output,
});

function unpricedFinding(ledger: LedgerSide, valueUsd: number | null): Finding {
  const value = valueUsd === null ? '' : ` (about ${formatUsd(valueUsd)} at the export's prices)`;
  return {
    cause: 'unpriced',
    detail: `${ledger.unpricedRows} ledger row(s) have no price: their ${formatTokens(ledger.unpricedTokens)} tokens carry no cost in the ledger${value}`,
    numbers: { unpricedRows: ledger.unpricedRows, unpricedTokens: ledger.unpricedTokens, estimatedValueUsd: valueUsd },
  };
}

function estimatedFinding(ledger: LedgerSide): Finding {
  return {
    cause: 'estimated',
    detail: `${ledger.estimatedRows} ledger row(s) have estimated usage (stream cut off before the provider's count): ${formatTokens(ledger.estimatedTokens)} tokens`,
    numbers: { estimatedRows: ledger.estimatedRows, estimatedTokens: ledger.estimatedTokens },
  };
}

function bypassedFinding(input: DiagnoseInput): Finding {
  const { export: exp, ledger } = input;
  const missingUsd = exp.usd === null ? null : exp.usd - ledger.usd;
  if (exp.tokens !== null) {
    const missing = kindDiff(exp.tokens, ledger.tokens);
    const total = sumKinds(missing);
    const batch = exp.batchTokens > 0 ? `; ${formatTokens(exp.batchTokens)} export tokens are Batch API traffic` : '';
    const requests = exp.requests === null ? '' : ` over ${formatTokens(exp.requests)} export requests vs ${formatTokens(ledger.rows)} ledger rows`;
    return {
      cause: 'bypassed',
      detail: `the export has ${formatTokens(total)} tokens the ledger lacks (${byKindText(missing, formatTokens)})${missingUsd === null ? '' : `, ${formatUsd(missingUsd)}`}${requests}${batch}`,
      numbers: { missingTokens: total, missingInput: missing.input, missingCacheRead: missing.cacheRead, missingCacheWrite: missing.cacheWrite, missingOutput: missing.output, missingUsd, batchTokens: exp.batchTokens },
    };
  }
  const ledgerTokens = sumKinds(ledger.pricedTokens);
  const blended = perMtok(ledger.usd, ledgerTokens);
  const tokens = blended === null || missingUsd === null ? null : Math.round((missingUsd / blended) * 1_000_000);
  const approx = tokens === null ? (ledgerTokens === 0 ? ' (the ledger has no traffic here)' : '') : ` (≈ ${formatTokens(tokens)} tokens at the ${formatPerMtok(blended)} Jevons averaged)`;
  return {
    cause: 'bypassed',
    detail: `the export has ${formatUsd(missingUsd ?? 0)} of spend the ledger lacks${approx}`,
    numbers: { missingUsd, approxMissingTokens: tokens },
  };
}

function onlyInLedgerFinding(input: DiagnoseInput): Finding {
  const { export: exp, ledger } = input;
  const absent = input.exportAmount === 0;
  // Dollars the export lacks: against the export's dollars when it has them; all the ledger's when it has nothing.
  const extraUsd = exp.usd !== null ? ledger.usd - exp.usd : absent ? ledger.usd : null;
  const usdText = extraUsd === null ? '' : `, ${formatUsd(extraUsd)}`;
  const hint = '— outside the export\'s range, or another organization / workspace / project?';
  if (exp.tokens !== null || absent) {
    const extra = exp.tokens === null ? ledger.tokens : kindDiff(ledger.tokens, exp.tokens);
    const total = sumKinds(extra);
    return {
      cause: 'only-in-ledger',
      detail: `${absent ? 'the export has nothing here; ' : ''}the ledger has ${formatTokens(total)} tokens (${byKindText(extra, formatTokens) || 'none'})${usdText} the export lacks ${hint}`,
      numbers: { extraTokens: total, extraUsd, ledgerRows: ledger.rows },
    };
  }
  return { cause: 'only-in-ledger', detail: `the ledger has ${formatUsd(extraUsd ?? 0)} more than the export ${hint}`, numbers: { extraUsd } };
}

/** Per-kind prices: what the export implies vs what Jevons used; kinds that differ beyond the tolerance (else all). */
function priceFinding(input: DiagnoseInput): Finding {
  const { export: exp, ledger, tolerance } = input;
  const exportUsd = input.measure === 'usd' ? exp.usdByKind : exp.catalogUsdByKind;
  const tokensFor = (kind: TokenKind) => (exp.tokens === null ? ledger.tokens[kind] : exp.tokens[kind]);
  const rows = tokenKinds
    .map((kind) => ({ kind, exported: perMtok(exportUsd[kind], tokensFor(kind)), jevons: perMtok(ledger.usdByKind[kind], ledger.pricedTokens[kind]) }))
    .filter((row) => row.exported !== null && row.jevons !== null);
  const differing = rows.filter((row) => !withinTolerance(row.jevons ?? 0, row.exported ?? 0, tolerance));
  const refs = ledger.priceRefs.length > 0 ? ` (${ledger.priceRefs.join(', ')})` : '';
  const source = input.measure === 'usd' ? 'the export implies' : "the catalog's current price is";
  const premise = exp.tokens === null ? "at the ledger's token counts" : 'tokens agree, dollars differ';
  const numbers: Finding['numbers'] = { exportUsd: input.measure === 'usd' ? exp.usd : exp.catalogUsd, ledgerUsd: ledger.usd, priceRefs: ledger.priceRefs.join(',') || null };
  const shown = differing.length > 0 ? differing : rows;
  if (shown.length === 0 || exp.usdUnsplit > 0) {
    const totalExportUsd = (input.measure === 'usd' ? exp.usd : exp.catalogUsd) ?? 0;
    const tokens = exp.tokens === null ? sumKinds(ledger.tokens) : sumKinds(exp.tokens);
    const exported = perMtok(totalExportUsd, tokens);
    const jevons = perMtok(ledger.usd, sumKinds(ledger.pricedTokens));
    numbers.exportPerMtok = exported;
    numbers.jevonsPerMtok = jevons;
    return { cause: 'price', detail: `${premise}: ${source} ${formatPerMtok(exported)} on average vs ${formatPerMtok(jevons)} Jevons used${refs}`, numbers };
  }
  for (const row of shown) {
    numbers[`export${row.kind[0]?.toUpperCase()}${row.kind.slice(1)}PerMtok`] = row.exported;
    numbers[`jevons${row.kind[0]?.toUpperCase()}${row.kind.slice(1)}PerMtok`] = row.jevons;
  }
  const text = shown.map((row) => `${kindLabel[row.kind]} ${formatPerMtok(row.exported)} vs ${formatPerMtok(row.jevons)}`).join('; ');
  return { cause: 'price', detail: `${premise}: ${source} ${text} Jevons used${refs}`, numbers };
}

/** Cost export without tokens: some kinds agree and others do not -> the same traffic priced differently. */
function kindsSuggestPrice(input: DiagnoseInput): boolean {
  const { export: exp, ledger, tolerance } = input;
  if (exp.usdUnsplit > 0) return false;
  // Kinds with unpriced ledger tokens cannot be compared in dollars: left out.
  const comparable = tokenKinds.filter((kind) => ledger.pricedTokens[kind] === ledger.tokens[kind]);
  const present = comparable.filter((kind) => exp.usdByKind[kind] > 0 || ledger.usdByKind[kind] > 0);
  const agreeing = present.filter((kind) => withinTolerance(ledger.usdByKind[kind], exp.usdByKind[kind], tolerance));
  return agreeing.length > 0 && agreeing.length < present.length;
}

/** A price change as the second explanation only within a factor of 2 (prices move in steps, not 100x). */
function plausiblePriceChange(input: DiagnoseInput): boolean {
  const ratio = input.ledger.usd > 0 ? (input.export.usd ?? 0) / input.ledger.usd : 0;
  return ratio >= 0.5 && ratio <= 2;
}

/**
 * Export dollars the unpriced ledger tokens stand for: per kind at the export's price for that kind (its dollars over
 * its tokens, the export's own tokens when it has them, else the ledger's), or at the export's average price when
 * its dollars are not split by kind.
 */
function unpricedValue(input: DiagnoseInput): number | null {
  const { export: exp, ledger } = input;
  if (exp.usd === null || ledger.unpricedTokens === 0) return null;
  const tokensOf = (kind: TokenKind) => (exp.tokens === null ? ledger.tokens[kind] : exp.tokens[kind]);
  if (exp.usdUnsplit > 0) {
    const tokens = tokenKinds.reduce((sum, kind) => sum + tokensOf(kind), 0);
    return tokens > 0 ? (exp.usd / tokens) * ledger.unpricedTokens : null;
  }
  let value = 0;
  for (const kind of tokenKinds) {
    const unpriced = ledger.tokens[kind] - ledger.pricedTokens[kind];
    const tokens = tokensOf(kind);
    if (unpriced > 0 && tokens > 0) value += (exp.usdByKind[kind] / tokens) * unpriced;
  }
  return value;
}

function ledgerShort(input: DiagnoseInput): Finding[] {
  const { export: exp, ledger, tolerance } = input;
  const findings: Finding[] = [];
  if (input.measure === 'usd' && ledger.unpricedRows > 0) {
    const value = unpricedValue(input);
    findings.push(unpricedFinding(ledger, value));
    // The unpriced tokens alone account for the gap: nothing else to explain.
    if (value !== null && withinTolerance(ledger.usd + value, input.exportAmount, tolerance)) {
      if (ledger.estimatedRows > 0) findings.push(estimatedFinding(ledger));
      return findings;
    }
  }
  if (exp.tokens !== null) {
    const tokensAgree = withinTolerance(sumKinds(ledger.tokens), sumKinds(exp.tokens), tolerance);
    findings.push(tokensAgree && input.measure === 'usd' ? priceFinding(input) : bypassedFinding(input));
  } else if (sumKinds(ledger.tokens) === 0) {
    findings.push(bypassedFinding(input));
  } else if (kindsSuggestPrice(input)) {
    findings.push(priceFinding(input), bypassedFinding(input));
  } else {
    findings.push(bypassedFinding(input));
    if (plausiblePriceChange(input)) findings.push(priceFinding(input));
  }
  if (ledger.estimatedRows > 0) findings.push(estimatedFinding(ledger));
  return findings;
}

function ledgerLong(input: DiagnoseInput): Finding[] {
  const { export: exp, ledger, tolerance } = input;
  const findings: Finding[] = [];
  if (input.exportAmount === 0 && (exp.tokens === null || sumKinds(exp.tokens) === 0)) {
    findings.push(onlyInLedgerFinding(input));
  } else if (exp.tokens !== null) {
    const excess = sumKinds(ledger.tokens) - sumKinds(exp.tokens);
    const tokensAgree = withinTolerance(sumKinds(ledger.tokens), sumKinds(exp.tokens), tolerance);
    if (tokensAgree && input.measure === 'usd') findings.push(priceFinding(input));
    else if (ledger.estimatedRows > 0 && ledger.estimatedTokens >= excess) findings.push(estimatedFinding(ledger), onlyInLedgerFinding(input));
    else findings.push(onlyInLedgerFinding(input));
  } else if (kindsSuggestPrice(input)) {
    findings.push(priceFinding(input), onlyInLedgerFinding(input));
  } else {
    findings.push(onlyInLedgerFinding(input));
    if (plausiblePriceChange(input)) findings.push(priceFinding(input));
  }
  if (ledger.estimatedRows > 0 && !findings.some((f) => f.cause === 'estimated')) findings.push(estimatedFinding(ledger));
  if (input.measure === 'usd' && ledger.unpricedRows > 0) findings.push(unpricedFinding(ledger, unpricedValue(input)));
  return findings;
}

/** Information for a cell within tolerance: what could still hide a gap. */
function withinNotes(input: DiagnoseInput): Finding[] {
  const { export: exp, ledger, tolerance } = input;
  const findings: Finding[] = [];
  if (input.measure === 'tokens' && exp.catalogUsd !== null && exp.catalogUnpricedTokens === 0 && ledger.unpricedRows === 0 && !withinTolerance(ledger.usd, exp.catalogUsd, tolerance)) {
    findings.push(priceFinding(input));
  }
  if (ledger.unpricedRows > 0) findings.push(unpricedFinding(ledger, unpricedValue(input)));
  if (ledger.estimatedRows > 0) findings.push(estimatedFinding(ledger));
  return findings;
}

/** Sums of floats leave noise (0.44999999999999996): numbers are reported to 1e-12. */
const tidy = (finding: Finding): Finding => ({
  ...finding,
  numbers: Object.fromEntries(Object.entries(finding.numbers).map(([name, value]) => [name, typeof value === 'number' ? roundTo(value, 12) : value])),
});

export function diagnose(input: DiagnoseInput): Finding[] {
  if (input.ok) return withinNotes(input).map(tidy);
  return (input.ledgerAmount < input.exportAmount ? ledgerShort(input) : ledgerLong(input)).map(tidy);
}
