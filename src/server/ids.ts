import { randomBytes } from 'node:crypto';

/**
 * UUIDv7 (RFC 9562): 48-bit millisecond timestamp then random bits, so ids sort by time, which keeps ledger inserts
 * and time-range scans index-friendly. Random bytes are drawn in blocks to keep this cheap on the hot path.
 */
export function createIdGenerator(now: () => number = Date.now): () => string {
  let pool = randomBytes(0);
  let offset = 0;
  return () => {
    if (offset + 10 > pool.length) {
      pool = randomBytes(4096);
      offset = 0;
    }
    const time = now().toString(16).padStart(12, '0');
    const random = pool.subarray(offset, offset + 10);
    offset += 10;
    const hex = random.toString('hex');
    const variant = ((random[2] ?? 0) & 0x3f) | 0x80;
    return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${hex.slice(1, 4)}-${variant.toString(16)}${hex.slice(6, 8)}-${hex.slice(8, 20)}`;
  };
}
