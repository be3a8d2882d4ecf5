import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Layering (docs/architecture.md): imports go one way, spec <- providers, pricing, tokens <- policies <- pipeline <- server, cli. */
/** Production code only: a colocated test may use a real implementation from another layer (the memory stores). */
const layer = (files, forbidden) => ({
  files,
  ignores: ['**/*.test.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: forbidden.map((dir) => ({ group: [`**/${dir}/*`, `**/${dir}`], message: `this layer must not import ${dir}/` })) },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'dashboard/**'] },
  js.configs.recommended,
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: globals.node } },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'max-lines': ['error', { max: 500, skipBlankLines: true, skipComments: true }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'read the environment only in src/spec/config or the CLI entry' },
      ],
    },
  },
  { files: ['src/spec/config/**', 'src/cli/**', 'test/**', 'bench/**', '*.config.*'], rules: { 'no-restricted-syntax': 'off' } },
  layer(['src/spec/**'], ['providers', 'pricing', 'tokens', 'policies', 'pipeline', 'stores', 'server', 'cli', 'emulator']),
  layer(['src/providers/**', 'src/pricing/**', 'src/tokens/**'], ['policies', 'pipeline', 'stores', 'server', 'cli']),
  layer(['src/policies/**'], ['providers', 'stores', 'server', 'cli']),
  layer(['src/pipeline/**'], ['stores', 'server', 'cli']),
  layer(['src/stores/**'], ['policies', 'server', 'cli', 'providers']),
  layer(['src/reconcile/**'], ['providers', 'tokens', 'policies', 'pipeline', 'stores', 'server', 'cli', 'emulator']),
  layer(['src/emulator/**'], ['policies', 'pipeline', 'stores', 'server', 'pricing']),
  // analytics: pure functions over aggregated ledger records; spec and pricing only.
  layer(['src/analytics/**'], ['providers', 'tokens', 'policies', 'pipeline', 'stores', 'server', 'cli', 'emulator', 'reconcile']),
);
