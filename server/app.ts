/**
 * The clinic's portal backend: staff auth, console sync (pull / push / SSE poke) and the patient portal.
 * `buildServer` opens (and optionally seeds) the store and returns a small wrapper around Fastify.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SYNC_LIMITS, SYNC_ROUTES } from '../src-shared/sync';
import type { ScryptCost } from '../src-shared/password-rules';
import { AuditWriter } from './audit/writer';
import { PasswordHasher } from './auth/passwords';
import type { ServerContext } from './context';
import { openStore } from './db/open';
import type { ServerStore } from './db/types';
import { type DemoCounts, seedDemo } from './demo/seed';
import { installErrorHandlers } from './http/errors';
import { DEFAULT_SIGN_IN_LIMITS, signInGuards, type SignInLimits } from './http/sign-in-limits';
import { DEFAULT_REFUSAL_LIMITS, refusalBudget, type RefusalLimits } from './http/refusal-budget';
import { parse } from './http/validate';
import { adminRoutes } from './routes/admin';
import { staffAdminRoutes } from './routes/staff';
import { triageRoutes } from './routes/triage';
import { availabilityRoutes } from './routes/availability';
import { coverageRoutes } from './routes/coverage';
import { startCoverageTimer } from './triage/coverage';
import { authRoutes } from './routes/auth';
import { portalRoutes } from './routes/portal';
import { syncRoutes } from './routes/sync';
import { PokeHub } from './sync/hub';

export interface ServerOptions {
  /** Folder for the SQLite database (created if missing); unused with `database`. */
  dataDir: string;
  /**
   * A PostgreSQL URL (`postgres://user@host:port/db`): use that database instead of the embedded SQLite file,
   * so several instances can serve one clinic group. Absent or empty: SQLite in `dataDir`.
   */
  database?: string;
  /** Seed the demo clinic when the store is empty. */
  demo?: boolean;
  /** Demo size multiplier (1 = 200 patients, 800 threads, ~1,000 appointments). */
  scale?: number;
  /** The demo's "today", YYYY-MM-DD (default: the clock's current UTC day). */
  today?: string;
  /** issue 13a: IANA zone of the demo clinic's location (default UTC; `npm start` passes America/New_York). */
  demoTimeZone?: string;
  /** Clock in ms since the epoch (default Date.now); tests move it to test TOTP steps and throttling. */
  now?: () => number;
  /** PEM certificate and key: serve HTTPS (TLS 1.2+). Required to listen on a non-loopback address. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Request log sink: one line per request with method, route pattern and status only (no ids, no PHI). */
  log?: (line: string) => void;
  /** SSE heartbeat interval (default 15 s). */
  heartbeatMs?: number;
  /**
   * How long after a staff member's last ONLINE sign-in on a device the server still accepts changes made in
   * their name from that device (issue 10; default 72 h, the console's default offline sign-in grace).
   */
  offlineGraceHours?: number;
  /**
   * Sign-in abuse limits per client address and overall (issue 10); default DEFAULT_SIGN_IN_LIMITS. Test
   * harnesses that sign in many times from 127.0.0.1 pass higher ones explicitly.
   */
  signInLimits?: Partial<SignInLimits>;
  /** Session 8, sec8: refused record reads recorded per PC and window; default DEFAULT_REFUSAL_LIMITS. */
  refusalLimits?: Partial<RefusalLimits>;
  /**
   * scrypt cost of password hashes (issue 10). Default OWASP N=2^17, r=8, p=1 (~128 MiB, a few hundred ms per
   * hash); test harnesses pass a lower N explicitly. Hashes of another cost are upgraded at the next sign-in.
   */
  passwordCost?: Partial<ScryptCost>;
  /**
   * Wall-time interval (ms) of the coverage sweep (session 4, 14c): absences start and end as the server's clock
   * passes them even when no console syncs. Default COVERAGE_SWEEP_MS; 0 turns the timer off (the sweep still
   * runs before every pull and after every push).
   */
  coverageSweepMs?: number;
}

/** Default of ServerOptions.coverageSweepMs: one minute. */
export const COVERAGE_SWEEP_MS = 60_000;

/** Default of ServerOptions.offlineGraceHours: the console's default offline grace (src-main settings). */
export const DEFAULT_OFFLINE_GRACE_HOURS = 72;

export interface PortalServer {
  app: FastifyInstance;
  store: ServerStore;
  /** What the demo seed created, or null if it did not run (no --demo, or the store had data). */
  demo: DemoCounts | null;
  /** The listening URL once `listen` resolved, e.g. http://127.0.0.1:43123. */
  url: string | null;
  listen(options?: { host?: string; port?: number }): Promise<string>;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
export const isLoopback = (host: string): boolean => LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);

