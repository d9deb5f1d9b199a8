/** The CLI as an operator runs it: a real process, the `listening on` line, demo credentials, TLS rule. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServer } from './app';
import { DEMO_STAFF } from './demo/credentials';
import { tempDir } from './test/helpers';

const ROOT = path.resolve(import.meta.dirname, '..');
/**
 * The CLI runs in one Node process with tsx as a loader (`node --import tsx`), not under the `tsx` binary: that
 * binary relays signals to a child process and, on a loaded machine, answered a SIGTERM itself (exit 143) before
 * it learnt that the child handles SIGTERM (CI, 2026-11-29).
 */
const NODE_TSX = [process.execPath, '--import', 'tsx'] as const;
const children: ChildProcess[] = [];
/** The TLS test makes a self-signed certificate with the openssl binary; it says so when skipped. */
const HAS_OPENSSL = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const dirs: string[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(dirs.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
});

async function dir(): Promise<string> {
  const d = await tempDir('cli-test-');
  dirs.push(d);
  return d;
}

function startCli(
  args: string[],
  env: Record<string, string> = {},
): {
  child: ChildProcess;
  output: () => string;
  line: (re: RegExp) => Promise<RegExpExecArray>;
  exit: Promise<number | null>;
} {
  const child = spawn(NODE_TSX[0], [...NODE_TSX.slice(1), path.join(ROOT, 'server', 'cli.ts'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  children.push(child);
  let out = '';
  const waiters: (() => void)[] = [];
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    waiters.splice(0).forEach((w) => w());
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const line = (re: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const m = re.exec(out);
        if (m) return resolve(m);
        if (child.exitCode !== null) return reject(new Error(`cli exited: ${out}`));
        waiters.push(check);
      };
      child.on('exit', check);
      check();
    });
  return { child, output: () => out, line, exit };
}

describe('server CLI', () => {
  it('starts on port 0, prints demo credentials and the URL, serves /healthz and stops on SIGTERM', async () => {
    const cli = startCli(['--port', '0', '--data', await dir(), '--demo', '--today', '2026-03-02']);
    const [, url] = await cli.line(/listening on (http:\/\/127\.0\.0\.1:\d+)\n/);
    expect(cli.output()).toContain('current 6-digit codes for these secrets: npm run demo:totp');
    for (const s of DEMO_STAFF) {
      expect(cli.output()).toContain(s.username);
      expect(cli.output()).toContain(s.password);
      expect(cli.output()).toContain(s.totpSecret);
    }
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true });
    cli.child.kill('SIGTERM');
    expect(await cli.exit).toBe(0);
  });

  it('--help lists every option and environment variable and starts nothing', async () => {
    const cli = startCli(['--help']);
    expect(await cli.exit).toBe(0);
    for (const word of [
      '--port',
      '--host',
      '--data',
      '--database',
      '--demo',
      '--scale',
      '--today',
      '--tls-cert',
      '--tls-key',
      '--log',
      'CLINIC_SERVER_PORT',
      'DATABASE_URL',
      'npm run demo:totp',
    ]) {
      expect(cli.output()).toContain(word);
    }
    expect(cli.output()).not.toContain('listening on');
  });

  it('an unknown option names itself and points at --help', async () => {
    const cli = startCli(['--prot', '9']);
    expect(await cli.exit).toBe(2);
    expect(cli.output()).toMatch(/^server: .*'--prot'.*\(see --help\)\n$/);
  });

  it('a busy port answers in one line naming the flag and variable that pick another', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const cli = startCli(['--port', String(port), '--data', await dir()]);
      expect(await cli.exit).toBe(2);
      const lines = cli.output().trim().split('\n');
      expect(lines.at(-1)).toBe(
        `server: port ${port} on 127.0.0.1 is already in use: pick another with --port N (or CLINIC_SERVER_PORT=N), or stop the other program.`,
      );
      expect(cli.output()).not.toMatch(/\s+at \S+ \(/);
    } finally {
      busy.close();
    }
  });

  it('takes its port from CLINIC_SERVER_PORT when --port is absent', async () => {
    const free = net.createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', () => resolve()));
    const port = (free.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => free.close(() => resolve()));
    const cli = startCli(['--data', await dir()], { CLINIC_SERVER_PORT: String(port) });
    const [, url] = await cli.line(/listening on (http:\/\/127\.0\.0\.1:\d+)\n/);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(cli.output()).toContain('store: SQLite in ');
    cli.child.kill('SIGTERM');
    expect(await cli.exit).toBe(0);
  });

  it('refuses a non-loopback address without TLS', async () => {
    const cli = startCli(['--port', '0', '--data', await dir(), '--host', '0.0.0.0']);
    expect(await cli.exit).toBe(2);
    expect(cli.output()).toMatch(/Refusing to listen on 0\.0\.0\.0 without TLS/);
  });

  it.skipIf(!HAS_OPENSSL)('serves HTTPS with a certificate (skipped: no openssl binary)', async () => {
    const d = await dir();
    const key = path.join(d, 'key.pem');
    const cert = path.join(d, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const server = await buildServer({
      dataDir: path.join(d, 'data'),
      tls: { cert: await fs.readFile(cert), key: await fs.readFile(key) },
    });
    try {
      const url = await server.listen({ host: '127.0.0.1', port: 0 });
      expect(url).toMatch(/^https:/);
      const ca = await fs.readFile(cert);
      const body = await new Promise<string>((resolve, reject) => {
        https
          .get(`${url}/healthz`, { ca }, (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve(text));
          })
          .on('error', reject);
      });
      expect(JSON.parse(body)).toEqual({ ok: true });
      await expect(
        new Promise((resolve, reject) =>
          https
            .get(`${url}/healthz`, { ca, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }, resolve)
            .on('error', reject),
        ),
      ).rejects.toThrow();
    } finally {
      await server.close();
    }
  });
});
