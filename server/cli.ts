/**
 * `npm run server -- --port P --data DIR [--demo] [--scale N] [--today YYYY-MM-DD] [--host H]
 *   [--tls-cert F --tls-key F] [--log]`
 * Prints `listening on <url>` once ready (tests parse that line).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildServer } from './app';
import { DEMO_PORTAL_PASSWORD, DEMO_STAFF, demoMrn } from './demo/credentials';

function fail(message: string): never {
  process.stderr.write(`server: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      data: { type: 'string', default: path.join('.data', 'server') },
      demo: { type: 'boolean', default: false },
      scale: { type: 'string', default: '1' },
      today: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      log: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be 0-65535');
  const scale = Number(values.scale);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1000) fail('--scale must be a number in (0, 1000]');
  if (values.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.today))
    fail('--today must be YYYY-MM-DD');
  if (!!values['tls-cert'] !== !!values['tls-key']) fail('--tls-cert and --tls-key go together');
  const tls =
    values['tls-cert'] && values['tls-key']
      ? { cert: fs.readFileSync(values['tls-cert']), key: fs.readFileSync(values['tls-key']) }
      : undefined;

  const started = Date.now();
  const server = await buildServer({
    dataDir: values.data,
    demo: values.demo,
    scale,
    today: values.today,
    tls,
    log: values.log ? (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`) : undefined,
  });
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
    process.stdout.write(`demo patients: MRN ${demoMrn(1)} … with portal password ${DEMO_PORTAL_PASSWORD}\n`);
  }
  try {
    const url = await server.listen({ host: values.host, port });
    process.stdout.write(`listening on ${url}\n`);
  } catch (err) {
    await server.close();
    fail((err as Error).message);
  }
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
