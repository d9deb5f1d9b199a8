/**
 * The built main and preload bundles, checked without Electron: built from the real
 * electron.vite.config.ts into a temporary folder, then inspected. The preload is run the way a
 * sandboxed renderer runs it, where `require` knows only 'electron'.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { build as viteBuild, type InlineConfig } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES, channelOf } from '../../src-shared/contract';
import { APP_ENTRY_URL } from '../../src-main/shell/app-origin';
import { resolveAppPath } from '../../src-main/shell/protocol';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let outDir: string;

beforeAll(async () => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-bundle-'));
  const { resolveConfig } = await import('electron-vite');
  // What `electron-vite build` sets: production defaults in its presets.
  process.env.NODE_ENV_ELECTRON_VITE = 'production';
  const resolved = await resolveConfig(
    {
      configFile: path.join(repoRoot, 'electron.vite.config.ts'),
      root: repoRoot,
      logLevel: 'error',
      build: { outDir },
    },
    'build',
    'production',
  );
  // The renderer is built on its own below, so a renderer problem does not hide these results.
  for (const target of ['main', 'preload'] as const) {
    const config = resolved.config?.[target];
    if (!config) throw new Error(`electron.vite.config.ts has no ${target} config`);
    await viteBuild(config as InlineConfig);
  }
}, 240_000);

afterAll(() => {
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

/** Module specifiers a bundle loads: static imports, dynamic imports and require calls. */
function loadedModules(code: string): string[] {
  const found = new Set<string>();
  for (const re of [
    /\bfrom\s+["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g,
    /^import\s+["']([^"']+)["']/gm,
  ]) {
    for (const m of code.matchAll(re)) found.add(m[1]!);
  }
  return [...found].sort();
}

describe('main bundle (out/main/index.js)', () => {
  it('is ES modules of our own that load only electron, Node built-ins and the native addons', () => {
    const file = path.join(outDir, 'main', 'index.js');
    expect(fs.existsSync(file)).toBe(true);
    const allowed = /^(electron|node:[a-z_/]+|better-sqlite3-multiple-ciphers|better-sqlite3|keytar)$/;
    // Chunks shared with the pull worker (issue 16: out/main/pull-worker.js) sit beside it as ./<name>.js; each
    // is followed and held to the same rule, so nothing from node_modules is loaded at run time.
    const seen = new Set<string>();
    const outside: string[] = [];
    const walk = (f: string): string[] => {
      seen.add(f);
      const modules = loadedModules(fs.readFileSync(f, 'utf8'));
      for (const m of modules) {
        if (allowed.test(m)) continue;
        const local = /^\.\/[\w.-]+\.js$/.test(m) ? path.join(path.dirname(f), m) : null;
        if (local && fs.existsSync(local)) {
          if (!seen.has(local)) walk(local);
        } else outside.push(m);
      }
      return modules;
    };
    expect(walk(file)).toContain('electron');
    expect(outside).toEqual([]);
  });

  it('contains no portal-backend code', () => {
    const code = fs.readFileSync(path.join(outDir, 'main', 'index.js'), 'utf8');
    expect(code).not.toMatch(/fastify/i);
  });
});

describe('preload bundle (out/preload/index.cjs)', () => {
  const preloadFile = (): string => path.join(outDir, 'preload', 'index.cjs');

  it('is a single CommonJS file that requires nothing but electron', () => {
    expect(fs.readdirSync(path.join(outDir, 'preload'))).toEqual(['index.cjs']);
    const code = fs.readFileSync(preloadFile(), 'utf8');
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
    expect(loadedModules(code)).toEqual(['electron']);
  });

  /** Run the bundle as a sandboxed preload: `require` gives 'electron' (faked) and throws for anything else. */
  function runSandboxed(href: string) {
    const exposed: Array<[string, unknown]> = [];
    const invoked: Array<[string, unknown]> = [];
    const listeners: string[] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void exposed.push([key, api]) },
      ipcRenderer: {
        invoke: async (channel: string, input: unknown) => {
          invoked.push([channel, input]);
          return { ok: true, value: 'pong' };
        },
        on: (channel: string) => void listeners.push(channel),
        removeListener: () => {},
      },
    };
    const sandboxRequire = (id: string): unknown => {
      if (id === 'electron') return electron;
      throw new Error(`module not found in a sandboxed preload: ${id}`);
    };
    const module = { exports: {} };
    // The isolated world of a sandboxed renderer has the web platform's globals (URL, console) and location.
    const context = vm.createContext({ location: { href }, console, URL });
    const wrapper = vm.runInContext(
      `(function (require, module, exports) {${fs.readFileSync(preloadFile(), 'utf8')}\n})`,
      context,
    ) as (r: typeof sandboxRequire, m: typeof module, e: unknown) => void;
    wrapper(sandboxRequire, module, module.exports);
    return { exposed, invoked, listeners };
  }

  it('exposes exactly one frozen window.clinic with every contract method, on our page', async () => {
    const { exposed, invoked } = runSandboxed('app://clinic/index.html');
    expect(exposed.map(([key]) => key)).toEqual(['clinic']);
    const api = exposed[0]![1] as Record<string, (input: unknown) => Promise<unknown>>;
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.keys(api).sort()).toEqual([...METHOD_NAMES, 'subscribe'].sort());
    await expect(api['session.status']!({})).resolves.toBe('pong');
    expect(invoked).toEqual([[channelOf('session.status'), {}]]);
  });

  it.each(['https://evil.example/', 'file:///etc/passwd', 'app://evil/index.html', 'about:blank'])(
    'exposes nothing on %s',
    (href) => {
      expect(runSandboxed(href).exposed).toEqual([]);
    },
  );
});

describe('renderer build (out/renderer) under the app:// CSP', () => {
  let html = '';
  let rendererOut = '';

  beforeAll(async () => {
    const { resolveConfig } = await import('electron-vite');
    process.env.NODE_ENV_ELECTRON_VITE = 'production';
    const resolved = await resolveConfig(
      {
        configFile: path.join(repoRoot, 'electron.vite.config.ts'),
        root: repoRoot,
        logLevel: 'error',
        build: { outDir },
      },
      'build',
      'production',
    );
    await viteBuild(resolved.config!.renderer as InlineConfig);
    rendererOut = path.join(outDir, 'renderer');
    html = fs.readFileSync(path.join(rendererOut, 'index.html'), 'utf8');
  }, 240_000);

  it('has no inline script, inline style or event-handler attribute (the CSP would block them)', () => {
    for (const tag of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
      expect(tag[1], 'every script has a src').toMatch(/\ssrc=/);
      expect(tag[2]!.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  });

  it('loads nothing from outside the app', () => {
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:|\/\/|file:)/i);
  });

  it('refers only to files the app:// handler will serve', () => {
    const refs = [...html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const file = resolveAppPath(rendererOut, new URL(ref, APP_ENTRY_URL).href);
      expect(file, ref).not.toBeNull();
      expect(fs.existsSync(file!), ref).toBe(true);
    }
  });
});
