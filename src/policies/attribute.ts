import type { Policy } from '../pipeline/call.js';
import { GatewayError } from '../spec/errors.js';

const header = (value: string | string[] | undefined): string | null => {
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? null : text;
};

/** Parses `x-jevons-tags: k=v,k2=v2`; a malformed entry is an error naming it, not silently dropped. */
export function parseTags(text: string | null): Record<string, string> {
  const tags: Record<string, string> = {};
  if (text === null) return tags;
  for (const entry of text.split(',')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const equals = trimmed.indexOf('=');
    if (equals <= 0) {
      throw new GatewayError({ code: 'invalid_request', param: 'x-jevons-tags', message: `x-jevons-tags: expected key=value pairs separated by commas, got "${trimmed}"` });
    }
    tags[trimmed.slice(0, equals).trim()] = trimmed.slice(equals + 1).trim();
  }
  return tags;
}

/**
 * Attribution = the key's defaults, overlaid by x-jevons-* headers, with the body's end-user id as the user when no
 * header names one.
 */
export const attribute = (): Policy =>
  async function attribute(call, next) {
    const headers = call.headers;
    const defaults = call.key?.defaults;
    call.attribution = {
      keyId: call.key?.id ?? null,
      team: header(headers['x-jevons-team']) ?? defaults?.team ?? null,
      app: header(headers['x-jevons-app']) ?? defaults?.app ?? null,
      feature: header(headers['x-jevons-feature']) ?? defaults?.feature ?? null,
      user: header(headers['x-jevons-user']) ?? call.bodyUser,
      customer: header(headers['x-jevons-customer']) ?? defaults?.customer ?? null,
      session: header(headers['x-jevons-session']),
      tags: parseTags(header(headers['x-jevons-tags'])),
    };
    return next();
  };
