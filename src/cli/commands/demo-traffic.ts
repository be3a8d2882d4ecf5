/**
 * The demo's traffic mix: several features, users, customers and models; both dialects, translated both ways;
 * streams, tools, cached prompts, reasoning, embeddings and a few errors. Directives ([[emu:…]]) script the emulator's
 * usage so the costs shown resemble production traffic.
 */
import { request } from 'undici';

export interface DemoCall {
  feature: string;
  customer: string;
  user: string;
  path: '/v1/chat/completions' | '/v1/messages' | '/v1/embeddings';
  body: Record<string, unknown>;
}

const directive = (value: Record<string, unknown>) => `[[emu:${JSON.stringify(value)}]]`;
const customers = ['acme', 'globex', 'initech'];

function supportChat(index: number): DemoCall {
  const stream = index % 2 === 0;
  return {
    feature: 'support-chat',
    customer: customers[index % 3] as string,
    user: `user-${index % 5}`,
    path: '/v1/chat/completions',
    body: {
      model: index % 4 === 0 ? 'claude-haiku-4-5' : 'gpt-4o-mini',
      stream,
      messages: [
        { role: 'system', content: 'You are the support assistant of a project-management product.' },
        { role: 'user', content: `How do I export my board as CSV? (ticket ${index}) ${directive({ usage: { input: 180, cache_read: 1024, output: 90 + index } })}` },
      ],
    },
  };
}

function codeReview(index: number): DemoCall {
  return {
    feature: 'code-review',
    customer: customers[(index + 1) % 3] as string,
    user: `dev-${index % 3}`,
    path: '/v1/messages',
    body: {
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      stream: index % 2 === 1,
      system: [{ type: 'text', text: 'Review the diff for bugs.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: `Review this diff #${index}. ${directive({ thinking: 'Checking the loop bounds.', usage: { input: 420, cache_write_5m: index === 0 ? 3000 : 0, cache_read: index === 0 ? 0 : 3000, output: 350, reasoning: 120 } })}` }],
    },
  };
}

function agentTools(index: number): DemoCall {
  const tools = [{ type: 'function', function: { name: 'lookup_order', description: 'Find an order', parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } } }];
  return {
    feature: 'order-agent',
    customer: customers[index % 3] as string,
    user: `user-${index}`,
    path: '/v1/chat/completions',
    body: {
      model: index % 2 === 0 ? 'gpt-4o' : 'gemini-2.5-flash',
      stream: index % 3 === 0,
      tools,
      messages: [{ role: 'user', content: `Where is order A-${100 + index}? ${directive({ tool_calls: [{ name: 'lookup_order', arguments: { id: `A-${100 + index}` } }], usage: { input: 650, output: 40, reasoning: index % 2 === 0 ? 0 : 30 } })}` }],
    },
  };
}

function reportWriter(index: number): DemoCall {
  return {
    feature: 'weekly-report',
    customer: 'globex',
    user: 'analyst-1',
    path: '/v1/messages',
    body: { model: 'gpt-4o-mini', max_tokens: 800, messages: [{ role: 'user', content: `Summarise week ${index} of sales. ${directive({ usage: { input: 2400, output: 600 } })}` }] },
  };
}

function embeddings(index: number): DemoCall {
  return { feature: 'search-index', customer: customers[index % 3] as string, user: 'indexer', path: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: [`document ${index} part one`, `document ${index} part two`] } };
}

function failures(): DemoCall[] {
  return [
    { feature: 'support-chat', customer: 'acme', user: 'user-1', path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Hello ${directive({ error: { status: 429, retry_after: 2 } })}` }] } },
    { feature: 'code-review', customer: 'initech', user: 'dev-1', path: '/v1/messages', body: { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: `Hi ${directive({ error: { status: 529 } })}` }] } },
    { feature: 'lab', customer: 'initech', user: 'dev-2', path: '/v1/chat/completions', body: { model: 'local-llama', messages: [{ role: 'user', content: 'An unpriced self-hosted model.' }] } },
  ];
}

export function demoCalls(): DemoCall[] {
  const range = (count: number) => Array.from({ length: count }, (_, index) => index);
  return [...range(12).map(supportChat), ...range(6).map(codeReview), ...range(6).map(agentTools), ...range(4).map(reportWriter), ...range(4).map(embeddings), ...failures()];
}

/** Sends the calls in order (a few at a time) and returns how many answered with each status. */
export async function driveTraffic(options: { gatewayUrl: string; calls: DemoCall[]; concurrency?: number }): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  const queue = [...options.calls];
  const worker = async () => {
    for (let call = queue.shift(); call; call = queue.shift()) {
      const response = await request(options.gatewayUrl + call.path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-jevons-feature': call.feature, 'x-jevons-customer': call.customer, 'x-jevons-user': call.user },
        body: JSON.stringify(call.body),
      });
      await response.body.text();
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return statuses;
}
