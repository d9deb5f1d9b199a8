// ESLint flat config: typescript-eslint plus the layer rules of DESIGN.md §3 (a forbidden import fails lint).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const NODE_BUILTINS = [
  'fs',
  'path',
  'os',
  'child_process',
  'net',
  'http',
  'https',
  'crypto',
  'worker_threads',
];
const ours = (folder) => [`**/${folder}`, `**/${folder}/**`];

/** Build a no-restricted-imports rule from forbidden package names and forbidden folders of ours. */
function layer(message, { names = [], folders = [], patterns = [] }) {
  return {
    'no-restricted-imports': [
      'error',
      {
        paths: names.map((name) => ({ name, message })),
        patterns: [{ group: [...folders.flatMap(ours), ...patterns], message }],
      },
    ],
  };
}

export default tseslint.config(
  {
    ignores: ['node_modules/', 'out/', 'dist/', 'coverage/', 'bench/results/', 'tests/e2e/.artifacts/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  // src-shared imports nothing of ours.
  {
    files: ['src-shared/**'],
    rules: layer('src-shared is the contract: it imports nothing of ours and nothing of Node or Electron.', {
      names: ['electron', ...NODE_BUILTINS],
      folders: ['src-main', 'src-renderer', 'src-preload', 'server'],
      patterns: ['node:*'],
    }),
  },
  // src-renderer is untrusted: only src-shared (and the preload's types).
  {
    files: ['src-renderer/**'],
    rules: layer('src-renderer may import only src-shared and the preload types (DESIGN.md §3).', {
      names: ['electron', ...NODE_BUILTINS],
      folders: ['src-main', 'server'],
      patterns: ['node:*', '**/src-preload/index*'],
    }),
  },
  // The core never imports electron or the renderer; only the thin shell (src-main/shell, src-main/index.ts) may.
  {
    files: ['src-main/**'],
    ignores: ['src-main/shell/**', 'src-main/index.ts'],
    rules: layer('The core runs in plain Node: no electron, no renderer code (DESIGN.md §3).', {
      names: ['electron'],
      folders: ['src-renderer', 'server'],
    }),
  },
  {
    files: ['src-main/shell/**', 'src-main/index.ts'],
    rules: layer('The shell may use electron, but never the renderer or the server.', {
      folders: ['src-renderer', 'server'],
    }),
  },
  // server/ shares only src-shared with the console.
  {
    files: ['server/**'],
    rules: layer('server/ shares only src-shared with the console (DESIGN.md §3).', {
      names: ['electron'],
      folders: ['src-main', 'src-renderer', 'src-preload'],
    }),
  },
  // Ambient declarations for untyped native packages mirror their CommonJS shape.
  {
    files: ['types/**/*.d.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off', '@typescript-eslint/no-unused-vars': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
