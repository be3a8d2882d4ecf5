/**
 * Model ids on both sides are compared after the same normalisation: lower case, and the snapshot date suffix
 * removed, so that `gpt-4o-2024-08-06` meets `gpt-4o` and `claude-sonnet-4-5-20250929` meets `claude-sonnet-4-5`.
 * Only the two documented date forms are removed (OpenAI `-YYYY-MM-DD`, Anthropic `-YYYYMMDD`, and Vertex's
 * `@YYYYMMDD`): shorter numeric suffixes such as `-0613` or `-4o` name different models and are kept.
 */
const dateSuffix = /(?:-\d{4}-\d{2}-\d{2}|-20\d{6}|@20\d{6})$/;

export function normaliseModelId(id: string): string {
  return id.trim().toLowerCase().replace(dateSuffix, '');
}
