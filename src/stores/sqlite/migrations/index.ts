import * as ledger from './0001-ledger.js';
import * as keys from './0002-keys.js';
import * as costTruth from './0003-cost-truth.js';
import * as events from './0004-events.js';
import * as cacheAccounting from './0005-cache-accounting.js';
import * as plans from './0008-plans.js';
import * as semanticCache from './0006-semantic-cache.js';
import * as cacheDiagnosis from './0007-cache-diagnosis.js';
import * as routing from './0010-routing.js';
import * as outcomes from './0009-outcomes.js';
import * as rollups from './0011-rollups.js';
import * as customerRollups from './0012-customer-rollups.js';
import * as routingBaseline from './0013-routing-baseline.js';

export interface Migration {
  /** The schema version the database has once this migration ran (`PRAGMA user_version`). */
  version: number;
  name: string;
  sql: string;
}

/**
 * Every migration, in order; versions are 1, 2, 3… without gaps. Append only: a released migration is never
 * edited, because databases in the field have already run it.
 */
export const migrations: readonly Migration[] = [
  { version: 1, name: '0001-ledger', sql: ledger.sql },
  { version: 2, name: '0002-keys', sql: keys.sql },
  { version: 3, name: '0003-cost-truth', sql: costTruth.sql },
  { version: 4, name: '0004-events', sql: events.sql },
  { version: 5, name: '0005-cache-accounting', sql: cacheAccounting.sql },
  { version: 6, name: '0006-semantic-cache', sql: semanticCache.sql },
  { version: 7, name: '0007-cache-diagnosis', sql: cacheDiagnosis.sql },
  { version: 8, name: '0008-plans', sql: plans.sql },
  { version: 9, name: '0009-outcomes', sql: outcomes.sql },
  { version: 10, name: '0010-routing', sql: routing.sql },
  { version: 11, name: '0011-rollups', sql: rollups.sql },
  { version: 12, name: '0012-customer-rollups', sql: customerRollups.sql },
  { version: 13, name: '0013-routing-baseline', sql: routingBaseline.sql },
];
