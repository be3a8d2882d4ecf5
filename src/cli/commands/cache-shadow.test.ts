import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStores } from '../../stores/sqlite/index.js';
import { createSqliteShadowHitStore } from '../../stores/vector/index.js';
import { registerCacheShadowCommand } from './cache-shadow.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<string> {
  const printed: string[] = [];
  const program = new Command().exitOverride();
  registerCacheShadowCommand(program, { env: {}, print: (text) => printed.push(text), now: () => Date.UTC(2026, 10, 23) });
  await program.parseAsync(['node', 'jevons', 'cache', 'shadow-hits', ...args]);
  return printed.join('\n');
}

describe('jevons cache shadow-hits', () => {
  it('lists the recorded would-be hits newest first, filtered by feature', async () => {
    dir = mkdtempSync(join(tmpdir(), 'jevons-shadow-'));
    const path = join(dir, 'jevons.db');
    const stores = openSqliteStores({ path });
    const store = createSqliteShadowHitStore(stores.db);
    const base = { requestId: 'r', model: 'gpt-4o-mini', partition: 'p', answer: 'Open Settings, then Security.' };
    await store.record({ ...base, id: '1', at: Date.UTC(2026, 10, 22, 9), feature: 'support', similarity: 0.9312, question: 'how do i reset my password', matchedQuestion: 'How do I reset my password?' });
    await store.record({ ...base, id: '2', at: Date.UTC(2026, 10, 22, 10), feature: 'search', similarity: 0.95, question: 'a', matchedQuestion: 'b' });
    await stores.close();
    const out = await run(['--db', path, '--feature', 'support']);
    expect(out).toContain('0.9312');
    expect(out).toContain('how do i reset my password');
    expect(out).toContain('Open Settings, then Security.');
    expect(out).not.toContain('search');
    expect(JSON.parse(await run(['--db', path, '--json']))).toHaveLength(2);
  });

  it('rejects a bad --limit and a missing database with a clear message', async () => {
    dir = mkdtempSync(join(tmpdir(), 'jevons-shadow-'));
    await expect(run(['--db', join(dir, 'none.db')])).rejects.toThrow(/no such database file/);
    await expect(run(['--db', join(dir, 'none.db'), '--limit', 'x'])).rejects.toThrow(/--limit: expected a positive integer/);
  });
});
