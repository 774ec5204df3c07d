// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { process: 'readonly', Buffer: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off', // Nest modules are decorated empty classes.
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read settings through AppConfig (libs/platform/src/config).' },
      ],
    },
  },
  {
    // Where the environment is read on purpose: the config loader, the entry point, and test harnesses.
    files: [
      'libs/platform/src/config/**',
      'apps/idp/src/main.ts',
      'apps/idp/src/cli/**',
      'apps/device/src/cli.ts',
      'apps/demo-rp/src/main.ts',
      'test/**',
      '**/*.spec.ts',
      'jest.config.js',
      '.ci/**',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.spec.ts', 'test/**', '**/*.contract.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
