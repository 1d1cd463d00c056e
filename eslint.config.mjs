import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'worker_threads',
  'node:worker_threads',
  'child_process',
  'node:child_process',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'dist-vsix/**', '.cache/**', 'test-results/**', '**/*.mjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      curly: ['error', 'multi-line'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/protocol/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'core/protocol are pure: use a port', allowTypeImports: true },
            ...nodeBuiltins.map((name) => ({ name, message: 'core is pure: file system and threads live in src/node' })),
          ],
          patterns: [{ group: ['**/host/**', '**/webview/**', '**/node/**', '**/cli/**'], message: 'core must not depend on adapters' }],
        },
      ],
    },
  },
  {
    files: ['src/node/**/*.ts', 'src/cli/**/*.ts', 'src/worker/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'only src/host imports vscode', allowTypeImports: false }],
        },
      ],
    },
  },
  {
    files: ['src/webview/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'the webview runs in a browser' },
            ...nodeBuiltins.map((name) => ({ name, message: 'the webview runs in a browser' })),
          ],
          patterns: [
            { group: ['**/core/**', '**/host/**', '**/node/**'], message: 'the webview talks to the host through src/protocol only' },
          ],
        },
      ],
    },
  },
);
