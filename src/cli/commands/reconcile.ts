/**
 * `jevons reconcile <files...>`: a provider's usage / cost export against the ledger, per UTC day x model (x key).
 * Exit codes: 0 every cell and the total within --max-drift; 1 past it; 2 bad input (unreadable or unknown export,
 * bad option, unreadable ledger or config), with a message naming the file and JSON path.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  comparisonRange,
  exportFormats,
  parseExport,
  reconcile,
  ReconcileInputError,
  renderReport,
  reportJson,
  type ExportFormat,
  type LedgerCellInput,
} from '../../reconcile/index.js';
import { ConfigError, type Environment } from '../../spec/config/load-config.js';
import { dailyLedgerTotals, LedgerUnreadableError, openLedgerReadOnly } from '../../stores/sqlite/ledger-daily.js';
import { loadConfig } from '../load.js';
import { priceCatalogFromConfig } from '../../providers/price-family.js';

export interface ReconcileCommandDeps {
  env: NodeJS.ProcessEnv;
  print: (text: string) => void;
  /** Bad-input messages; default: standard error. */
  printError?: (text: string) => void;
  /** Default: sets process.exitCode. */
  setExitCode?: (code: number) => void;
}

export interface ReconcileCommandOptions {
  files: string[];
  format?: string;
  maxDrift?: string;
  config?: string;
  db?: string;
  provider?: string;
  keyMap?: string[];
  json?: boolean;
}

export interface ReconcileOutcome {
  /** 0 within drift, 1 past it, 2 bad input. */
  code: 0 | 1 | 2;
  stdout: string;
  stderr: string;
}

function parseMaxDrift(text: string | undefined): number {
  const value = Number(text ?? '1');
  if (text?.trim() === '' || !Number.isFinite(value) || value < 0) throw new ReconcileInputError(`--max-drift: expected a percentage >= 0 such as 1 or 0.5, got "${text}"`);
  return value;
}

function parseFormat(text: string | undefined): ExportFormat | undefined {
  if (text === undefined || text === 'auto') return undefined;
  const format = exportFormats.find((candidate) => candidate === text);
  if (format === undefined) throw new ReconcileInputError(`--format: unknown format "${text}" (choose from auto, ${exportFormats.join(', ')})`);
  return format;
}

function parseKeyMap(entries: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of entries) {
    const match = /^([^=\s]+)=([^=\s]+)$/.exec(entry.trim());
    if (!match?.[1] || !match[2]) throw new ReconcileInputError(`--key-map: expected <apiKeyId>=<providerName>, got "${entry}"`);
    if (map[match[1]] !== undefined && map[match[1]] !== match[2]) throw new ReconcileInputError(`--key-map: ${match[1]} is mapped twice (${map[match[1]]}, ${match[2]})`);
    map[match[1]] = match[2];
  }
  return map;
}

function readExportFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ReconcileInputError(`${file}: cannot read the file: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Runs the comparison and returns what to print and the exit code; throws only on unexpected failures. */
export function runReconcile(options: ReconcileCommandOptions, deps: { env: Environment }): ReconcileOutcome {
  try {
    const maxDriftPct = parseMaxDrift(options.maxDrift);
    const format = parseFormat(options.format);
    const keyMap = parseKeyMap(options.keyMap ?? []);
    const config = loadConfig({ path: options.config, env: deps.env }).config;
    const exports = options.files.map((file) => parseExport({ text: readExportFile(file), file, format }));
    const range = comparisonRange(exports);

    // Ledger rows of the providers of the export's type (by configured name; an unconfigured provider named like
    // the type is the zero-config default), or of --provider, plus the providers --key-map names.
    const typeOf = new Map(config.providers.map((provider) => [provider.name, provider.type as string]));
    const wanted = (name: string) =>
      options.provider !== undefined ? name === options.provider : (typeOf.get(name) ?? name) === range.family || Object.values(keyMap).includes(name);
    const db = openLedgerReadOnly(options.db ?? config.storage.path);
    let all: LedgerCellInput[];
    try {
      all = dailyLedgerTotals(db, { since: range.since, until: range.until, provider: options.provider });
    } finally {
      db.close();
    }
    const ledger = all.filter((cell) => wanted(cell.provider));
    const providers = [...new Set(ledger.map((cell) => cell.provider))].sort();
    const left = [...new Set(all.filter((cell) => !wanted(cell.provider)).map((cell) => cell.provider))].sort();
    const modelAliases = Object.fromEntries(config.models.filter((model) => wanted(model.provider)).map((model) => [model.name, model.model ?? model.name]));

    const report = reconcile({ exports, ledger, maxDriftPct, keyMap, modelAliases, catalog: priceCatalogFromConfig(config) });
    if (left.length > 0) report.notes.push(`ledger rows of ${left.join(', ')} were left out (not ${range.family} providers; pick one with --provider)`);
    const code = report.ok ? 0 : 1;
    const stdout = options.json ? JSON.stringify({ ...reportJson(report), providers, exitCode: code }, null, 2) : renderReport(report, { providers });
    return { code, stdout, stderr: '' };
  } catch (error) {
    if (error instanceof ReconcileInputError || error instanceof LedgerUnreadableError || error instanceof ConfigError) {
      return { code: 2, stdout: '', stderr: `jevons reconcile: ${error.message}` };
    }
    throw error;
  }
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerReconcileCommand(program: Command, deps: ReconcileCommandDeps): void {
  const printError = deps.printError ?? ((text: string) => process.stderr.write(`${text}\n`));
  const setExitCode = deps.setExitCode ?? ((code: number) => (process.exitCode = code));
  program
    .command('reconcile')
    .description("Compare a provider's usage / cost export with the ledger per UTC day x model (x key) and explain the drift")
    .argument('<files...>', 'export file(s): one API response page, a JSON array of pages, or JSON lines (one page per line)')
    .option('--format <format>', `export format: auto, ${exportFormats.join(', ')}`, 'auto')
    .option('--max-drift <pct>', 'largest drift allowed per cell and in total, in percent (exit 1 past it)', '1')
    .option('-c, --config <path>', 'jevons.yaml (storage.path, provider types, model aliases)')
    .option('--db <path>', 'ledger file (overrides the config)')
    .option('--provider <name>', 'only ledger rows of this configured provider')
    .option('--key-map <apiKeyId=provider>', 'compare the export rows of this provider API key with the ledger rows of this provider (repeatable)', collect, [])
    .option('--json', 'machine-readable output')
    .action((files: string[], options: Omit<ReconcileCommandOptions, 'files'>) => {
      const outcome = runReconcile({ ...options, files }, { env: deps.env });
      if (outcome.stdout !== '') deps.print(outcome.stdout);
      if (outcome.stderr !== '') printError(outcome.stderr);
      setExitCode(outcome.code);
    });
}
