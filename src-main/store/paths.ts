import os from 'node:os';
import path from 'node:path';

export const STORE_FILE = 'clinic.db';
/** Sidecar holding HMAC(key, constant): tells a wrong key from a damaged file without revealing the key. */
export const KEY_CHECK_FILE = 'clinic.db.keycheck';

/**
 * The data folder: CLINIC_DATA_DIR, else the OS user-data folder Electron would use for "Clinic Console"
 * (computed here so the core does not need Electron's app.getPath).
 */
export function resolveDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.CLINIC_DATA_DIR) return path.resolve(env.CLINIC_DATA_DIR);
  const home = os.homedir();
  const name = 'Clinic Console';
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), name);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', name);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), name);
}
