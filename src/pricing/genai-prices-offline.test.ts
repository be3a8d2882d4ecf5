/**
 * The price data must be the bundled copy: loading and using the catalog makes no network call. The package's
 * `updatePrices` is the only thing that fetches, and it is never called.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { emptyUsage } from '../spec/usage.js';

afterEach(() => vi.restoreAllMocks());

describe('@pydantic/genai-prices is used offline', () => {
  it('importing it and pricing a call opens no connection', async () => {
    const spies = [
      vi.spyOn(globalThis, 'fetch'),
      vi.spyOn(http, 'request'),
      vi.spyOn(http, 'get'),
      vi.spyOn(https, 'request'),
      vi.spyOn(https, 'get'),
      vi.spyOn(net, 'connect'),
      vi.spyOn(net, 'createConnection'),
    ];
    const { createPriceCatalog, computeCost } = await import('./index.js');
    const entry = createPriceCatalog({}).lookup({ providerFamily: 'openai', model: 'gpt-4o' });
    expect(entry).not.toBeNull();
    if (entry) computeCost({ ...emptyUsage(), inputTokens: 10 }, entry);
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('its module body has no imports and no fetch: data is inline', () => {
    const entryPoint = fileURLToPath(import.meta.resolve('@pydantic/genai-prices'));
    expect(entryPoint).toMatch(/dist[\\/]index\.js$/);
    const source = readFileSync(entryPoint, 'utf8');
    expect(source).not.toMatch(/^\s*import\s/m);
    expect(source).not.toMatch(/\bfetch\s*\(/);
    expect(source).not.toMatch(/\brequire\s*\(/);
  });
});
