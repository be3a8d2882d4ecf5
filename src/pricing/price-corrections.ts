/**
 * Bundled prices corrected here: where @pydantic/genai-prices' data disagrees with the provider's published
 * pricing page, the published price wins. Each correction cites the page and the date it was read; a price in
 * jevons.yaml for the same model still wins over a correction. Refs are `correction:<family>/<model>[@<date>]`.
 *
 * A correction matches the upstream model id exactly (case-insensitive), so every id callers send for the model
 * (alias and dated snapshots) is listed. The usage -> cost vectors in __fixtures__/cost-vectors.json exercise each
 * correction (src/pricing/cost-vectors.test.ts).
 */
import type { PriceOverride, PriceVersion, TokenPrices } from './price-types.js';

/** A price in force from the beginning (no effective date), with its context tiers; service tiers are the built-in rules. */
const version = (base: TokenPrices, tiers: PriceVersion['tiers'] = []): PriceVersion => ({ effectiveFrom: null, requestUsd: 0, base, tiers, serviceTiers: {} });

/** One correction per model id, all with the same dated versions. */
const forIds = (options: { family: string; ids: readonly string[]; versions: PriceVersion[] }): PriceOverride[] =>
  options.ids.map((id) => ({ model: id, providerFamily: options.family, refPath: `${options.family}/${id}`, origin: 'correction', versions: options.versions }));

/*
 * Claude Sonnet 4 long-context pricing. https://docs.anthropic.com/en/docs/about-claude/pricing (read 2026-11-23),
 * "Long context pricing": with the 1M-token context window, a request whose input exceeds 200K tokens is billed
 * $6 / MTok input and $22.50 / MTok output; the prompt-caching multipliers (5m write 1.25x, 1h write 2x, read 0.1x)
 * apply on top. genai-prices carries the >200K band for Sonnet 4.5 but not for Sonnet 4 (claude-sonnet-4-0).
 * Base prices: $3 input, $3.75 5m write, $6 1h write, $0.30 cache hit, $15 output.
 */
const sonnet4 = forIds({
  family: 'anthropic',
  ids: ['claude-sonnet-4-20250514', 'claude-sonnet-4-0', 'claude-sonnet-4'],
  versions: [
    version(
      { inputPerMtok: 3, outputPerMtok: 15, cacheReadPerMtok: 0.3, cacheWrite5mPerMtok: 3.75, cacheWrite1hPerMtok: 6 },
      [{ aboveInputTokens: 200_000, prices: { inputPerMtok: 6, outputPerMtok: 22.5, cacheReadPerMtok: 0.6, cacheWrite5mPerMtok: 7.5, cacheWrite1hPerMtok: 12 } }],
    ),
  ],
});

/*
 * GPT-4o Audio audio-token prices. https://developers.openai.com/api/docs/models/gpt-4o-audio-preview (read
 * 2026-11-23): text $2.50 in / $10 out, audio $40 in / $80 out per 1M tokens (default snapshot 2025-06-03; the
 * 2024-12-17 snapshot introduced these audio prices; the 2024-10-01 snapshot was priced differently and is not corrected).
 * genai-prices has the text prices only, so audio tokens were priced as text (16x too cheap on audio input).
 */
const gpt4oAudio = forIds({
  family: 'openai',
  ids: ['gpt-4o-audio-preview', 'gpt-4o-audio-preview-2024-12-17', 'gpt-4o-audio-preview-2025-06-03'],
  versions: [version({ inputPerMtok: 2.5, outputPerMtok: 10, inputAudioPerMtok: 40, outputAudioPerMtok: 80 })],
});

/*
 * GPT-4o mini Audio. https://developers.openai.com/api/docs/models/gpt-4o-mini-audio-preview (read 2026-11-23):
 * text $0.15 in / $0.60 out, audio $10 in / $20 out per 1M tokens (default snapshot 2024-12-17).
 */
const gpt4oMiniAudio = forIds({
  family: 'openai',
  ids: ['gpt-4o-mini-audio-preview', 'gpt-4o-mini-audio-preview-2024-12-17'],
  versions: [version({ inputPerMtok: 0.15, outputPerMtok: 0.6, inputAudioPerMtok: 10, outputAudioPerMtok: 20 })],
});

export const priceCorrections: readonly PriceOverride[] = [...sonnet4, ...gpt4oAudio, ...gpt4oMiniAudio];
