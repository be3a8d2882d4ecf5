/**
 * Admin authentication: `Authorization: Bearer <token>` must equal the admin token (the value of the environment
 * variable named by admin.token_env). Compared in constant time over SHA-256 digests, so neither the content nor the
 * length of the token leaks through timing. Virtual keys are never consulted: a virtual key is just a wrong token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AdminError } from './admin-error.js';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

export interface AdminAuth {
  /** Throws AdminError 503 when no token is configured, 401 when the request does not carry it. */
  check(headers: IncomingHttpHeaders): void;
}

export function createAdminAuth(options: { token: string | undefined; tokenEnv: string }): AdminAuth {
  const expected = options.token === undefined || options.token === '' ? null : digest(options.token);
  const challenge = { 'www-authenticate': 'Bearer realm="jevons-admin"' };
  return {
    check(headers) {
      if (expected === null) {
        throw new AdminError({ code: 'admin_disabled', message: `admin API disabled: set the environment variable ${options.tokenEnv} (admin.token_env) to an admin token and restart.` });
      }
      const authorization = headers.authorization;
      if (authorization === undefined || !/^Bearer\s+\S/i.test(authorization)) {
        throw new AdminError({ code: 'unauthenticated', param: 'Authorization', message: 'Authorization: expected "Bearer <admin token>".', headers: challenge });
      }
      const given = digest(authorization.replace(/^Bearer\s+/i, '').trim());
      if (!timingSafeEqual(given, expected)) {
        throw new AdminError({ code: 'unauthenticated', param: 'Authorization', message: 'Authorization: the admin token is not valid (virtual keys do not open the admin API).', headers: challenge });
      }
    },
  };
}
