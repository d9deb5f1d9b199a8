/**
 * `npm run server -- [options]`: the portal backend. `--help` lists options and environment variables.
 * Prints `listening on <url>` once ready (tests and scripts/start.mjs parse that line).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildServer } from './app';
import { isTimeZone } from '../src-shared/clinic-time';
import { DEMO_PORTAL_PASSWORD, DEMO_STAFF, demoMrn } from './demo/credentials';

export const SERVER_HELP = `Clinic Console portal backend

Usage: npm run server -- [options]

Options:
  --port N            TCP port (default 8787; env CLINIC_SERVER_PORT; 0 picks a free one)
  --host H            address to bind (default 127.0.0.1; anything else needs --tls-cert/--tls-key)
  --data DIR          folder of the embedded SQLite database (default .data/server)
  --database URL      use PostgreSQL instead of SQLite, e.g. postgres://clinic@db.example:5432/clinic
                      (env DATABASE_URL). Several instances may share one database.
  --demo              seed a demo clinic into an empty database and print its sign-in details
  --scale N           demo size multiplier (default 1: 200 patients, 800 threads, ~1,000 appointments)
  --today YYYY-MM-DD  the demo's "today" (default: today, UTC)
  --time-zone ZONE    IANA zone of the demo clinic's location (default America/New_York)
  --tls-cert FILE     PEM certificate: serve HTTPS (TLS 1.2+)
  --tls-key FILE      PEM private key for --tls-cert
  --log               one line per request (method, route, status; no ids, no patient data)
  -h, --help          this text

Environment:
  CLINIC_SERVER_PORT  port when --port is not given
  DATABASE_URL        PostgreSQL URL when --database is not given (empty: SQLite)

Current demo sign-in codes (TOTP): npm run demo:totp
HTTP API, push formats and /healthz: server/API.md
`;

function fail(message: string): never {
  process.stderr.write(`server: ${message}\n`);
  process.exit(2);
}

/** One line naming the fix, for the errors a newcomer meets; anything else by its message. */
export function explainListenError(err: unknown, port: number, host: string): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE')
    return `port ${port} on ${host} is already in use: pick another with --port N (or CLINIC_SERVER_PORT=N), or stop the other program.`;
  if (code === 'EACCES')
    return `not allowed to listen on port ${port}: pick a port above 1023 with --port N (or CLINIC_SERVER_PORT=N).`;
  if (code === 'EADDRNOTAVAIL') return `${host} is not an address of this machine: pick another with --host.`;
  return (err as Error).message;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        data: { type: 'string', default: path.join('.data', 'server') },
        database: { type: 'string' },
        demo: { type: 'boolean', default: false },
        scale: { type: 'string', default: '1' },
        today: { type: 'string' },
        'time-zone': { type: 'string', default: 'America/New_York' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        log: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    fail(`${(err as Error).message} (see --help)`);
  }
  if (values.help) {
    process.stdout.write(SERVER_HELP);
    return;
  }
  const port = Number(values.port ?? process.env.CLINIC_SERVER_PORT ?? '8787');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail('--port (or CLINIC_SERVER_PORT) must be 0-65535');
  const scale = Number(values.scale);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1000) fail('--scale must be a number in (0, 1000]');
  if (values.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.today))
    fail('--today must be YYYY-MM-DD');
  if (!isTimeZone(values['time-zone'] ?? ''))
    fail('--time-zone must be an IANA time zone, e.g. America/New_York');
  if (!!values['tls-cert'] !== !!values['tls-key']) fail('--tls-cert and --tls-key go together');
  const tls =
    values['tls-cert'] && values['tls-key']
      ? { cert: fs.readFileSync(values['tls-cert']), key: fs.readFileSync(values['tls-key']) }
      : undefined;
  const database = values.database ?? process.env.DATABASE_URL ?? '';

  // Signal handlers first, so a SIGTERM or Ctrl+C at any moment (while seeding, or right after "listening on")
  // closes the store cleanly and exits 0 instead of being killed mid-write.
  let building: Promise<{ close(): Promise<void> }> | null = null;
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void (building ?? Promise.resolve(null))
      .then((s) => s?.close())
      .catch(() => undefined)
      .then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const started = Date.now();
  const pending = buildServer({
    dataDir: values.data,
    database,
    demo: values.demo,
    scale,
    today: values.today,
    demoTimeZone: values['time-zone'],
    tls,
    log: values.log ? (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`) : undefined,
  });
  building = pending;
  const server = await pending;
  // Never the URL itself: it may carry a password.
  process.stdout.write(database ? 'store: PostgreSQL\n' : `store: SQLite in ${path.resolve(values.data)}\n`);
  if (server.demo) {
    const c = server.demo;
    process.stdout.write(
      `demo seeded in ${((Date.now() - started) / 1000).toFixed(1)} s: ${c.providers} providers, ${c.patients} patients, ` +
        `${c.threads} threads, ${c.messages} messages, ${c.attachments} attachments, ${c.appointments} appointments, ` +
        `${c.auditEvents} audit events\n`,
    );
  }
  if (values.demo) {
    process.stdout.write('demo staff (username / password / TOTP secret, base32):\n');
    for (const s of DEMO_STAFF)
      process.stdout.write(
        `  ${s.username.padEnd(11)} ${s.role.padEnd(12)} ${s.password.padEnd(22)} ${s.totpSecret}\n`,
      );
    process.stdout.write('current 6-digit codes for these secrets: npm run demo:totp\n');
    process.stdout.write(`demo patients: MRN ${demoMrn(1)} … with portal password ${DEMO_PORTAL_PASSWORD}\n`);
  }
  try {
    const url = await server.listen({ host: values.host, port });
    process.stdout.write(`listening on ${url}\n`);
  } catch (err) {
    await server.close();
    fail(explainListenError(err, port, values.host));
  }
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
