// `npm start`: a working console against real data for a newcomer.
// 1. Unless CLINIC_SERVER_URL is set, start the portal backend with demo data on loopback.
// 2. Build the app if needed. 3. Run Electron if its binary is present, else the browser host (saying so).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const children = [];
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function startDemoBackend() {
  return new Promise((resolve, reject) => {
    const data = path.join(root, '.data', 'portal');
    fs.mkdirSync(data, { recursive: true });
    const port = process.env.CLINIC_DEMO_PORT ?? '4317';
    const child = spawn(bin('tsx'), ['server/cli.ts', '--port', port, '--data', data, '--demo'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let out = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      out += chunk;
      const m = out.match(/listening on (http:\/\/\S+)/);
      // The demo admin's line of the printed credentials: `admin1 admin <password> <TOTP secret>`.
      const admin = out.match(/^\s+(admin1)\s+admin\s+(\S+)\s+([A-Z2-7]+)\s*$/m);
      if (admin) demoAdmin = { username: admin[1], password: admin[2], totpSecret: admin[3] };
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`portal backend exited (${code})`)));
  });
}

/** The demo admin's credentials as the demo backend printed them: `npm start` enrols the console with them. */
let demoAdmin = null;

const stopAll = () => children.forEach((c) => c.kill('SIGTERM'));
process.on('SIGINT', () => (stopAll(), process.exit(0)));
process.on('SIGTERM', () => (stopAll(), process.exit(0)));

const serverUrl = process.env.CLINIC_SERVER_URL ?? (await startDemoBackend());
if (!fs.existsSync(path.join(root, 'out', 'renderer', 'index.html')) || process.argv.includes('--build')) {
  const built = spawnSync(bin('electron-vite'), ['build'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const env = { ...process.env, CLINIC_SERVER_URL: serverUrl };
if (demoAdmin) {
  // Development only: the browser host enrols this console as the demo admin on first run (issue 10).
  env.CLINIC_DEMO_ENROL = JSON.stringify(demoAdmin);
}
const electron = findElectronBinary();
let app;
if (electron) {
  app = spawn(electron, [root], { cwd: root, env, stdio: 'inherit' });
} else {
  console.log('No Electron binary on this machine: starting the browser host instead (development only).');
  if (!env.DBUS_SESSION_BUS_ADDRESS) {
    // Headless machine: a private keyring kept under .data so the store key survives restarts (dev only).
    env.CLINIC_KEYRING_DIR = path.join(root, '.data', 'keyring');
  }
  const args = ['scripts/with-keyring.sh', bin('tsx'), 'src-main/host/cli.ts'];
  if (process.argv.includes('--open')) args.push('--open');
  app = spawn('bash', args, { cwd: root, env, stdio: 'inherit' });
}
children.push(app);
app.on('exit', (code) => {
  stopAll();
  process.exit(code ?? 0);
});
