/**
 * Output items of an emulated Responses API call (reasoning, message, function calls), each with its final shape
 * and the streaming events that build it, in the order the API sends them:
 * https://platform.openai.com/docs/api-reference/responses-streaming
 */
import { splitPieces, splitWords, type Frame } from './respond.js';
import type { PlannedToolCall, Scenario } from './scenario.js';

export type ResponseItem = Record<string, unknown>;

export type PushEvent = (kind: Frame['kind'], type: string, fields: Record<string, unknown>, text?: string) => void;

export interface EmittedItem {
  /** The item as it appears in `output` of the final response. */
  done: ResponseItem;
  /** Emits this item's streaming events. */
  events: (outputIndex: number, push: PushEvent) => void;
}

export interface ItemIds {
  reasoning: string;
  message: string;
  functionCall: (index: number) => string;
  callId: (call: PlannedToolCall) => string;
}

/** Reasoning is never shown by OpenAI: the item carries an empty summary; only the token count reveals it. */
function reasoningItem(id: string): EmittedItem {
  const done = { id, type: 'reasoning', summary: [] };
  return {
    done,
    events: (outputIndex, push) => {
      push('meta', 'response.output_item.added', { output_index: outputIndex, item: done });
      push('meta', 'response.output_item.done', { output_index: outputIndex, item: done });
    },
  };
}

function messageItem(id: string, scenario: Scenario): EmittedItem {
  const text = scenario.reply;
  const part = { type: 'output_text', annotations: [], logprobs: [], text };
  const status = scenario.finish === 'length' || scenario.finish === 'content_filter' ? 'incomplete' : 'completed';
  const done = { id, type: 'message', status, content: [part], role: 'assistant' };
  return {
    done,
    events: (outputIndex, push) => {
      const at = { item_id: id, output_index: outputIndex, content_index: 0 };
      const added = { id, type: 'message', status: 'in_progress', content: [], role: 'assistant' };
      push('meta', 'response.output_item.added', { output_index: outputIndex, item: added });
      push('meta', 'response.content_part.added', { ...at, part: { ...part, text: '' } });
      for (const word of splitWords(text)) push('content', 'response.output_text.delta', { ...at, delta: word, logprobs: [] }, word);
      push('meta', 'response.output_text.done', { ...at, text, logprobs: [] });
      push('meta', 'response.content_part.done', { ...at, part });
      push('meta', 'response.output_item.done', { output_index: outputIndex, item: done });
    },
  };
}

function functionCallItem(id: string, callId: string, call: PlannedToolCall): EmittedItem {
  const done = { id, type: 'function_call', status: 'completed', arguments: call.arguments, call_id: callId, name: call.name };
  return {
    done,
    events: (outputIndex, push) => {
      const added = { ...done, status: 'in_progress', arguments: '' };
      push('meta', 'response.output_item.added', { output_index: outputIndex, item: added });
      for (const piece of splitPieces(call.arguments)) {
        push('content', 'response.function_call_arguments.delta', { item_id: id, output_index: outputIndex, delta: piece }, piece);
      }
      push('meta', 'response.function_call_arguments.done', { item_id: id, output_index: outputIndex, name: call.name, arguments: call.arguments });
      push('meta', 'response.output_item.done', { output_index: outputIndex, item: done });
    },
  };
}

/** The output items of a scenario: reasoning (when it reasoned), the message (unless only tools), function calls. */
export function responseItems(options: { scenario: Scenario; ids: ItemIds }): EmittedItem[] {
  const { scenario, ids } = options;
  const items: EmittedItem[] = [];
  if (scenario.usage.reasoning > 0 || scenario.thinking !== undefined) items.push(reasoningItem(ids.reasoning));
  if (scenario.reply !== '' || scenario.toolCalls.length === 0) items.push(messageItem(ids.message, scenario));
  scenario.toolCalls.forEach((call, index) => items.push(functionCallItem(ids.functionCall(index), ids.callId(call), call)));
  return items;
}
