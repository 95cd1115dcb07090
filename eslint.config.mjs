// Lint rules that carry architecture: Nx module boundaries with real tag constraints.
//   apps never import apps; libs never import apps or tools; the testing lib is for specs, e2e and tools only.
import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/.data', '**/tmp', '**/reports', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
  },
  {
    // Spec files of libs may use the real-server test harness (production lib code still may not: see below).
    files: ['libs/**/*.spec.ts', 'libs/**/fixtures/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          depConstraints: [
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
          ],
        },
      ],
    },
  },
  {
    // Production code of apps and libs must not pull in test helpers (real servers, spawners).
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/testing/**', 'libs/venue-sim/**', 'libs/feed-stack/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [
        { name: '@feed/testing', message: 'libs/testing is for spec files only.' },
        { name: '@feed/venue-sim', message: 'the venue simulator is for specs and tools, never production code.' },
        { name: '@feed/feed-stack', message: 'the stack harness is for specs, e2e and tools only.' },
      ] }],
    },
  },
  {
    // Decision 5 of the brief: configuration is parsed once. Only libs/config reads process.env.
    files: ['**/*.ts'],
    ignores: ['libs/config/**', '**/*.spec.ts', 'libs/testing/**', 'libs/feed-stack/**', 'e2e/**', 'tools/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read settings through libs/config.' }],
    },
  },
  {
    files: ['tools/**/*.ts', 'e2e/**/*.ts', '**/*.spec.ts'],
    rules: { 'no-console': 'off' },
  },
];
