/** Creating a virtual key (`jevons keys create`, POST /admin/v1/keys): the secret is shown once, only its hash is stored. */
import { randomBytes, randomUUID } from 'node:crypto';
import { hashSecret } from '../policies/authenticate.js';
import type { KeyStore, VirtualKey } from '../spec/ports.js';

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A new virtual key secret: "jv-" + 32 base62 characters (190 bits). */
export function newSecret(): string {
  const bytes = randomBytes(32);
  let out = 'jv-';
  for (const byte of bytes) out += alphabet[byte % 62];
  return out;
}

export interface CreateKeyInput {
  name: string;
  team?: string;
  app?: string;
  feature?: string;
  customer?: string;
}

/** Creates a key; the returned secret is shown once and never stored (only its hash is). */
export async function createKey(options: { keys: KeyStore; input: CreateKeyInput; now: number }): Promise<{ key: VirtualKey; secret: string }> {
  const secret = newSecret();
  const key = await options.keys.create({
    id: randomUUID(),
    name: options.input.name,
    prefix: secret.slice(0, 9),
    secretHash: hashSecret(secret),
    createdAt: options.now,
    defaults: { team: options.input.team ?? null, app: options.input.app ?? null, feature: options.input.feature ?? null, customer: options.input.customer ?? null },
  });
  return { key, secret };
}

