/**
 * Hashes of prompt prefixes: what identifies "the same prefix" for the TTL choice, the OpenAI cache key and the
 * upstream affinity. The caller's own `cache_control` markers are left out, so adding or moving one does not change
 * the identity of a prefix.
 */
import { createHash } from 'node:crypto';

function withoutCacheControl(_key: string, value: unknown): unknown {
  return _key === 'cache_control' ? undefined : value;
}

/** A short hex digest (128 bits) of the JSON of each part, in order; `undefined` parts are skipped. */
export function hashParts(parts: readonly unknown[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    if (part === undefined) continue;
    hash.update(typeof part === 'string' ? part : (JSON.stringify(part, withoutCacheControl) ?? ''));
    hash.update('\u0000');
  }
  return hash.digest('hex').slice(0, 32);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The stable prefix of a request body in either dialect: tools, then the system prompt (Anthropic `system`,
 * OpenAI leading system / developer messages, Responses `instructions`). When there is none, the first message
 * stands in for it (a conversation's opening turn is as stable as a system prompt).
 */
export function stablePrefixParts(body: Record<string, unknown>): unknown[] {
  const parts: unknown[] = [body.model, body.tools, body.system, body.instructions];
  const messages = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : [];
  let leading = 0;
  for (const message of messages) {
    if (!isRecord(message) || (message.role !== 'system' && message.role !== 'developer')) break;
    parts.push(message);
    leading += 1;
  }
  const hasSystem = leading > 0 || body.system !== undefined || body.instructions !== undefined || body.tools !== undefined;
  if (!hasSystem && messages.length > 0) parts.push(messages[0]);
  else if (!hasSystem && typeof body.input === 'string') parts.push(body.input);
  return parts;
}

/** Hash of the stable prefix (see stablePrefixParts): what a router consults the affinity map with. */
export function stablePrefixHash(body: Record<string, unknown>): string {
  return hashParts(stablePrefixParts(body));
}
