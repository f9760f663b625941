// @ts-check
/**
 * ESLint (flat config): typescript-eslint's recommended rules, no import cycles anywhere (type-only imports
 * counted), and the layering the architecture promises, as rules rather than hopes:
 *   - src imports downward only: protocol; workspace, python; plan, codegen, sse; app, snippets; the shells
 *     (scripts/eslintImportGraph.mjs LAYERS);
 *   - src/core is pure: it never imports `vscode`, the extension shell (src/features), the CLI or the webview;
 *   - src/protocol (shared with the browser bundle) imports nothing from the core;
 *   - the webview (a browser bundle) takes from the core only the preview model's reducer, never the host's
 *     run or anything else that may reach Node.
 * `npm run lint` runs with --max-warnings 0 and is part of `npm test`.
 */
import tseslint from 'typescript-eslint';
import { importGraphPlugin } from './scripts/eslintImportGraph.mjs';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'media/**',
      'coverage/**',
      'node_modules/**',
      '.host/**',
      '.venv/**',
      'test/fixtures/**',
      '**/*.py',
      'out/**',
      'reports/**',
      '.stryker-tmp/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.cjs'],
    plugins: { 'import-graph': importGraphPlugin },
    rules: {
      'import-graph/no-cycle': 'error',
      'import-graph/layers': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/core is pure: it never imports vscode (the shell in src/features translates).' }],
          patterns: [
            { group: ['**/features/**', '**/features'], message: 'src/core never imports the extension shell.' },
            { group: ['**/cli/**', '**/cli'], message: 'src/core never imports the CLI.' },
            { group: ['**/webview/**'], message: 'src/core never imports the webview program.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/core/**', '**/core'], message: 'The preview protocol imports nothing from the core: its data shapes live in src/protocol.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '/core/(?!sse/preview/model$)',
              message: 'The webview takes from the core only core/sse/preview/model (browser-safe); its data shapes come from src/protocol.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
