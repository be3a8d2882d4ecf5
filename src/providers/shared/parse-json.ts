/** Parses a JSON text without casting; undefined when it is not JSON (provider payloads are then read as absent). */
export function parseJson(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return value;
  } catch {
    return undefined;
  }
}
