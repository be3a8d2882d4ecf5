import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { day0, ledgerRow, unpricedRow } from './__fixtures__/ledger-rows.js';
import { ledgerSpend } from './ledger-spend.js';
import { openSqliteStores, type SqliteStores } from './open-sqlite-stores.js';

let stores: SqliteStores;
const hour = 3_600_000;

beforeAll(async () => {
  stores = openSqliteStores({ path: ':memory:' });
  const rows = [
    ledgerRow({ startedAt: day0, costTotalUsd: 1 }),
    ledgerRow({ startedAt: day0 + hour, costTotalUsd: 2, attribution: { team: 'search', tags: { env: 'prod', 'a.b"c': 'x' } } }),
    ledgerRow({ startedAt: day0 + 2 * hour, costTotalUsd: 4, attribution: { team: 'search', user: 'u-2', tags: { env: 'dev' } } }),
    ledgerRow({ startedAt: day0 + 3 * hour, costTotalUsd: 8, requestedModel: 'gpt-4o-mini' }),
    unpricedRow({ startedAt: day0 + 4 * hour, attribution: { team: 'search' } }),
  ];
  await stores.ledger.append(rows.map((row, index) => ({ ...row, id: `r-${index}`, requestId: `q-${index}` })));
});
afterAll(() => stores.close());

// ledgerRow: 1,000 input + 200 cache read + 30 + 4 cache writes + 500 output = 1,734 tokens.
const rowTokens = 1_734;

describe('ledgerSpend', () => {
  it('sums USD and tokens of the rows started in [since, until)', () => {
    expect(ledgerSpend(stores.db, { since: day0, until: day0 + 2 * hour, match: {} })).toEqual({ usd: 3, tokens: 2 * rowTokens });
    expect(ledgerSpend(stores.db, { since: day0 + 1, until: Infinity, match: {} }).usd).toBe(14);
  });

  it('filters by attribution dimensions and the requested model', () => {
    expect(ledgerSpend(stores.db, { since: 0, until: Infinity, match: { team: 'search', user: 'u-2' } }).usd).toBe(4);
    expect(ledgerSpend(stores.db, { since: 0, until: Infinity, match: { model: 'gpt-4o-mini' } }).usd).toBe(8);
    expect(ledgerSpend(stores.db, { since: 0, until: Infinity, match: { key: 'key-1', customer: 'acme', session: 's-1', app: 'web', feature: 'search' } }).usd).toBe(15);
    expect(ledgerSpend(stores.db, { since: 0, until: Infinity, match: { team: 'nobody' } })).toEqual({ usd: 0, tokens: 0 });
  });

  it('filters by tags, including names with dots and quotes', () => {
    expect(ledgerSpend(stores.db, { since: 0, until: Infinity, match: { tags: { env: 'prod' } } }).usd).toBe(11);
    expect(ledgerSpend(stores.db, { since: 0, until: Infinity, match: { tags: { 'a.b"c': 'x' } } }).usd).toBe(2);
  });

  it('counts the tokens of unpriced rows and no USD for them', () => {
    const spend = ledgerSpend(stores.db, { since: day0 + 4 * hour, until: Infinity, match: { team: 'search' } });
    expect(spend.usd).toBe(0);
    expect(spend.tokens).toBeGreaterThan(0);
  });
});