export async function buildServer(options: ServerOptions): Promise<PortalServer> {
  const now = options.now ?? Date.now;
  const logError = (line: string) => (options.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
  const store = await openStore({
    dataDir: options.dataDir,
    database: options.database,
    onError: (err) => logError(`store: ${(err as Error | null)?.name ?? 'unknown'}`),
  });
  const nowIso = () => new Date(now()).toISOString();
  const ctx: ServerContext = {
    store,
    now,
    nowIso,
    audit: new AuditWriter(store, nowIso),
    offlineGraceMs: (options.offlineGraceHours ?? DEFAULT_OFFLINE_GRACE_HOURS) * 3600_000,
    passwords: new PasswordHasher(options.passwordCost),
  };

  let demo: DemoCounts | null = null;
  try {
    if (options.demo && (await store.countStaff()) === 0) {
      const today = options.today ?? nowIso().slice(0, 10);
      demo = await seedDemo(store, {
        today,
        scale: options.scale ?? 1,
        passwords: ctx.passwords,
        timeZone: options.demoTimeZone,
      });
      await store.setMeta('demo', JSON.stringify({ today, scale: options.scale ?? 1 }));
    }
  } catch (err) {
    await store.close();
    throw err;
  }

  const hub = new PokeHub({
    latestSeq: () => store.latestSeq(),
    heartbeatMs: options.heartbeatMs,
    onError: (err) => logError(`poke: store read failed: ${(err as Error | null)?.name ?? 'unknown'}`),
  });
  store.onChange(() => hub.changed());

  // Fastify's https option changes its instance type; the routes only need the common FastifyInstance.
  const app = Fastify({
    logger: false,
    bodyLimit: SYNC_LIMITS.maxBodyBytes,
    routerOptions: { maxParamLength: 200 },
    forceCloseConnections: true,
    exposeHeadRoutes: false,
    ...(options.tls
      ? { https: { cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' as const } }
      : {}),
  }) as unknown as FastifyInstance;

  installErrorHandlers(app, logError);
  app.addHook('onSend', async (_request, reply, payload) => {
    // Answers carry PHI: never cached by a browser or proxy.
    void reply.header('cache-control', 'no-store');
    void reply.header('x-content-type-options', 'nosniff');
    return payload;
  });
  if (options.log) {
    const log = options.log;
    app.addHook('onResponse', async (request, reply) => {
      log(`${request.method} ${request.routeOptions.url ?? '(no route)'} ${reply.statusCode}`);
    });
  }
  app.addHook('preClose', async () => hub.closeAll());
  app.addHook('onClose', async () => store.close());

  app.get(SYNC_ROUTES.health, async (request) => {
    parse(z.strictObject({}), request.query, 'query');
    return { ok: true };
  });
  const guards = await signInGuards(app, { ...DEFAULT_SIGN_IN_LIMITS, ...options.signInLimits });
  authRoutes(app, ctx, guards.staff);
  syncRoutes(
    app,
    ctx,
    hub,
    logError,
    refusalBudget(app, { ...DEFAULT_REFUSAL_LIMITS, ...options.refusalLimits }),
  );
  portalRoutes(app, ctx, guards.portal);
  adminRoutes(app, ctx, hub);
  triageRoutes(app, ctx);
  availabilityRoutes(app, ctx); // session 4, 13c
  // session 4, 14c: coverage (absences), clinic settings, pool templates; the coverage sweep on a timer
  coverageRoutes(app, ctx);
  staffAdminRoutes(app, ctx); // session 7, sec7 (review 7 U9)
  const stopCoverage = startCoverageTimer(ctx, options.coverageSweepMs ?? COVERAGE_SWEEP_MS, (err) =>
    logError(`coverage: sweep failed: ${(err as Error | null)?.name ?? 'unknown'}`),
  );
  app.addHook('preClose', async () => stopCoverage());

  const server: PortalServer = {
    app,
    store,
    demo,
    url: null,
    async listen({ host = '127.0.0.1', port = 0 } = {}) {
      if (!isLoopback(host) && !options.tls) {
        throw new Error(
          `Refusing to listen on ${host} without TLS: pass a certificate and key (--tls-cert, --tls-key).`,
        );
      }
      await app.listen({ host, port });
      const address = app.server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      server.url = `${options.tls ? 'https' : 'http'}://${shownHost}:${actualPort}`;
      return server.url;
    },
    async close() {
      await app.close();
    },
  };
  return server;
}
