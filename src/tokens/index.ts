/** Token counts: exact for OpenAI models (gpt-tokenizer, loaded on first use), calibrated estimates otherwise. */
export { countTextTokens, type TokenCount } from './count-text-tokens.js';
export { countChatTokens, estimateChatTokens } from './count-chat-tokens.js';
export { estimateFamilyFor, type EstimateFamilyOptions } from './estimate-family.js';
export { estimateSafetyFactor, estimateTokens, type EstimateFamily } from './estimate-tokens.js';
export { openAIEncodingFor, type OpenAIEncodingName } from './openai-encoding.js';
