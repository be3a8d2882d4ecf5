/**
 * `jevons reconcile`: compare a provider's usage / cost export with the ledger per UTC day x model (x key) and say
 * why they differ. Pure logic (parsers, normalisation, comparison, causes, rendering); the CLI does the I/O.
 */
export { comparisonRange, reconcile, UNMAPPED_KEYS, type ReconcileOptions } from './compare.js';
export { ReconcileInputError } from './input-error.js';
export { normaliseModelId } from './model-id.js';
export { parseExport } from './read-export.js';
export { renderReport, reportJson } from './render.js';
export { exportFormats, type ExportFormat, type LedgerCellInput, type ParsedExport, type ReconcileReport } from './types.js';
