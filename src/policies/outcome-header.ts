/**
 * The outcome round-trip (docs/outcomes.md): SDK users mark earlier requests without an extra call. Every model
 * response carries `x-jevons-request-id`; a later model call may send
 *   x-jevons-outcome: <request-id>=success|failure|<score 0..1>[, <request-id>=…]
 *   x-jevons-session-outcome: success|failure|<score 0..1>     (applies to this call's x-jevons-session)
 * The headers are parsed before the call goes on (a malformed value is a 400 naming the header, before anything is
 * sent upstream) and recorded once the call is over, whatever its result: the outcome is about an earlier request,
 * and the call itself is never delayed or failed by a storage error (it is reported through onError). A call without
 * either header costs two property reads. Placed right after `attribute` (it needs the session and the key).
 */
import type { Policy } from '../pipeline/call.js';
import { GatewayError } from '../spec/errors.js';
import type { OutcomeRecord } from '../spec/outcomes.js';

export type { OutcomeRecord } from '../spec/outcomes.js';

export interface OutcomeHeaderOptions {
  /** Stores a batch; may throw or reject: the error goes to onError, never to the caller. */
  record: (rows: OutcomeRecord[]) => void | Promise<void>;
  onError: (error: unknown) => void;
  now: () => number;
  newId: () => string;
}

export const OUTCOME_HEADER = 'x-jevons-outcome';
export const SESSION_OUTCOME_HEADER = 'x-jevons-session-outcome';
/** At most this many entries in one x-jevons-outcome header (the POST endpoint takes 1000). */
const MAX_ENTRIES = 100;
const MAX_ID_LENGTH = 200;
/** Plain decimals (`0`, `1`, `0.75`, `.5`, `1.0`): no exponent, sign, hex or Infinity. */
const scorePattern = /^(?:[01](?:\.\d*)?|\.\d+)$/;

export type OutcomeValue = { status: 'success' | 'failure'; score: null } | { status: null; score: number };

const invalid = (header: string, message: string): GatewayError => new GatewayError({ code: 'invalid_request', param: header, message: `${header}: ${message}` });

/** `success`, `failure` or a decimal score from 0 to 1; anything else is a 400 naming `header`. */
export function parseOutcomeValue(text: string, header: string): OutcomeValue {
  const value = text.trim();
  if (value === 'success' || value === 'failure') return { status: value, score: null };
  if (scorePattern.test(value)) {
    const score = Number(value);
    if (score >= 0 && score <= 1) return { status: null, score };
  }
  throw invalid(header, `expected success, failure or a score from 0 to 1, got ${JSON.stringify(value)}`);
}

/** `req-a=success, req-b=0.4` → [{requestId, value}]; the id is what precedes the last `=`. */
export function parseOutcomeHeader(text: string): Array<{ requestId: string; value: OutcomeValue }> {
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length === 0) throw invalid(OUTCOME_HEADER, 'expected <request-id>=success|failure|<score>, got an empty value');
  if (entries.length > MAX_ENTRIES) throw invalid(OUTCOME_HEADER, `at most ${MAX_ENTRIES} entries, got ${entries.length} (POST /v1/jevons/outcomes takes up to 1000)`);
  return entries.map((entry) => {
    const equals = entry.lastIndexOf('=');
    const requestId = equals < 0 ? '' : entry.slice(0, equals).trim();
    if (requestId === '' || requestId.length > MAX_ID_LENGTH) {
      throw invalid(OUTCOME_HEADER, `expected <request-id>=success|failure|<score> (the request id of an earlier response's x-jevons-request-id), got ${JSON.stringify(entry.slice(0, 80))}`);
    }
    return { requestId, value: parseOutcomeValue(entry.slice(equals + 1), OUTCOME_HEADER) };
  });
}

const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.join(',') : value);

export const outcomeHeader = (options: OutcomeHeaderOptions): Policy =>
  async function outcomeHeader(call, next) {
    const headers = call.headers;
    const requestText = single(headers[OUTCOME_HEADER]);
    const sessionText = single(headers[SESSION_OUTCOME_HEADER]);
    if (requestText === undefined && sessionText === undefined) return next();
    const keyId = call.key?.id ?? '';
    const rows: OutcomeRecord[] = [];
    const push = (ids: { requestId: string | null; sessionId: string | null }, value: OutcomeValue) =>
      rows.push({ id: options.newId(), at: 0, ...ids, status: value.status, score: value.score, keyId, source: 'header', note: null });
    if (requestText !== undefined) for (const entry of parseOutcomeHeader(requestText)) push({ requestId: entry.requestId, sessionId: null }, entry.value);
    if (sessionText !== undefined) {
      const value = parseOutcomeValue(sessionText, SESSION_OUTCOME_HEADER);
      const session = call.attribution.session;
      if (session === null) throw invalid(SESSION_OUTCOME_HEADER, 'needs the session it applies to: send x-jevons-session with the same call');
      push({ requestId: null, sessionId: session }, value);
    }
    try {
      await next();
    } finally {
      const at = options.now();
      for (const row of rows) row.at = at;
      try {
        Promise.resolve(options.record(rows)).catch(options.onError);
      } catch (error) {
        options.onError(error);
      }
    }
  };
