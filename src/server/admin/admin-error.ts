/**
 * Errors of the admin API: a status, a stable code, a message naming what was expected, and the parameter at fault.
 * Rendered as `{"error": {"code", "message", "param"}}` by one function (sendAdminError); handlers throw, never render.
 */
import type { ServerResponse } from 'node:http';
import { GatewayError } from '../../spec/errors.js';

export type AdminErrorCode =
  | 'invalid_parameter'
  | 'invalid_body'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'admin_disabled'
  | 'internal';

const statusOf: Record<AdminErrorCode, number> = {
  invalid_parameter: 400,
  invalid_body: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  admin_disabled: 503,
  internal: 500,
};

export class AdminError extends Error {
  readonly code: AdminErrorCode;
  readonly status: number;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(options: { code: AdminErrorCode; message: string; param?: string; headers?: Record<string, string> }) {
    super(options.message);
    this.name = 'AdminError';
    this.code = options.code;
    this.status = statusOf[options.code];
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }
}

/** A 400 naming the parameter and what it expected. */
export const badParam = (param: string, message: string): AdminError => new AdminError({ code: 'invalid_parameter', param, message: `${param}: ${message}` });

export function sendAdminJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  response.end(text);
}

/** Renders any error; unknown ones become a 500 whose detail goes to the log only. */
export function sendAdminError(response: ServerResponse, error: unknown, logInternal: (error: unknown) => void): void {
  if (response.headersSent) {
    if (!response.writableEnded) response.end();
    return;
  }
  let admin: AdminError;
  if (error instanceof AdminError) admin = error;
  else if (GatewayError.isInstance(error) && error.code === 'body_too_large') admin = new AdminError({ code: 'invalid_body', message: error.message });
  else {
    logInternal(error);
    admin = new AdminError({ code: 'internal', message: 'Internal error; see the gateway log.' });
  }
  sendAdminJson(response, admin.status, { error: { code: admin.code, message: admin.message, param: admin.param } }, admin.headers);
}
