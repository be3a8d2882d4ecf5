/**
 * Cascade validators: each judges a cheaper tier's buffered answer; the first that fails names the escalation
 * (`cascade:<type>`). Built once from `routing.cascade.validators`; every check is pure except `webhook`, whose HTTP
 * post is injected (policies do no I/O of their own).
 */
import { z } from 'zod';
import type { ValidatorConfig } from '../../../spec/config/routing-schema.js';
import type { ChatRequest, ChatResponse } from '../../../spec/canonical.js';
import { validateJsonSchema } from './json-schema.js';
import { findRefusal } from './refusal.js';

export interface ValidationInput {
  /** The caller's body as received (sent to webhooks). */
  body: Record<string, unknown>;
  /** The canonical request (its response format supplies the json_schema validator's default schema). */
  request: ChatRequest;
  response: ChatResponse;
}

export type Verdict = { pass: true } | { pass: false; validator: string; reason: string };

export type Validator = (input: ValidationInput) => Promise<Verdict> | Verdict;

/**
 * POSTs `payload` as JSON to `url` and resolves with the parsed JSON answer; rejects on a transport error, a
 * non-2xx status, a body that is not JSON, or when `timeoutMs` passes.
 */
export type WebhookPost = (input: { url: string; payload: unknown; timeoutMs: number }) => Promise<unknown>;

export interface ValidatorDeps {
  post: WebhookPost;
  /** Called when a webhook could not answer (the answer then passes; see `webhook` below). */
  onWebhookError?: (error: unknown, url: string) => void;
}

/** The answer's text: its text parts joined (reasoning and tool calls excluded). */
export function answerText(response: ChatResponse): string {
  let text = '';
  for (const part of response.content) if (part.type === 'text') text += part.text;
  return text;
}

const hasToolCalls = (response: ChatResponse): boolean => response.content.some((part) => part.type === 'tool-call');

const fail = (validator: string, reason: string): Verdict => ({ pass: false, validator, reason });
const pass: Verdict = { pass: true };

/** Parses the answer as JSON (a ```json fence is tolerated) and checks it against the configured or requested schema. */
function jsonSchema(config: Extract<ValidatorConfig, { type: 'json_schema' }>): Validator {
  return ({ request, response }) => {
    if (hasToolCalls(response) && answerText(response).trim() === '') return pass;
    const text = answerText(response).trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, '$1');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return fail('json_schema', 'the answer is not JSON');
    }
    const format = request.responseFormat;
    const schema = config.schema ?? (format?.type === 'json_schema' ? format.schema : null);
    if (schema === null) return pass;
    const problem = validateJsonSchema(value, schema);
    return problem === null ? pass : fail('json_schema', problem);
  };
}

const notEmpty: Validator = ({ response }) => (answerText(response).trim() !== '' || hasToolCalls(response) ? pass : fail('not_empty', 'the answer is empty'));

const noRefusal: Validator = ({ response }) => {
  if (response.finishReason === 'content-filter' || response.finishReason === 'refusal') return fail('no_refusal', `finish reason ${response.finishReason}`);
  const phrase = findRefusal(answerText(response));
  return phrase === null ? pass : fail('no_refusal', `the answer opens with a refusal ("${phrase}")`);
};

function length(config: Extract<ValidatorConfig, { type: 'length' }>): Validator {
  return ({ response }) => {
    const size = [...answerText(response)].length;
    if (config.min_chars !== undefined && size < config.min_chars) return fail('length', `${size} characters, fewer than ${config.min_chars}`);
    if (config.max_chars !== undefined && size > config.max_chars) return fail('length', `${size} characters, more than ${config.max_chars}`);
    return pass;
  };
}

function regex(config: Extract<ValidatorConfig, { type: 'regex' }>): Validator {
  const pattern = new RegExp(config.pattern, 'u');
  return ({ response }) => {
    const matched = pattern.test(answerText(response));
    if (matched === config.must_match) return pass;
    return fail('regex', config.must_match ? `the answer does not match ${config.pattern}` : `the answer matches ${config.pattern}`);
  };
}

const webhookAnswer = z.object({ pass: z.boolean(), reason: z.string().optional() });

/**
 * POSTs {request, response} and reads {pass, reason?}. A webhook that times out, errors or answers something else
 * lets the answer PASS: an unavailable validator must not turn every call into a frontier call (fail open; the
 * error is reported through onWebhookError).
 */
function webhook(config: Extract<ValidatorConfig, { type: 'webhook' }>, deps: ValidatorDeps): Validator {
  return async ({ body, response }) => {
    const payload = {
      request: body,
      response: {
        model: response.model,
        text: answerText(response),
        finish_reason: response.finishReason,
        tool_calls: response.content.flatMap((part) => (part.type === 'tool-call' ? [{ name: part.name, arguments: part.arguments }] : [])),
      },
    };
    let answer: unknown;
    try {
      answer = await deps.post({ url: config.url, payload, timeoutMs: config.timeout_ms });
    } catch (error) {
      deps.onWebhookError?.(error, config.url);
      return pass;
    }
    const parsed = webhookAnswer.safeParse(answer);
    if (!parsed.success) {
      deps.onWebhookError?.(new Error('the webhook answered without a boolean "pass"'), config.url);
      return pass;
    }
    return parsed.data.pass ? pass : fail('webhook', parsed.data.reason ?? 'the webhook rejected the answer');
  };
}

export function createValidator(config: ValidatorConfig, deps: ValidatorDeps): Validator {
  switch (config.type) {
    case 'json_schema':
      return jsonSchema(config);
    case 'not_empty':
      return notEmpty;
    case 'no_refusal':
      return noRefusal;
    case 'length':
      return length(config);
    case 'regex':
      return regex(config);
    case 'webhook':
      return webhook(config, deps);
  }
}

/** Runs the validators in order; the first failure decides. */
export async function runValidators(validators: readonly Validator[], input: ValidationInput): Promise<Verdict> {
  for (const validator of validators) {
    const verdict = await validator(input);
    if (!verdict.pass) return verdict;
  }
  return pass;
}
