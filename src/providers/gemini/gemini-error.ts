/**
 * A Gemini HTTP error → UpstreamHttpError. Google APIs answer errors with `{"error": {"code", "message", "status"}}`
 * (https://ai.google.dev/gemini-api/docs/troubleshooting; status is the canonical code name such as
 * INVALID_ARGUMENT or RESOURCE_EXHAUSTED); streaming endpoints have also been seen to wrap it in a one-element array.
 * The message and status are read from it; a body that is not such JSON gives its raw text as the message.
 */
import { z } from 'zod';
import type { UpstreamHttpError } from '../../spec/errors.js';
import { toUpstreamError, type UpstreamErrorInput } from '../shared/upstream-error.js';
import { googleErrorBodySchema } from './gemini-api.js';
import { parseJson } from '../shared/parse-json.js';

const errorBodySchema = z.union([googleErrorBodySchema, z.array(googleErrorBodySchema).min(1)]);

export function parseGeminiError(input: UpstreamErrorInput): UpstreamHttpError {
  const error = readGoogleError(input.body);
  return toUpstreamError(input, { message: error?.message ?? undefined, type: error?.status ?? undefined });
}

function readGoogleError(body: string): { message: string | undefined; status: string | undefined } | undefined {
  const parsed = errorBodySchema.safeParse(parseJson(body));
  if (!parsed.success) return undefined;
  const error = Array.isArray(parsed.data) ? parsed.data[0]?.error : parsed.data.error;
  if (error === undefined) return undefined;
  const message = error.message != null && error.message !== '' ? error.message : undefined;
  return { message, status: error.status ?? undefined };
}
