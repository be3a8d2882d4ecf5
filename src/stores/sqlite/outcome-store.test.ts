import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStores, type SqliteStores } from './open-sqlite-stores.js';
import { createOutcomeWriter, listOutcomes, type OutcomeRow } from './outcome-store.js';

let stores: SqliteStores;
beforeEach(() => {
  stores = openSqliteStores({ path: ':memory:' });
});
afterEach(async () => {
  await stores.close();
});

const outcome = (overrides: Partial<OutcomeRow> = {}): OutcomeRow => ({ id: 'o-1', at: 1_000, requestId: 'req-1', sessionId: null, status: 'success', score: null, keyId: 'key-1', source: 'api', note: null, ...overrides });

describe('outcome store', () => {
  it('writes a batch and reads it back oldest first, ties in insertion order', () => {
    const write = createOutcomeWriter(stores.db);
    const rows = [
      outcome({ id: 'b', at: 2_000, requestId: null, sessionId: 's-1', status: null, score: 0.25, source: 'header', note: 'partial' }),
      outcome({ id: 'z', at: 1_000 }),
      outcome({ id: 'a', at: 1_000, status: 'failure', keyId: '' }),
    ];
    write(rows);
    expect(listOutcomes(stores.db)).toEqual([rows[1], rows[2], rows[0]]);
    expect(listOutcomes(stores.db, { since: 1_500 })).toEqual([rows[0]]);
    expect(listOutcomes(stores.db, { until: 1_500 }).map((row) => row.id)).toEqual(['z', 'a']);
  });

  it('refuses rows the schema forbids, writing nothing of the batch', () => {
    const write = createOutcomeWriter(stores.db);
    expect(() => write([outcome({ id: 'ok' }), outcome({ id: 'both', sessionId: 's-1' })])).toThrow(/CHECK/);
    expect(() => write([outcome({ id: 'none', requestId: null })])).toThrow(/CHECK/);
    expect(() => write([outcome({ id: 'empty', status: null, score: null })])).toThrow(/CHECK/);
    expect(() => write([outcome({ id: 'big', status: null, score: 1.5 })])).toThrow(/CHECK/);
    expect(listOutcomes(stores.db)).toEqual([]);
  });
});
