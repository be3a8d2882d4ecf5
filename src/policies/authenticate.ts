import { createHash } from 'node:crypto';
import type { Policy } from '../pipeline/call.js';
import { GatewayError } from '../spec/errors.js';
import type { VirtualKey } from '../spec/ports.js';

export interface AuthenticateOptions {
  /** keys: a valid virtual key is required; passthrough: the caller's own provider key is used upstream (a virtual
   * key, if presented, attributes the request and is never sent upstream); none: no check (local use). */
  mode: 'keys' | 'passthrough' | 'none';
  findKey: (secretHash: string) => Promise<VirtualKey | null>;
}

/** Virtual keys are random 190-bit secrets, so a fast hash is safe (no password stretching needed). */
export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** Resolves the caller's credential to a virtual key. */
export const authenticate = (options: AuthenticateOptions): Policy => {
  // Callers present the same few secrets over and over: remember their hashes (bounded) instead of re-hashing.
  const hashes = new Map<string, string>();
  const hashOf = (secret: string): string => {
    let hash = hashes.get(secret);
    if (hash === undefined) {
      if (hashes.size >= 1024) hashes.clear();
      hash = hashSecret(secret);
      hashes.set(secret, hash);
    }
    return hash;
  };
  return async function authenticate(call, next) {
    if (options.mode === 'none' || call.credential === null) {
      if (options.mode === 'keys') {
        throw new GatewayError({ code: 'unauthenticated', message: 'Missing API key: send a Jevons virtual key as "Authorization: Bearer <key>" or "x-api-key: <key>".' });
      }
      return next();
    }
    const key = await options.findKey(hashOf(call.credential));
    if (key && key.revokedAt !== null) {
      // A revoked Jevons key is refused in every mode: in pass-through it must never be mistaken for a provider key.
      throw new GatewayError({ code: 'unauthenticated', message: `Invalid API key: the key ${call.credential.slice(0, 6)}… was revoked.` });
    }
    if (key) call.key = key;
    else if (options.mode === 'keys') {
      throw new GatewayError({ code: 'unauthenticated', message: `Invalid API key: the key ${call.credential.slice(0, 6)}… is not a known Jevons key.` });
    }
    return next();
  };
};
