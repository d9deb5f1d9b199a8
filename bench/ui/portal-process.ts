/**
 * The UI bench's demo backend in a process of its own, as the clinic's portal is another machine in production:
 * in the bench's own process its request handling (a push's audit-chain check, a pull) ran on the same event
 * loop as the console's core and held up the core's answers to the page by 10–30 ms (bench/ui/profile-ui.ts,
 * session 6). The backend is the e2e harness's (`startPortal`, tests/helpers/console-harness.ts: demo data, the
 * test clock at TEST_TODAY 08:00); this file is both the parent's `startPortalProcess` and the child's entry.
 *
 *   child:  node --import tsx bench/ui/portal-process.ts   (an IPC channel from fork)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startPortal, TestClock, type TestPortal } from '../../tests/helpers/console-harness';

/** Parent → child: move the test clock (ms), or close. Child → parent: listening (url, data folder), closed. */
type ToChild = { advance: number } | { close: true };
type ToParent = { url: string; dataDir: string } | { closed: true };

/**
 * The test clock of a backend in another process: moving it here moves the backend's too (the message is sent at
 * once; the next use of the clock on the backend comes after a round trip of the page's, so it has arrived).
 */
class RemoteTestClock extends TestClock {
  constructor(private readonly child: ChildProcess) {
    super();
  }
  override advance(ms: number): void {
    super.advance(ms);
    this.child.send({ advance: ms } satisfies ToChild);
  }
}

/**
 * Start the e2e demo backend in a child process; resolves with a TestPortal for openConsole and signInUi (its
 * `clock` moves the child's; `server` is not in this process and throws if used). `close` stops the child.
 * Rejects if the child exits before it listens or takes longer than `timeoutMs`.
 */
export async function startPortalProcess(timeoutMs = 60_000): Promise<TestPortal> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ url: string; dataDir: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('the portal process did not start'));
    }, timeoutMs);
    child.once('message', (m: ToParent) => {
      clearTimeout(timer);
      if ('url' in m) resolve(m);
      else reject(new Error('the portal process closed before it listened'));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the portal process exited (${code}) before it listened`));
    });
  });
  const notHere = (): never => {
    throw new Error('the portal runs in its own process (bench/ui/portal-process.ts)');
  };
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.send({ close: true } satisfies ToChild);
    await exited;
  };
  return {
    get server(): never {
      return notHere();
    },
    url: ready.url,
    clock: new RemoteTestClock(child),
    dataDir: ready.dataDir,
    stop: async () => notHere(),
    restart: async () => notHere(),
    close,
  };
}

async function runChild(): Promise<void> {
  const portal = await startPortal();
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => (closing ??= portal.close());
  process.on('message', (m: ToChild) => {
    if ('advance' in m) portal.clock.advance(m.advance);
    else
      void close().finally(() => {
        process.send!({ closed: true } satisfies ToParent);
        process.disconnect();
      });
  });
  // The parent went away without closing (killed): close too.
  process.on('disconnect', () => void close().finally(() => process.exit(0)));
  process.send!({ url: portal.url, dataDir: portal.dataDir } satisfies ToParent);
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) await runChild();
