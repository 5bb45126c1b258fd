// ESLint flat config: typescript-eslint for .ts, eslint-plugin-svelte for components, layer rules for imports.
import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

export default ts.config(
  {
    // AssemblyScript sources are checked by asc, not by typescript-eslint.
    ignores: [
      'dist/',
      'node_modules/',
      'test-results/',
      'bench/results/',
      'public/',
      'src/webgpu/wasm/assembly/',
    ],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.worker } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    // rl and data are pure leaves: no DOM-bound layers above them.
    files: ['src/rl/**/*.ts', 'src/data/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['**/ui/**', '**/workers/**', '**/model/**', '**/webgpu/**', 'svelte', 'svelte/*'] },
      ],
    },
  },
  {
    // The engine sits at the bottom: it may not reach up into the model, workers or ui.
    files: ['src/webgpu/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/ui/**', '**/workers/**', '**/model/**'] }] },
  },
  {
    files: ['src/model/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/ui/**', '**/workers/**'] }] },
  },
  {
    // Workers serve the ui, never the other way round.
    files: ['src/workers/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/ui/**'] }] },
  },
);
