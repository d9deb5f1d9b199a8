/**
 * The server CLI on PostgreSQL, as an operator starts it: DATABASE_URL (or --database) picks the store, the
 * URL (which may carry a password) is never printed, and a URL that is not PostgreSQL is refused in one line.
 * Runs in the vitest project "postgres" against the run's throwaway cluster.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testPostgresDatabase } from '../tests/helpers/pg-test-store';

const ROOT = path.resolve(import.meta.dirname, '..');
/** One Node process with tsx as a loader, not the `tsx` binary's signal relay (see server/cli.test.ts). */
const NODE_TSX = [process.execPath, '--import', 'tsx'] as const;
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function start(args: string[], env: Record<string, string>) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-pg-'));
  dirs.push(data);
  const child = spawn(
    NODE_TSX[0],
    [...NODE_TSX.slice(1), 'server/cli.ts', '--port', '0', '--data', data, ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    },
  );
  children.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const listening = new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /listening on (\S+)\n/.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on('data', check);
    child.on('exit', () => reject(new Error(`exited: ${out}`)));
  });
  // Awaited only by the tests that expect it; a refused start must not be an unhandled rejection.
  listening.catch(() => {});
  return { child, exit, listening, output: () => out, data };
}

describe('server CLI on PostgreSQL', () => {
  it('DATABASE_URL selects PostgreSQL, seeds the demo there and never prints the URL', async () => {
    const url = await testPostgresDatabase('cli');
    const cli = start(['--demo', '--scale', '0.05'], { DATABASE_URL: url });
    const listening = await cli.listening;
    expect(cli.output()).toContain('store: PostgreSQL\n');
    expect(cli.output()).not.toContain(url);
    expect(await (await fetch(`${listening}/healthz`)).json()).toEqual({ ok: true });
    // Nothing went to the SQLite folder.
    expect(fs.readdirSync(cli.data)).toEqual([]);
    cli.child.kill('SIGTERM');
    expect(await cli.exit).toBe(0);
  });

  it('--database wins over DATABASE_URL, and a second instance finds the data seeded', async () => {
    const url = await testPostgresDatabase('cli2');
    const first = start(['--demo', '--scale', '0.05', '--database', url], {
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x',
    });
    await first.listening;
    expect(first.output()).toMatch(/demo seeded in/);
    const second = start(['--demo', '--database', url], {});
    await second.listening;
    expect(second.output()).not.toMatch(/demo seeded in/);
  });

  it('refuses a database URL that is not PostgreSQL, in one line', async () => {
    const cli = start(['--database', 'mysql://clinic@localhost/clinic'], {});
    expect(await cli.exit).toBe(2);
    expect(cli.output()).toBe(
      'server: --database (or DATABASE_URL) must be a postgres:// URL; leave it out for SQLite.\n',
    );
  });
});
