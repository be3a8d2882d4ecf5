/**
 * The one place a Call is built from a request: what was read from the request, and the fields every call starts
 * with (no key, empty attribution, no target, no attempts, a fresh abort handle). One literal shape for every call.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Call } from '../../pipeline/call.js';
import type { Dialect } from '../../spec/canonical.js';
import type { Endpoint } from '../../spec/ledger.js';
import { AbortHandle } from './abort-handle.js';

export interface NewCallInput {
  requestId: string;
  dialect: Dialect;
  endpoint: Endpoint;
  /** Epoch ms. */
  receivedAt: number;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  rawBody: Buffer;
  model: string;
  stream: boolean;
  bodyUser: string | null;
  credential: string | null;
  response: ServerResponse;
  /** performance.now() when the body had been read (0 when not timed). */
  received: number;
}

export function newCall(input: NewCallInput): Call {
  return {
    requestId: input.requestId,
    dialect: input.dialect,
    endpoint: input.endpoint,
    receivedAt: input.receivedAt,
    headers: input.headers,
    body: input.body,
    rawBody: input.rawBody,
    model: input.model,
    stream: input.stream,
    bodyUser: input.bodyUser,
    credential: input.credential,
    key: null,
    attribution: { keyId: null, team: null, app: null, feature: null, user: null, customer: null, session: null, tags: {} },
    target: null,
    bodyOverrides: null,
    attempts: [],
    controller: new AbortHandle(),
    clientAborted: false,
    response: input.response,
    marks: { received: input.received, upstreamSent: 0, upstreamHeaders: 0 },
  };
}
