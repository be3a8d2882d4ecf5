/**
 * OpenAI Models: `GET /v1/models` and `GET /v1/models/{model}`. https://platform.openai.com/docs/api-reference/models
 * Any model id is served by the emulator, so retrieving an unlisted id succeeds too.
 */
import type { ExchangeContext } from './exchange.js';
import { providerHeaders } from './provider-errors.js';
import { sendJson, sleep } from './respond.js';

/** Models the emulator lists; `created` is fixed so the listing is deterministic. */
export const listedModels = [
  'gpt-4o',
  'gpt-4o-mini',
  'gpt-4.1',
  'gpt-4.1-mini',
  'gpt-5',
  'gpt-5-mini',
  'o3',
  'o4-mini',
  'text-embedding-3-small',
  'text-embedding-3-large',
] as const;

const created = 1_700_000_000;

function modelObject(id: string) {
  return { id, object: 'model', created, owned_by: 'system' };
}

export async function handleListModels(ctx: ExchangeContext): Promise<void> {
  await sleep(ctx.latencyMs);
  const body = { object: 'list', data: listedModels.map(modelObject) };
  sendJson(ctx.res, { status: 200, body, headers: providerHeaders('openai', ctx.seq) });
}

export async function handleRetrieveModel(ctx: ExchangeContext, id: string): Promise<void> {
  await sleep(ctx.latencyMs);
  sendJson(ctx.res, { status: 200, body: modelObject(id), headers: providerHeaders('openai', ctx.seq) });
}
