// @ts-check
/**
 * ESLint (flat config): typescript-eslint's recommended rules, no import cycles anywhere, and the layering
 * the architecture promises, as rules rather than hopes:
 *   - src/core is pure: it never imports `vscode`, the extension shell (src/features), the CLI or the webview;
 *   - src/protocol (shared with the browser bundle) imports types only;
 *   - the webview (a browser bundle) takes from the core only the preview model and the plain stream types,
 *     never the host's run or anything else that may reach Node.
 * `npm run lint` runs with --max-warnings 0 and is part of `npm test`.
 */
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

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
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] })],
      'import-x/extensions': ['.ts', '.js', '.mjs', '.cjs'],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
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
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/core/**'], allowTypeImports: true, message: 'The preview protocol imports only plain model types from the core.' }],
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
              regex: '/core/(?!sse/model$|sse/preview/model$)',
              message: 'The webview takes from the core only core/sse/preview/model and core/sse/model (browser-safe).',
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
