import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createModelCatalog } from '../../pipeline/model-catalog.js';
import { resolveConfig } from '../../spec/config/load-config.js';
import { openSqliteStores, type SqliteStores } from '../../stores/sqlite/index.js';
import { createProviderRuntimes } from '../upstream/provider-runtime.js';
import { startSemanticCache } from './semantic-cache.js';

let dir: string;
let stores: SqliteStores | null = null;
afterEach(async () => {
  await stores?.close();
  stores = null;
  rmSync(dir, { recursive: true, force: true });
});

function start(semantic: Record<string, unknown>) {
  dir = mkdtempSync(join(tmpdir(), 'jevons-semantic-'));
  stores = openSqliteStores({ path: join(dir, 'jevons.db') });
  const loaded = resolveConfig({ source: 'test', env: {}, input: { providers: [{ name: 'openai', type: 'openai', api_key: 'sk-test' }], cache: { semantic: { enabled: true, ...semantic } } } });
  const { runtimes } = createProviderRuntimes({ providers: loaded.config.providers, env: {}, requireKeys: false });
  const models = createModelCatalog({ providers: loaded.config.providers, models: loaded.config.models });
  return startSemanticCache({ loaded, models, runtimes, db: stores.db, now: () => 1_000 });
}

describe('startSemanticCache', () => {
  it('builds the local embedder and finds a stored question again', async () => {
    const cache = start({});
    await cache.engine.add({ partition: 'p', text: 'How do I reset my password?', payload: new Uint8Array([1]), expiresAt: 10_000 });
    const match = await cache.engine.lookup({ partition: 'p', text: 'how do i reset my password', threshold: 0.9, now: 2_000 });
    expect(match?.payload).toEqual(new Uint8Array([1]));
    await cache.engine.close();
  });

  it('requires a threshold with a model embedder, naming the key', () => {
    expect(() => start({ embedder: { type: 'model', model: 'text-embedding-3-small' } })).toThrow(/cache\.semantic\.threshold: required with a model embedder/);
  });

  it('names the embedder model that cannot be served', () => {
    expect(() => start({ embedder: { type: 'model', model: 'claude-sonnet-4-5' }, threshold: 0.9 })).toThrow(/cache\.semantic\.embedder\.model/);
  });
});
