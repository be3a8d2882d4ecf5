/**
 * Schema version 12: rollups with narrow keys, so customer, key and session reads (GET /spend by customer or key,
 * /spend/top, /whales, /plans' customers) stop scanning the raw ledger (docs/decisions/0008-ledger-rollups.md):
 * - `ledger_daily_customers` and `ledger_hourly_customers`: UTC day / hour x customer x key x cache source. Reads
 *   take whole UTC days from the first, hours of cut days from the second;
 * - `ledger_hourly_sessions`: hour x customer x session, indexed by customer and hour, for the heaviest sessions of
 *   the customers a whale report shows.
 * And an index of the ledger by session (rows with one), for the requests a session outcome covers (GET /outcomes).
 * Same measures, same rules as `ledger_hourly_features` (0011): maintained in the ledger's write transactions and
 * backfilled here from the rows already in the ledger, inside the migration's transaction.
 */
import { rollupTableSql } from './0011-rollups.js';

const customerKey = ['customer', 'key_id', 'cache_source'];

export const sql = `${rollupTableSql('ledger_daily_customers', customerKey, 'day')}
${rollupTableSql('ledger_hourly_customers', customerKey)}
${rollupTableSql('ledger_hourly_sessions', ['customer', 'session_id'])}
CREATE INDEX ledger_hourly_sessions_customer ON ledger_hourly_sessions (customer, hour);
CREATE INDEX ledger_session_id ON ledger (session_id) WHERE session_id IS NOT NULL;
`;
