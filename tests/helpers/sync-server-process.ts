/**
 * The portal backend as a child process (`server/cli.ts`), so a test can kill -9 it mid-request and start it
 * again on the same port and data folder, as a crashed or rebooted server would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { DEMO_TODAY } from './sync-harness';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
  url: string;
  port: number;
  dataDir: string;
  proc: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

export async function spawnServer(dataDir: string, port = 0, timeoutMs = 30_000): Promise<ServerProcess> {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(ROOT, 'server/cli.ts'),
      '--port',
      String(port),
      '--data',
      dataDir,
      '--demo',
      '--scale',
      '0.05',
      '--today',
      DEMO_TODAY,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let out = '';
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start: ${err.slice(0, 500)}`)),
      timeoutMs,
    );
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening: ${err.slice(0, 500)}`));
    });
  });
  return { url, port: Number(new URL(url).port), dataDir, proc, exited };
}

/** SIGKILL: no shutdown hook, no flush, no goodbye to open connections. */
export async function killHard(s: ServerProcess): Promise<void> {
  if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGKILL');
  await s.exited;
}

/** Read-only access to the server's own database, for counting what it applied. */
export function openServerDb(dataDir: string): Database.Database {
  return new Database(path.join(dataDir, 'portal.sqlite'), { readonly: true, fileMustExist: true });
}
