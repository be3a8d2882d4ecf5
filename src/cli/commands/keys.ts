import type { VirtualKey } from '../../spec/ports.js';
import { formatTable } from '../table.js';

export function formatKeys(keys: readonly VirtualKey[]): string {
  return formatTable(
    ['id', 'name', 'prefix', 'team', 'app', 'feature', 'customer', 'created', 'status'],
    keys.map((key) => [key.id, key.name, `${key.prefix}…`, key.defaults.team ?? '', key.defaults.app ?? '', key.defaults.feature ?? '', key.defaults.customer ?? '', new Date(key.createdAt).toISOString(), key.revokedAt === null ? 'active' : 'revoked']),
  );
}
