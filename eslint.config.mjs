// SPDX-License-Identifier: Apache-2.0
// ESLint over our TypeScript, with type information (typescript-eslint's project service finds the
// tsconfig of each file). Formatting is Prettier's job; this file is about what the compiler cannot see.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/', 'dist/', 'node_modules/', '.bench/', 'test/e2e/'] },
  {
    files: ['server/src/**/*.ts', 'client/src/**/*.ts', 'test/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits loses its rejection: in LSP handlers that is a silent failure.
      // node:test's `test()` returns a promise the runner itself tracks.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      // A new member of a union (a kind, a direction) must not fall through a switch unnoticed;
      // a `default` branch is an explicit decision and counts as handling the rest.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // `import x = require()` binds the real module object, which the network trap patches.
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }],
      // A promise may settle with whatever an awaited library rejected with.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // ajv attaches `.errors` to a function expression, which then reaches its class through `self`.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['self'] }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      // `protocol.ts` declares each message as a namespace (method, direction, type, Params, Result),
      // the way vscode-languageserver-protocol does.
      '@typescript-eslint/no-namespace': 'off',
      // `String(value)` of a YAML value of unknown type is deliberate: the message shows what was written.
      '@typescript-eslint/no-base-to-string': 'off',
      // Indexed access is not `T | undefined` under our tsconfig; the `!` marks where the code relies on a bound.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Hostile input is escaped or refused by what it holds: matching control characters is the point.
      'no-control-regex': 'off',
    },
  },
);
