/**
 * The command lines a newcomer meets first (issue 15): `npm start -- --help`, the browser host's `--help`, an
 * unknown option, and a busy demo port — each answered in words, never a stack trace, and starting nothing.
 * Real processes (node scripts/start.mjs, tsx src-main/host/cli.ts).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const servers: net.Server[] = [];

afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

function run(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(command, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

/** `npm test` builds before vitest; a lone run of this file without a build skips what needs the renderer. */
const BUILT = fs.existsSync(path.join(ROOT, 'out', 'renderer', 'index.html'));

async function busyPort(): Promise<number> {
  const busy = net.createServer();
  servers.push(busy);
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
  return (busy.address() as net.AddressInfo).port;
}

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at \S+|node:internal|Error: /);

describe('npm start', () => {
  it('--help lists its options and environment variables and starts nothing', async () => {
    const r = await run(process.execPath, ['scripts/start.mjs', '--help']);
    expect(r.code).toBe(0);
    for (const word of [
      '--build',
      '--open',
      '--help',
      'CLINIC_SERVER_URL',
      'CLINIC_DEMO_PORT',
      'CLINIC_DATA_DIR',
      'CLINIC_KEYRING_DIR',
      'npm run demo:totp',
      'npm run server -- --help',
    ]) {
      expect(r.out).toContain(word);
    }
    expect(r.out).not.toContain('starting the demo portal backend');
  });

  it('an unknown option is named, with the way to the help', async () => {
    const r = await run(process.execPath, ['scripts/start.mjs', '--hepl']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('npm start: unknown option --hepl (see npm start -- --help)\n');
  });

  it('a busy demo port answers in one line naming CLINIC_DEMO_PORT and CLINIC_SERVER_URL', async () => {
    const port = await busyPort();
    const r = await run(process.execPath, ['scripts/start.mjs'], {
      CLINIC_DEMO_PORT: String(port),
      CLINIC_SERVER_URL: '',
    });
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `npm start: port ${port} is already in use (another npm start?): run CLINIC_DEMO_PORT=${port + 1} npm start, ` +
        `or use the backend running there with CLINIC_SERVER_URL=http://127.0.0.1:${port} npm start.\n`,
    );
    noStack(r.out + r.err);
  });
});

describe('npm start with CLINIC_SERVER_URL', () => {
  it.skipIf(!BUILT)('says it uses that backend and starts none (skipped: no built renderer)', async () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-start-'));
    // Its own process group, so the browser host it goes on to start is stopped with it.
    const child = spawn(process.execPath, ['scripts/start.mjs'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        CLINIC_SERVER_URL: 'http://127.0.0.1:9',
        CLINIC_DATA_DIR: path.join(data, 'console'),
        CLINIC_KEYRING_DIR: path.join(data, 'keyring'),
      },
    });
    let out = '';
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) resolve();
        });
        child.once('exit', () => reject(new Error(`start.mjs exited: ${out}`)));
      });
      expect(out.split('\n')[0]).toBe(
        'npm start: using the portal backend at http://127.0.0.1:9 (CLINIC_SERVER_URL); no demo backend started.',
      );
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
      fs.rmSync(data, { recursive: true, force: true });
    }
  });
});

describe('browser host command line', () => {
  it.skipIf(!BUILT)(
    'a busy --port answers in one line with the fix (skipped: no built renderer)',
    async () => {
      const port = await busyPort();
      const r = await run(TSX, ['src-main/host/cli.ts', '--port', String(port)]);
      expect(r.code).toBe(1);
      expect(r.err).toBe(
        `browser host: port ${port} is already in use: pick another with --port N (or leave it out for a free one).\n`,
      );
      noStack(r.out + r.err);
    },
  );

  it('--help lists its options, environment variables and the protocol document', async () => {
    const r = await run(TSX, ['src-main/host/cli.ts', '--help']);
    expect(r.code).toBe(0);
    for (const word of [
      '--port',
      '--open',
      '--help',
      'CLINIC_SERVER_URL',
      'CLINIC_DATA_DIR',
      'docs/browser-host-protocol.md',
    ]) {
      expect(r.out).toContain(word);
    }
    expect(r.out).not.toContain('open: http');
  });

  it('refuses an unknown option and a port out of range in one line', async () => {
    const unknown = await run(TSX, ['src-main/host/cli.ts', '--prot', '1']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^browser host: .*'--prot'.*\(see --help\)\n$/);
    const range = await run(TSX, ['src-main/host/cli.ts', '--port', '70000']);
    expect(range.code).toBe(2);
    expect(range.err).toBe('browser host: --port must be 0-65535\n');
  });
});
