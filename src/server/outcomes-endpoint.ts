/**
 * `POST /v1/jevons/outcomes` (docs/outcomes.md): marks earlier requests, or whole sessions, as success / failure /
 * score. Authenticated exactly like a model call (the gateway's own authenticate policy; open when server.auth is
 * none), answered locally, nothing sent upstream and no ledger row. Body: one outcome or `{outcomes: [...]}` (1 to
 * 1000), each `{request_id | session_id (exactly one), outcome?: success|failure, score?: 0..1, note?: ≤ 500 chars}`
 * with at least one of outcome / score. Strict: an unknown field is a 400 naming it; the whole batch is recorded or
 * none. 200 `{recorded: n}`. Errors are rendered in the OpenAI shape, or the Anthropic one when the request carries
 * `anthropic-version` (what every Anthropic SDK sends). Request ids are not checked against the ledger: an outcome
 * may arrive before its request's row is flushed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { compose, type Call, type Policy } from '../pipeline/call.js';
import type { OutcomeRecord } from '../policies/outcome-header.js';
import type { Dialect } from '../spec/canonical.js';
import { GatewayError } from '../spec/errors.js';
import { sendJson } from './app.js';
import { newCall } from './http/new-call.js';
import { readBody } from './http/read-body.js';

export const OUTCOMES_PATH = '/v1/jevons/outcomes';
export const MAX_OUTCOMES = 1_000;

export interface OutcomesEndpointDeps {
  /** The gateway's authenticate policy (the same instance as the model routes'). */
  authenticate: Policy;
  /** Stores one batch, all or nothing (src/stores/sqlite/outcome-store.ts createOutcomeWriter). */
  record: (rows: OutcomeRecord[]) => void | Promise<void>;
  now: () => number;
  newId: () => string;
  maxBodyBytes: number;
}

export interface OutcomesRequest {
  request: IncomingMessage;
  response: ServerResponse;
  requestId: string;
  /** The secret the caller presented (Authorization: Bearer or x-api-key), if any. */
  credential: string | null;
}

export interface OutcomesEndpoint {
  handle: (input: OutcomesRequest) => Promise<void>;
  dialectOf: (request: Pick<IncomingMessage, 'headers'>) => Dialect;
}

const idSchema = (field: string) => z.string({ error: `expected a non-empty string` }).min(1, { error: 'expected a non-empty string' }).max(200, { error: `expected at most 200 characters (${field})` });
const fields = ['request_id', 'session_id', 'outcome', 'score', 'note'];

const outcomeSchema = z
  .object({
    request_id: idSchema('request_id').optional(),
    session_id: idSchema('session_id').optional(),
    outcome: z.enum(['success', 'failure'], { error: 'expected "success" or "failure"' }).optional(),
    score: z.number({ error: 'expected a number from 0 to 1' }).min(0, { error: 'expected a number from 0 to 1' }).max(1, { error: 'expected a number from 0 to 1' }).optional(),
    note: z.string({ error: 'expected a string' }).max(500, { error: 'expected at most 500 characters' }).optional(),
  }, { error: 'expected an object {request_id | session_id, outcome?, score?, note?}' })
  .strict()
  .superRefine((o, context) => {
    if (o.request_id === undefined && o.session_id === undefined) context.addIssue({ code: 'custom', path: ['request_id'], message: 'required: give request_id (one request) or session_id (a whole session)' });
    if (o.request_id !== undefined && o.session_id !== undefined) context.addIssue({ code: 'custom', path: ['session_id'], message: 'give request_id or session_id, not both' });
    if (o.outcome === undefined && o.score === undefined) context.addIssue({ code: 'custom', path: ['outcome'], message: 'required: give outcome (success | failure), score (0 to 1) or both' });
  });
type OutcomeInput = z.output<typeof outcomeSchema>;

const batchSchema = z
  .object({ outcomes: z.array(outcomeSchema, { error: 'expected an array of outcomes' }).min(1, { error: `expected 1 to ${MAX_OUTCOMES} outcomes` }).max(MAX_OUTCOMES, { error: `expected 1 to ${MAX_OUTCOMES} outcomes` }) })
  .strict();

/** `outcomes[3].score` from a zod path. */
const pathText = (path: ReadonlyArray<PropertyKey>): string => path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`)).join('');

function valueAt(data: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current = data;
  for (const part of path) current = typeof current === 'object' && current !== null ? (current as Record<PropertyKey, unknown>)[part] : undefined;
  return current;
}

/** The outcomes of a body, or a 400 naming the first field at fault and what it expected. */
export function parseOutcomesBody(data: unknown): OutcomeInput[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new GatewayError({ code: 'invalid_request', param: 'body', message: 'body: expected a JSON object: one outcome or {"outcomes": [...]}' });
  }
  const batch = 'outcomes' in data;
  const parsed = batch ? batchSchema.safeParse(data) : outcomeSchema.safeParse(data);
  if (parsed.success) return 'outcomes' in parsed.data ? parsed.data.outcomes : [parsed.data];
  const issue = parsed.error.issues[0];
  if (issue === undefined) throw new GatewayError({ code: 'invalid_request', param: 'body', message: 'body: invalid' });
  if (issue.code === 'unrecognized_keys') {
    const param = pathText([...issue.path, String(issue.keys[0])]);
    const known = issue.path.length === 0 && batch ? 'outcomes' : fields.join(', ');
    throw new GatewayError({ code: 'invalid_request', param, message: `${param}: unknown field (expected ${known})` });
  }
  const param = pathText(issue.path) || 'body';
  const got = valueAt(data, issue.path);
  const shown = issue.code === 'custom' || got === undefined ? '' : `, got ${JSON.stringify(got)?.slice(0, 80)}`;
  throw new GatewayError({ code: 'invalid_request', param, message: `${param}: ${issue.message}${shown}` });
}

function parseJson(bytes: Buffer): unknown {
  if (bytes.length === 0) throw new GatewayError({ code: 'invalid_request', param: 'body', message: 'body: expected a JSON object: one outcome or {"outcomes": [...]}, got nothing' });
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new GatewayError({ code: 'invalid_json', message: `Request body is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`, cause });
  }
}

/** The fields the authenticate policy reads; the model fields stay empty (nothing is routed). */
function authCall(input: OutcomesRequest, now: number): Call {
  return newCall({ requestId: input.requestId, dialect: 'openai', endpoint: 'chat', receivedAt: now, headers: input.request.headers, body: {}, rawBody: Buffer.alloc(0), model: '', stream: false, bodyUser: null, credential: input.credential, response: input.response, received: 0 });
}

export function createOutcomesEndpoint(deps: OutcomesEndpointDeps): OutcomesEndpoint {
  const handle = async (input: OutcomesRequest): Promise<void> => {
    const bytes = await readBody(input.request, deps.maxBodyBytes);
    const call = authCall(input, deps.now());
    const answer = async (authenticated: Call): Promise<void> => {
      const outcomes = parseOutcomesBody(parseJson(bytes));
      const at = deps.now();
      const keyId = authenticated.key?.id ?? '';
      const rows: OutcomeRecord[] = outcomes.map((o) => ({ id: deps.newId(), at, requestId: o.request_id ?? null, sessionId: o.session_id ?? null, status: o.outcome ?? null, score: o.score ?? null, keyId, source: 'api', note: o.note ?? null }));
      await deps.record(rows);
      sendJson(input.response, 200, { recorded: rows.length }, { 'x-jevons-request-id': input.requestId });
    };
    await compose([deps.authenticate], answer)(call);
  };
  return { handle, dialectOf: (request) => (request.headers['anthropic-version'] ? 'anthropic' : 'openai') };
}
