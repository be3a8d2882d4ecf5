/**
 * Common refusal phrasings of chat models, checked by the `no_refusal` validator. An answer is a refusal when one of
 * these appears within its first 200 characters (case-insensitive, curly apostrophes folded): models open with the
 * refusal, and a long helpful answer that quotes "I can't" further down is not one. The list is documented in
 * docs/routing-execution.md; a `finish_reason` of content_filter also counts as a refusal.
 */
export const refusalPhrases: readonly string[] = [
  "i can't help with",
  'i cannot help with',
  "i can't assist with",
  'i cannot assist with',
  "i can't provide",
  'i cannot provide',
  "i can't do that",
  'i cannot do that',
  "i won't be able to",
  "i'm not able to",
  'i am not able to',
  "i'm unable to",
  'i am unable to',
  "i'm sorry, but i can",
  "i'm sorry, but i cannot",
  "i'm sorry, i can't",
  'sorry, i cannot',
  "sorry, i can't",
  'i apologize, but i',
  "i must decline",
  "i'm not comfortable",
  'as an ai language model',
  'as an ai, i',
  "i don't have the ability to",
  'i do not have the ability to',
];

const window = 200;

/** The phrase the text opens with (within its first 200 characters), or null. */
export function findRefusal(text: string): string | null {
  const head = text.slice(0, window).toLowerCase().replace(/[\u2018\u2019]/g, "'");
  return refusalPhrases.find((phrase) => head.includes(phrase)) ?? null;
}
