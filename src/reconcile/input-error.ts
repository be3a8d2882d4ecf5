import type { z } from 'zod';
import { formatPath } from '../spec/format-path.js';

/** Bad input for `jevons reconcile` (unreadable or unknown export, bad option): exit code 2, message names the place. */
export class ReconcileInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReconcileInputError';
  }
}

/** Where a page sits in its file: the whole file, an element of a top-level array, or a line of a JSON-lines file. */
export type PagePlace = { kind: 'root' } | { kind: 'index'; index: number } | { kind: 'line'; line: number };

/** `export.json: data[0].results[2].amount` / `export.json: [1].data[0]` / `export.jsonl line 3: data[0]`. */
export function placeOf(file: string, page: PagePlace, path: readonly PropertyKey[]): string {
  const full = page.kind === 'index' ? [page.index, ...path] : path;
  const prefix = page.kind === 'line' ? `${file} line ${page.line}` : file;
  return `${prefix}: ${formatPath(full) || '(root)'}`;
}

/** The first few zod issues, each with its full path. */
export function describeIssues(file: string, page: PagePlace, issues: readonly z.core.$ZodIssue[], what: string): ReconcileInputError {
  const lines = issues.slice(0, 5).map((issue) => {
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const first = issue.errors[0]?.[0];
      if (first) return `${placeOf(file, page, [...issue.path, ...first.path])}: ${first.message}`;
    }
    return `${placeOf(file, page, issue.path)}: ${issue.message}`;
  });
  const more = issues.length > 5 ? `\n  (and ${issues.length - 5} more problems)` : '';
  return new ReconcileInputError(`not a valid ${what}:\n  ${lines.join('\n  ')}${more}`);
}
