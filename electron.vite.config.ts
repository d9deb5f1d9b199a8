// electron-vite: main (ESM, Node target) → out/main, sandboxed preload (CommonJS) → out/preload,
// renderer (React) → out/renderer. Paths are resolved from this file so the build works from any cwd.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const at = (...p: string[]): string => resolve(root, ...p);

// Native addons cannot be bundled; they are loaded from node_modules (asar-unpacked when packaged).
const NATIVE = ['better-sqlite3-multiple-ciphers', 'better-sqlite3', 'keytar'];

export default defineConfig({
  main: {
    build: {
      outDir: at('out/main'),
      // Pure-JS dependencies are bundled; only native addons (and electron, Node built-ins) stay external.
      externalizeDeps: false,
      // The pull decoder's worker thread is an entry of its own, beside index.js (src-main/sync/pull-decoder.ts).
      lib: {
        entry: { index: at('src-main/index.ts'), 'pull-worker': at('src-main/sync/pull-worker.ts') },
        formats: ['es'],
        fileName: (_format, name) => `${name}.js`,
      },
      rollupOptions: { external: NATIVE },
    },
  },
  preload: {
    build: {
      outDir: at('out/preload'),
      // A sandboxed preload can require only 'electron': zod and src-shared must be inside the bundle.
      externalizeDeps: false,
      lib: { entry: at('src-preload/index.ts'), formats: ['cjs'], fileName: () => 'index.cjs' },
      rollupOptions: { external: ['electron'] },
    },
  },
  renderer: {
    root: at('src-renderer'),
    plugins: [react()],
    build: {
      outDir: at('out/renderer'),
      rollupOptions: { input: at('src-renderer/index.html') },
    },
  },
});
