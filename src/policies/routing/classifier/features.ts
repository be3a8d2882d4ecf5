/**
 * Feature extraction for the complexity classifier. The SAME function runs when the weights are trained
 * (bench/routing/train-router.mjs bundles this file) and when a request is scored, so the two cannot drift.
 *
 * The vector is DENSE_FEATURES (named, raw values, mostly log-scaled) followed by HASH_BUCKETS hashed
 * word / word-bigram presence slots scaled to unit length. Only a bounded part of the text is scanned
 * (system head, last user message head and tail), so the cost is bounded for any prompt size; lengths are
 * taken from the whole conversation.
 */
import type { ChatMessage, ResponseFormat, ToolDefinition } from '../../../spec/canonical.js';
import { createBagSink, cueCount, emptyStats, resetBag, resetStats, scanText, type BagSink, type TextStats } from './text-scan.js';

export interface ComplexityInput {
  system?: string;
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  maxOutputTokens?: number;
  responseFormat?: ResponseFormat;
}

/** Bumped whenever the meaning or order of a feature changes; the weights record the version they were fit for. */
export const FEATURE_VERSION = 2;
export const HASH_BUCKETS = 2048;

export const DENSE_FEATURES = [
  'log_chars',
  'log_last_user_chars',
  'log_system_chars',
  'log_messages',
  'log_assistant_turns',
  'log_tools',
  'log_tool_results',
  'log_images',
  'log_max_output_tokens',
  'has_max_output_tokens',
  'json_output',
  'log_schema_properties',
  'code_fences',
  'log_code_cues',
  'log_code_symbols',
  'log_math_cues',
  'digit_ratio',
  'log_numbers',
  'log_operators',
  'log_latex',
  'log_reasoning_cues',
  'step_by_step',
  'log_choice_lines',
  'log_question_marks',
  'log_newlines',
  'log_words',
  'long_word_ratio',
  'mean_word_length',
  'log_negation_cues',
  'log_simple_cues',
] as const;

export type DenseFeature = (typeof DENSE_FEATURES)[number];
export const DENSE_COUNT = DENSE_FEATURES.length;
export const FEATURE_COUNT = DENSE_COUNT + HASH_BUCKETS;

const SYSTEM_SCAN_CHARS = 1_000;
const HEAD_SCAN_CHARS = 3_072;
const TAIL_SCAN_CHARS = 1_024;
const STEP_BY_STEP = /step[\s-]+by[\s-]+step/i;

const index = Object.fromEntries(DENSE_FEATURES.map((name, position) => [name, position])) as Record<DenseFeature, number>;

interface Conversation {
  chars: number;
  systemChars: number;
  lastUser: string;
  assistantTurns: number;
  toolResults: number;
  images: number;
}

function textOf(message: ChatMessage): string {
  if (message.role === 'system') return message.content;
  let text = '';
  for (const part of message.content) {
    if (part.type === 'text' || part.type === 'reasoning') text += text === '' ? part.text : `\n${part.text}`;
    else if (part.type === 'tool-result') text += part.content;
    else if (part.type === 'tool-call') text += part.arguments;
  }
  return text;
}

function readConversation(input: ComplexityInput): Conversation {
  const conversation: Conversation = { chars: 0, systemChars: input.system?.length ?? 0, lastUser: '', assistantTurns: 0, toolResults: 0, images: 0 };
  conversation.chars = conversation.systemChars;
  for (const message of input.messages) {
    const text = textOf(message);
    conversation.chars += text.length;
    if (message.role === 'system') conversation.systemChars += text.length;
    else if (message.role === 'assistant') conversation.assistantTurns += 1;
    else if (message.role === 'tool') conversation.toolResults += message.content.length;
    else {
      conversation.lastUser = text;
      for (const part of message.content) if (part.type === 'image') conversation.images += 1;
    }
  }
  return conversation;
}

function schemaProperties(format: ResponseFormat | undefined): number {
  if (format?.type !== 'json_schema') return 0;
  const properties = format.schema['properties'];
  return properties !== null && typeof properties === 'object' ? Object.keys(properties).length : 0;
}

/**
 * Reusable working memory for one extraction at a time (extraction is synchronous, so one scratch per
 * classifier is safe). `dense` holds the DENSE_FEATURES values; `bag` the distinct lexical buckets hit, each
 * worth 1/sqrt(bag.count) (unit length, so long prompts do not get larger lexical scores).
 */
export interface FeatureScratch {
  dense: Float64Array;
  stats: TextStats;
  bag: BagSink;
}

