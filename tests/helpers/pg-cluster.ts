/**
 * A throwaway PostgreSQL cluster for tests and the bench: `initdb` into a temporary folder, `pg_ctl start` with
 * its socket in that folder and no TCP listener (so no port can clash), one database per test server, and
 * `pg_ctl stop -m immediate` plus removal of the folder at the end.
 *
 * initdb refuses to run as root (CI runs as root on a fresh Debian 12): as root the folder is handed to the
 * `postgres` system user (created by Debian's `postgresql` package) and the binaries run through `runuser`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface PostgresBinaries {
  /** Folder of initdb / pg_ctl. */
  bin: string;
  /** Run the binaries as this system user (when we are root), else null. */
  runAs: string | null;
}

/** Debian's layout: /usr/lib/postgresql/<major>/bin; PG_BIN overrides. */
function binDirs(): string[] {
  if (process.env.PG_BIN) return [process.env.PG_BIN];
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .map((major) => path.join(root, major, 'bin'));
}

/**
 * Where PostgreSQL's server binaries are and as whom to run them, or why it cannot be started here.
 * Synchronous and cheap (no process is started), so vitest.config.ts can decide what to run.
 */
export function findPostgres(): PostgresBinaries | { reason: string } {
  const bin = binDirs().find(
    (dir) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl')),
  );
  if (!bin) return { reason: 'initdb/pg_ctl not found (apt-get install postgresql, or set PG_BIN)' };
  if (process.getuid?.() !== 0) return { bin, runAs: null };
  const user = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (user.status !== 0)
    return { reason: 'running as root and there is no "postgres" user to run initdb as' };
  if (!fs.existsSync('/usr/sbin/runuser') && !fs.existsSync('/sbin/runuser'))
    return { reason: 'running as root and runuser is missing' };
  return { bin, runAs: 'postgres' };
}

export interface PgCluster {
  /** URL of the cluster's maintenance database (superuser "clinic", trust auth, unix socket). */
  adminUrl: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Stops the server (immediate) and removes the folder. Safe to call twice. */
  stop(): void;
}

const SUPERUSER = 'clinic';
let databases = 0;

/** The connection URL of `database` on a cluster whose socket lives in `socketDir`. */
export function socketUrl(socketDir: string, database: string): string {
  return `postgres://${SUPERUSER}@${encodeURIComponent(socketDir)}/${database}`;
}

/**
 * Starts a fresh cluster. Throws an Error carrying the tail of the server log when initdb or pg_ctl fails.
 * Settings favour speed over durability (fsync off): test data only.
 */
export function startCluster(found: PostgresBinaries): PgCluster {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-pg-'));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  const run = (tool: string, args: string[]) => {
    const command = path.join(found.bin, tool);
    if (found.runAs) execFileSync('runuser', ['-u', found.runAs, '--', command, ...args], { stdio: 'pipe' });
    else execFileSync(command, args, { stdio: 'pipe' });
  };
  if (found.runAs) {
    const uid = Number(execFileSync('id', ['-u', found.runAs], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', found.runAs], { encoding: 'utf8' }).trim());
    fs.chownSync(dir, uid, gid);
  }
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      if (fs.existsSync(path.join(data, 'postmaster.pid')))
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    run('initdb', [
      '-D',
      data,
      '-A',
      'trust',
      '-U',
      SUPERUSER,
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ]);
    const options = [
      `-k ${dir}`,
      "-c listen_addresses=''",
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=300',
    ].join(' ');
    run('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', options, 'start']);
  } catch (err) {
    const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-1500) : '';
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    stop();
    throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${stderr}\n${tail}`);
  }
  const adminUrl = socketUrl(dir, 'postgres');
  return {
    adminUrl,
    createDatabase: (prefix) => createDatabaseAt(adminUrl, prefix),
    stop,
  };
}

/** A database on a running cluster given by its maintenance URL (what vitest's globalSetup provides). */
export async function createDatabaseAt(adminUrl: string, prefix = 'clinic'): Promise<string> {
  databases += 1;
  const name = `${prefix}_${process.pid}_${databases}_${Date.now() % 1e6}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  // The host part is a URL-encoded socket folder: the database is what follows the last slash.
  return adminUrl.replace(/\/[^/]*$/, `/${name}`);
}
