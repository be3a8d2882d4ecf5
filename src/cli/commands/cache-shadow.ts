/**
 * `jevons cache shadow-hits`: the would-be hits the semantic cache recorded in shadow mode (docs/semantic-cache.md),
 * newest first, so an operator can judge its precision before switching a feature to `mode: serve`: each line shows
 * the similarity, the question asked, the cached question it matched and the start of the answer it would have served.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { Environment } from '../../spec/config/load-config.js';
import { createSqliteShadowHitStore, type StoredShadowHit } from '../../stores/vector/shadow-hit-store.js';
import { cacheCommand, withCacheDatabase } from './cache-command.js';
import { formatTable } from '../table.js';
import { parseSince } from './usage.js';

const clip = (text: string, length: number): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= length ? flat : `${flat.slice(0, length - 1)}…`;
};

export function formatShadowHits(hits: readonly StoredShadowHit[]): string {
  if (hits.length === 0) return 'No semantic-cache shadow hits recorded in this range.';
  const rows = hits.map((hit) => [new Date(hit.at).toISOString().slice(0, 19).replace('T', ' '), hit.feature ?? '(none)', hit.model, hit.similarity.toFixed(4), clip(hit.question, 50), clip(hit.matchedQuestion, 50), clip(hit.answer, 60)]);
  return formatTable(['at (UTC)', 'feature', 'model', 'similarity', 'question', 'matched question', 'answer it would have served'], rows);
}

export function registerCacheShadowCommand(program: Command, deps: { env: NodeJS.ProcessEnv | Environment; print: (text: string) => void; now?: () => number }): void {
  const now = deps.now ?? Date.now;
  cacheCommand(program)
    .command('shadow-hits')
    .description('Would-be hits of the semantic cache in shadow mode: similarity, both questions and the answer it would have served')
    .option('--since <when>', 'ISO date or span (24h, 7d)', '7d')
    .option('--feature <feature>', 'only this feature')
    .option('--limit <n>', 'most hits shown', '50')
    .option('--json', 'print JSON instead of a table')
    .option('-c, --config <path>', 'jevons.yaml (for storage.path)')
    .option('--db <path>', 'database file (overrides the config)')
    .action(async (options: { since: string; feature?: string; limit: string; json?: boolean; config?: string; db?: string }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new InvalidArgumentError(`--limit: expected a positive integer, got "${options.limit}"`);
      let since: number | undefined;
      try {
        since = parseSince(options.since, now());
      } catch (error) {
        throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
      }
      const hits = await withCacheDatabase(options, deps.env, (stores) => createSqliteShadowHitStore(stores.db).list({ since, feature: options.feature, limit }));
      deps.print(options.json ? JSON.stringify(hits, null, 2) : formatShadowHits(hits));
    });
}