export function createFeatureScratch(): FeatureScratch {
  return { dense: new Float64Array(DENSE_COUNT), stats: emptyStats(), bag: createBagSink(HASH_BUCKETS) };
}

function scanPrompt(input: ComplexityInput, lastUser: string, scratch: FeatureScratch): TextStats {
  const { stats, bag } = scratch;
  resetStats(stats);
  resetBag(bag);
  const system = input.system ?? '';
  if (system !== '') scanText(system, 0, Math.min(system.length, SYSTEM_SCAN_CHARS), stats, bag);
  if (lastUser.length <= HEAD_SCAN_CHARS + TAIL_SCAN_CHARS) {
    scanText(lastUser, 0, lastUser.length, stats, bag);
  } else {
    scanText(lastUser, 0, HEAD_SCAN_CHARS, stats, bag);
    scanText(lastUser, lastUser.length - TAIL_SCAN_CHARS, lastUser.length, stats, bag);
  }
  return stats;
}

/** The value of each lexical bucket hit by the last extraction into `scratch`. */
export function lexicalValue(scratch: FeatureScratch): number {
  return scratch.bag.count === 0 ? 0 : 1 / Math.sqrt(scratch.bag.count);
}

/** Fills `scratch` with the features of a request (the serving path: no allocation proportional to the vector). */
export function extractInto(input: ComplexityInput, scratch: FeatureScratch): void {
  const conversation = readConversation(input);
  const stats = scanPrompt(input, conversation.lastUser, scratch);
  const dense = scratch.dense;
  const set = (name: DenseFeature, value: number): void => {
    dense[index[name]] = value;
  };
  const scanned = Math.max(stats.chars, 1);
  set('log_chars', Math.log1p(conversation.chars));
  set('log_last_user_chars', Math.log1p(conversation.lastUser.length));
  set('log_system_chars', Math.log1p(conversation.systemChars));
  set('log_messages', Math.log1p(input.messages.length));
  set('log_assistant_turns', Math.log1p(conversation.assistantTurns));
  set('log_tools', Math.log1p(input.tools?.length ?? 0));
  set('log_tool_results', Math.log1p(conversation.toolResults));
  set('log_images', Math.log1p(conversation.images));
  set('log_max_output_tokens', Math.log1p(input.maxOutputTokens ?? 0));
  set('has_max_output_tokens', input.maxOutputTokens === undefined ? 0 : 1);
  set('json_output', input.responseFormat === undefined || input.responseFormat.type === 'text' ? 0 : 1);
  set('log_schema_properties', Math.log1p(schemaProperties(input.responseFormat)));
  set('code_fences', Math.min(stats.fences, 10));
  set('log_code_cues', Math.log1p(cueCount(stats, 'code')));
  set('log_code_symbols', Math.log1p(stats.codeSymbols));
  set('log_math_cues', Math.log1p(cueCount(stats, 'math')));
  set('digit_ratio', stats.digits / scanned);
  set('log_numbers', Math.log1p(stats.numbers));
  set('log_operators', Math.log1p(stats.operators));
  set('log_latex', Math.log1p(stats.latex));
  set('log_reasoning_cues', Math.log1p(cueCount(stats, 'reasoning')));
  set('step_by_step', STEP_BY_STEP.test(conversation.lastUser.slice(0, HEAD_SCAN_CHARS)) ? 1 : 0);
  set('log_choice_lines', Math.log1p(stats.choiceLines));
  set('log_question_marks', Math.log1p(stats.questionMarks));
  set('log_newlines', Math.log1p(stats.newlines));
  set('log_words', Math.log1p(stats.words));
  set('long_word_ratio', stats.words === 0 ? 0 : stats.longWords / stats.words);
  set('mean_word_length', stats.words === 0 ? 0 : stats.wordChars / stats.words);
  set('log_negation_cues', Math.log1p(cueCount(stats, 'negation')));
  set('log_simple_cues', Math.log1p(cueCount(stats, 'simple')));
}

const shared = createFeatureScratch();

/** The feature vector of a request: DENSE_FEATURES then HASH_BUCKETS lexical slots. Pure and deterministic. */
export function extractFeatures(input: ComplexityInput): Float64Array {
  extractInto(input, shared);
  const vector = new Float64Array(FEATURE_COUNT);
  vector.set(shared.dense, 0);
  const value = lexicalValue(shared);
  for (let hit = 0; hit < shared.bag.count; hit += 1) vector[DENSE_COUNT + (shared.bag.hits[hit] ?? 0)] = value;
  return vector;
}

/** Rough token estimate used in explanations (about four characters per token). */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}
