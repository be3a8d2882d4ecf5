import { UpstreamHttpError } from '../../spec/errors.js';

/** The raw text kept as a message when a provider's error body cannot be read. */
const maxRawMessage = 500;

export interface UpstreamErrorInput {
  status: number;
  body: string;
  headers: Record<string, string>;
  provider: string;
}

/**
 * Builds the UpstreamHttpError of a provider error response from what the provider's own reader got out of the body;
 * when it got no message, the message is the raw text (truncated) or, for an empty body, the status line.
 */
export function toUpstreamError(input: UpstreamErrorInput, read: { message: string | undefined; type: string | undefined }): UpstreamHttpError {
  const raw = input.body.trim();
  const message = read.message ?? (raw === '' ? `HTTP ${input.status} from provider "${input.provider}"` : raw.slice(0, maxRawMessage));
  return new UpstreamHttpError({ status: input.status, body: input.body, headers: input.headers, provider: input.provider, message, ...(read.type === undefined ? {} : { upstreamType: read.type }) });
}
