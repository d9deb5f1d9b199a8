/**
 * Finds a runnable Electron binary without downloading one. `require('electron')` is not used: in
 * Electron 45 its index.js starts a download when the binary is missing (no network on our build
 * machines). The same lookup is done by hand: ELECTRON_OVERRIDE_DIST_PATH, else
 * node_modules/electron/path.txt → node_modules/electron/dist/<path>; then `--version` must succeed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export function findElectronBinary(env = process.env) {
  let pkgDir;
  try {
    pkgDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = path.join(pkgDir, 'path.txt');
  const relative = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : '';
  const executable = env.ELECTRON_OVERRIDE_DIST_PATH
    ? path.join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron')
    : relative
      ? path.join(pkgDir, 'dist', relative)
      : null;
  if (executable === null || !fs.existsSync(executable)) return null;
  const version = spawnSync(executable, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (version.status !== 0 || !/^v\d+\.\d+\.\d+/.test(version.stdout.trim())) return null;
  return executable;
}
