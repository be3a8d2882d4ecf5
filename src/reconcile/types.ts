/** Shapes shared by the reconcile parsers, the comparison and the renderers. Pure data, no I/O. */
import type { DailyLedgerCell } from '../spec/ledger.js';

export type ExportFormat = 'openai-costs' | 'openai-usage' | 'anthropic-usage' | 'anthropic-cost';
export const exportFormats: readonly ExportFormat[] = ['openai-costs', 'openai-usage', 'anthropic-usage', 'anthropic-cost'];

/** Price-catalog family of the provider that produced an export; ledger rows of providers of this type are compared. */
export type ExportFamily = 'openai' | 'anthropic';

export const familyOf = (format: ExportFormat): ExportFamily => (format.startsWith('openai') ? 'openai' : 'anthropic');
/** Cost exports carry dollars; usage exports carry tokens only. */
export const isCostFormat = (format: ExportFormat): boolean => format === 'openai-costs' || format === 'anthropic-cost';

/** The billing kinds both sides can be split into (5-minute and 1-hour cache writes together). */
export type TokenKind = 'input' | 'cacheRead' | 'cacheWrite' | 'output';
export const tokenKinds: readonly TokenKind[] = ['input', 'cacheRead', 'cacheWrite', 'output'];
export type KindAmounts = Record<TokenKind, number>;
export const zeroKinds = (): KindAmounts => ({ input: 0, cacheRead: 0, cacheWrite: 0, output: 0 });

/** Disjoint token counts, the same kinds as the ledger columns. */
export interface TokenCounts {
  /** Uncached input. */
  input: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  output: number;
}

/** One result row of an export, after parsing (one bucket x one group). */
export interface ExportRecord {
  format: ExportFormat;
  /** UTC day of the bucket start, YYYY-MM-DD. */
  day: string;
  /** Model id as the export spells it; null when the export is not grouped by model. */
  model: string | null;
  /** Provider API key id; null when the export is not grouped by key (cost exports never are). */
  apiKeyId: string | null;
  /** Dollars (cost exports), already converted to USD. */
  usd: number | null;
  /** Billing kind of `usd` when the export splits it (line item / token type); null when it does not. */
  usdKind: TokenKind | null;
  /** Tokens (usage exports). */
  tokens: TokenCounts | null;
  /** Number of model requests (OpenAI usage only). */
  requests: number | null;
  /** 'batch' for Batch API traffic (OpenAI `batch: true`, Anthropic service_tier "batch"), else the tier or null. */
  serviceTier: string | null;
  /** Anthropic context_window ("0-200k" / "200k-1M") when grouped by it. */
  contextWindow: string | null;
  /**
   * Spend that is not model tokens and that the ledger does not meter (web search, code execution, storage...):
   * the export's own description. Such records are reported apart and left out of the drift.
   */
  unmetered: string | null;
  /** Audio tokens the export reports separately (information only; OpenAI usage). */
  audioTokens: number;
}

export interface ParsedExport {
  file: string;
  formats: ExportFormat[];
  family: ExportFamily;
  records: ExportRecord[];
  /** Epoch ms: earliest bucket start (inclusive) and latest bucket end (exclusive). */
  since: number;
  until: number;
  /** Warnings about the file itself (an incomplete page set, ...). */
  notes: string[];
}

/** The ledger side: one group of ledger rows (src/spec/ledger.ts DailyLedgerCell, read by the CLI). */
export type LedgerCellInput = DailyLedgerCell;

/** What a drift is measured in: dollars when any cost export is given, else tokens. */
export type Measure = 'usd' | 'tokens';

/** The export side of one cell. */
export interface ExportSide {
  /** Dollars from a cost export; null when only usage exports were given. */
  usd: number | null;
  usdByKind: KindAmounts;
  /** Dollars the export did not split by kind. */
  usdUnsplit: number;
  /** Tokens from a usage export; null when only cost exports were given. */
  tokens: KindAmounts | null;
  requests: number | null;
  /** Usage exports: what the export tokens cost at the price catalog's current prices (batch tokens left out). */
  catalogUsd: number | null;
  catalogUsdByKind: KindAmounts;
  /** Tokens the catalog has no price for (or batch tokens), left out of catalogUsd. */
  catalogUnpricedTokens: number;
  batchTokens: number;
  /** Measure sub-totals per provider API key id (null key: not grouped by key). */
  byKey: Record<string, number>;
}

/** The ledger side of one cell. */
export interface LedgerSide {
  rows: number;
  /** Every ledger row's tokens by kind (priced and unpriced). */
  tokens: KindAmounts;
  /** Cost of priced rows. */
  usd: number;
  usdByKind: KindAmounts;
  /** Tokens of priced rows by kind (the denominators of the per-Mtok prices Jevons used). */
  pricedTokens: KindAmounts;
  unpricedRows: number;
  unpricedTokens: number;
  estimatedRows: number;
  estimatedTokens: number;
  priceRefs: string[];
  providers: string[];
}

export type Cause = 'bypassed' | 'price' | 'unpriced' | 'estimated' | 'only-in-ledger';

/** One diagnosed cause with the numbers behind it; findings of a cell are listed most likely first. */
export interface Finding {
  cause: Cause;
  /** One line for people. */
  detail: string;
  numbers: Record<string, number | string | null>;
}

export interface ReconcileCell {
  day: string;
  /** Normalised model id ('*' when the export is not grouped by model). */
  model: string;
  /** Ledger provider the export key is mapped to (--key-map), '(unmapped keys)', or '*' without a key map. */
  key: string;
  export: ExportSide;
  ledger: LedgerSide;
  /** In the report's measure. */
  exportAmount: number;
  ledgerAmount: number;
  /** (ledger - export) / export; null when the export amount is 0 and the ledger's is not. */
  drift: number | null;
  ok: boolean;
  findings: Finding[];
}

/** A normalised model id that stands for several raw ids. */
export interface MergedModel {
  model: string;
  exportIds: string[];
  ledgerIds: string[];
}

export interface UnmeteredSpend {
  day: string;
  description: string;
  usd: number;
}

export interface ReconcileReport {
  files: string[];
  formats: ExportFormat[];
  family: ExportFamily;
  measure: Measure;
  maxDriftPct: number;
  since: number;
  until: number;
  /** 'model' normally; 'day' when an export is not grouped by model. */
  granularity: 'model' | 'day';
  keyMapped: boolean;
  cells: ReconcileCell[];
  total: { exportAmount: number; ledgerAmount: number; drift: number | null; ok: boolean };
  mergedModels: MergedModel[];
  /** Measure totals per provider API key id, for information (exports grouped by key, no --key-map). */
  exportByKey: Record<string, number>;
  unmetered: UnmeteredSpend[];
  notes: string[];
  ok: boolean;
}
