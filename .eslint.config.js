// Lint: typescript-eslint with type information, for the mistakes the compiler lets through in a
// service that must never lose work — a promise nobody awaits (a write that fails silently, an
// unhandled rejection that used to kill the process), a switch over a union that forgets a member,
// a condition that is always true. Formatting is Prettier's; import direction is
// dependency-cruiser's (.dependency-cruiser.cjs). `npm run lint` runs all three.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**', 'src/db/tables.ts', '.dependency-cruiser.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'error',
      // Validation refuses control characters on purpose (src/validation.ts, the analysers' normalisers).
      'no-control-regex': 'off',
      // The no-unsafe-* rules catch what matters, an `any` flowing into typed code; an `any` that
      // stays inside a registry's type parameter (SourceDefinition<any>) harms nothing.
      '@typescript-eslint/no-explicit-any': 'off',
      // Source definitions and jobs are interfaces whose function properties are written as
      // methods; none of them uses `this`, so unbinding them is safe.
      '@typescript-eslint/unbound-method': 'off',
      // An async method often only satisfies a Promise-returning interface.
      '@typescript-eslint/require-await': 'off',
      // `'open' | 'escalate' | string` documents the known values of an open set on purpose.
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      // Asserting a query's row type on its result reads better than moving it into the call.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  {
    // A file past 400 lines holds more than one thing (issue 13); the generated row types are exempt.
    files: ['src/**'],
    rules: { 'max-lines': ['error', { max: 400 }] },
  },
  {
    // Scripts the pages load: plain browser JavaScript (no build step), uPlot as a global.
    files: ['src/web/assets/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { ...globals.browser, uPlot: 'readonly', SwaggerUIBundle: 'readonly' }, sourceType: 'script' },
  },
  {
    // Tests read untyped JSON from responses and poke at fakes: the `any` rules would only add casts.
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Fakes answer a platform's error by throwing the Response the handler returns.
      '@typescript-eslint/only-throw-error': 'off',
      // A few integration tests print the figures they measure.
      'no-console': 'off',
    },
  },
  {
    // Benchmarks print their figures.
    files: ['bench/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
