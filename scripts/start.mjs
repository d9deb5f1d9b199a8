// `npm start`: a working console against real data for a newcomer. `npm start -- --help` explains the options.
// 1. Unless CLINIC_SERVER_URL is set, start the portal backend with demo data on loopback (and say which).
// 2. Build the app if needed. 3. Run Electron if its binary is present, else the browser host (saying so).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary.mjs';

const HELP = `npm start — the Clinic Console with a demo portal backend

Usage: npm start [-- options]

Options:
  --build        rebuild the app first (it is built automatically when out/ is missing)
  --open         browser host only: open the console in Debian's Chromium (app window)
  -h, --help     this text

Environment:
  CLINIC_SERVER_URL     use this portal backend instead of starting the demo one (e.g. http://127.0.0.1:8787)
  CLINIC_DEMO_PORT      port of the demo backend (default 4317)
  CLINIC_DATA_DIR       the console's data folder (default: the OS user-data folder of "Clinic Console")
  CLINIC_KEYRING_DIR    headless machines: where the development keyring is kept (default .data/keyring)

The demo backend keeps its SQLite database in .data/portal and prints the demo accounts when it starts.
Current 6-digit sign-in codes for them: npm run demo:totp
More: the backend's own options (PostgreSQL, TLS): npm run server -- --help; browser host: README.md.
`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(HELP);
  process.exit(0);
}
const unknown = args.filter((a) => !['--build', '--open'].includes(a));
if (unknown.length > 0) {
  console.error(`npm start: unknown option ${unknown[0]} (see npm start -- --help)`);
  process.exit(2);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const children = [];
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

/** Resolves when `port` on 127.0.0.1 can be listened on; rejects with the listen error (EADDRINUSE…). */
function probePort(port) {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

async function startDemoBackend() {
  const data = path.join(root, '.data', 'portal');
  fs.mkdirSync(data, { recursive: true });
  const port = process.env.CLINIC_DEMO_PORT ?? '4317';
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    console.error(`npm start: CLINIC_DEMO_PORT must be a port number 0-65535, not "${port}".`);
    process.exit(2);
  }
  try {
    await probePort(Number(port));
  } catch (err) {
    const next = Number(port) + 1;
    console.error(
      err.code === 'EADDRINUSE'
        ? `npm start: port ${port} is already in use (another npm start?): run CLINIC_DEMO_PORT=${next} npm start, ` +
            `or use the backend running there with CLINIC_SERVER_URL=http://127.0.0.1:${port} npm start.`
        : `npm start: cannot listen on port ${port} (${err.code ?? err.message}): pick another with CLINIC_DEMO_PORT=N.`,
    );
    process.exit(1);
  }
  console.log(`npm start: starting the demo portal backend on 127.0.0.1:${port} (data in .data/portal)…`);
  return new Promise((resolve) => {
    const child = spawn(bin('tsx'), ['server/cli.ts', '--port', port, '--data', data, '--demo'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      out += chunk;
      const m = out.match(/listening on (http:\/\/\S+)/);
      // The demo admin's line of the printed credentials: `admin1 admin <password> <TOTP secret>`.
      const admin = out.match(/^\s+(admin1)\s+admin\s+(\S+)\s+([A-Z2-7]+)\s*$/m);
      if (admin) demoAdmin = { username: admin[1], password: admin[2], totpSecret: admin[3] };
      if (m) resolve(m[1]);
    });
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('exit', (code) => {
      // The server's own one-line reason (it never prints a stack), or its exit code.
      const reason = err.trim().split('\n').filter(Boolean).pop() ?? `exited with code ${code}`;
      console.error(`npm start: the demo portal backend stopped: ${reason}`);
      stopAll();
      process.exit(1);
    });
  });
}

/** The demo admin's credentials as the demo backend printed them: `npm start` enrols the console with them. */
let demoAdmin = null;

const stopAll = () => children.forEach((c) => c.exitCode === null && c.kill('SIGTERM'));
process.on('SIGINT', () => (stopAll(), process.exit(0)));
process.on('SIGTERM', () => (stopAll(), process.exit(0)));

let serverUrl = process.env.CLINIC_SERVER_URL;
if (serverUrl) {
  console.log(
    `npm start: using the portal backend at ${serverUrl} (CLINIC_SERVER_URL); no demo backend started.`,
  );
} else {
  serverUrl = await startDemoBackend();
  console.log(`npm start: demo backend ready at ${serverUrl}. Current sign-in codes: npm run demo:totp`);
}
if (!fs.existsSync(path.join(root, 'out', 'renderer', 'index.html')) || args.includes('--build')) {
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
    // Headless machine: a private keyring kept under .data so the store key survives restarts (dev only;
    // README "Headless keyring" says what protects it: nothing but the folder's permissions).
    env.CLINIC_KEYRING_DIR = env.CLINIC_KEYRING_DIR ?? path.join(root, '.data', 'keyring');
  }
  const hostArgs = ['scripts/with-keyring.sh', bin('tsx'), 'src-main/host/cli.ts'];
  if (args.includes('--open')) hostArgs.push('--open');
  app = spawn('bash', hostArgs, { cwd: root, env, stdio: 'inherit' });
}
children.push(app);
app.on('exit', (code) => {
  stopAll();
  process.exit(code ?? 0);
});
