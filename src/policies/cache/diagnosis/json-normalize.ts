/**
 * JSON with its keys sorted, for telling "the same object with its keys in another order" from a real change. A
 * text segment is normalised by re-serialising every top-level JSON object embedded in it (a system prompt that
 * pastes a config, a tool schema), compactly and with sorted keys; the text around the objects is kept as is.
 */

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isRecord(value)) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key]);
  return sorted;
}

/** Compact JSON text of `value` with every object's keys sorted. */
export function sortedJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? '';
}

/** Index just past the `}` closing the object that opens at `start`, or -1 (strings and escapes respected). */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index += 1) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth += 1;
    else if (char === '}' || char === ']') {
      depth -= 1;
      if (depth === 0) return char === '}' ? index + 1 : -1;
    }
  }
  return -1;
}

function parseObject(text: string): unknown {
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The text with each embedded JSON object re-serialised with sorted keys; other text unchanged. */
export function normalizeEmbeddedJson(text: string): string {
  let out = '';
  let copied = 0;
  let at = text.indexOf('{');
  while (at !== -1) {
    const end = objectEnd(text, at);
    const parsed = end === -1 ? undefined : parseObject(text.slice(at, end));
    if (parsed === undefined) {
      at = text.indexOf('{', at + 1);
      continue;
    }
    out += text.slice(copied, at) + sortedJson(parsed);
    copied = end;
    at = text.indexOf('{', end);
  }
  return copied === 0 ? text : out + text.slice(copied);
}
