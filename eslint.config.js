// The linter (issue 30 item 7): ESLint's and typescript-eslint's recommended rules plus React's hooks rules over the
// TypeScript tree; `npm run lint` (part of `npm test`). Formatting is Prettier's (.prettierrc), not the linter's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'dist*/**',
      'node_modules/**',
      '.cache/**',
      'playwright-report/**',
      'test-results/**',
      'src/model/simd/kernelsWasm.ts',
      'src/model/simd/asm/**',
      'src/model/simd/kernelExports.ts',
      '**/*.d.ts',
      'public/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.worker } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // `_`-prefixed names are deliberately unused (a destructured field left out, a callback's unused argument)
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  // Playwright fixtures are `async ({}, use) => …`: `use` is no React hook and `{}` is the fixture API's shape
  {
    files: ['e2e/**/*.ts', 'bench/browser/**/*.ts'],
    rules: { 'react-hooks/rules-of-hooks': 'off', 'no-empty-pattern': 'off' },
  },
);
