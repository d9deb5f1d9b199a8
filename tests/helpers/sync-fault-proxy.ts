/**
 * A fault-injecting TCP proxy between a console and the portal backend. It recognises the start of each HTTP/1.1
 * request on a connection (requests on one keep-alive connection are sequential) and applies the current fault
 * to requests that match:
 *   pass           forward both ways
 *   reset          RST the client connection before the request reaches the server
 *   delay          hold the request for `delayMs` before forwarding it (the client may time out meanwhile)
 *   drop-response  forward the request, let the server answer (so it has applied the batch), then throw the answer
 *                  away and RST the client: "response lost after the server applied the batch"
 *   blackhole      accept the request and never answer
 *   respond        answer with a canned HTTP response without asking the server (e.g. a 503 or garbage JSON)
 *   kill           hand the request to `onRequest` (e.g. to kill -9 the server) and forward it
 */
import net from 'node:net';

export type FaultMode = 'pass' | 'reset' | 'delay' | 'drop-response' | 'blackhole' | 'respond';

export interface Fault {
  mode: FaultMode;
  /** Which requests the fault applies to, by their head ("POST /sync/push HTTP/1.1…"); default all. */
  match?: (head: string) => boolean;
  /** Apply to this many matching requests, then pass (default: until changed). */
  times?: number;
  delayMs?: number;
  /** For 'respond': the raw HTTP response to send. */
  response?: string;
}

const REQUEST_START = /^(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) \S+ HTTP\/1\.[01]\r\n/;

export const isPush = (head: string): boolean => head.startsWith('POST /sync/push ');
export const isPull = (head: string): boolean => head.startsWith('GET /sync/pull');
export const isEvents = (head: string): boolean => head.startsWith('GET /sync/events');

/** A canned JSON response. */
export function httpResponse(status: number, body: string, contentType = 'application/json'): string {
  return (
    `HTTP/1.1 ${status} X\r\ncontent-type: ${contentType}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
    `connection: close\r\n\r\n${body}`
  );
}

export class FaultProxy {
  private server: net.Server;
  private fault: Fault = { mode: 'pass' };
  private remaining = Infinity;
  private readonly sockets = new Set<net.Socket>();
  /** Faults actually injected, by mode: proves a test exercised what it claims to. */
  readonly injected: Record<FaultMode, number> = {
    pass: 0,
    reset: 0,
    delay: 0,
    'drop-response': 0,
    blackhole: 0,
    respond: 0,
  };
  /** Request heads seen (first line only), for assertions. */
  readonly seen: string[] = [];
  /** First lines of the requests the server answered (whether or not the answer reached the client). */
  readonly answered: string[] = [];
  /** Called with each request's first line as it arrives (before the fault is applied). */
  onRequest: ((firstLine: string) => void) | null = null;
  /**
   * Called when the server starts answering a request (so it has handled it), with the request's first line;
   * returning 'drop' throws the answer away and resets the client, as a crash right after the server applied would.
   */
  onResponse: ((requestLine: string) => 'drop' | void) | null = null;
  port = 0;

  constructor(public targetPort: number) {
    this.server = net.createServer((client) => this.handle(client));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.url;
  }

  /** Set the fault for the following requests. */
  set(fault: Fault): void {
    this.fault = fault;
    this.remaining = fault.times ?? Infinity;
  }

  pass(): void {
    this.set({ mode: 'pass' });
  }

  /** Cut every open connection (as a network outage would). */
  dropAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The fault for a request starting now (consumes one of `times`). */
  private faultFor(head: string): Fault {
    const f = this.fault;
    if (f.mode === 'pass' || this.remaining <= 0 || (f.match && !f.match(head))) return { mode: 'pass' };
    this.remaining--;
    this.injected[f.mode]++;
    return f;
  }

  private handle(client: net.Socket): void {
    this.sockets.add(client);
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    this.sockets.add(upstream);
    let current: Fault = { mode: 'pass' };
    let requestLine = '';
    let answered = false;
    let held: Buffer[] | null = null;
    const kill = () => {
      if (!client.destroyed) client.resetAndDestroy();
      upstream.destroy();
    };
    client.on('close', () => {
      this.sockets.delete(client);
      // A delayed request still reaches the server after its client gave up (a slow network does that too).
      if (!held) upstream.destroy();
    });
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => {
      if (!client.destroyed) client.resetAndDestroy();
    });

    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1', 0, Math.min(chunk.length, 512));
      if (REQUEST_START.test(text)) {
        const firstLine = text.slice(0, text.indexOf('\r\n'));
        requestLine = firstLine;
        answered = false;
        this.seen.push(firstLine);
        this.onRequest?.(firstLine);
        current = this.faultFor(text);
        if (current.mode === 'delay') {
          held = [];
          setTimeout(() => {
            const pending = held ?? [];
            held = null;
            for (const c of pending) if (!upstream.destroyed) upstream.write(c);
            if (client.destroyed) upstream.end();
          }, current.delayMs ?? 1000);
        }
      }
      switch (current.mode) {
        case 'reset':
          kill();
          return;
        case 'blackhole':
          return;
        case 'respond':
          client.end(current.response ?? httpResponse(503, '{"error":"UNAVAILABLE","message":"down"}'));
          upstream.destroy();
          return;
        default:
          if (held) held.push(chunk);
          else upstream.write(chunk);
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!answered) {
        answered = true;
        this.answered.push(requestLine);
        if (this.onResponse?.(requestLine) === 'drop') {
          kill();
          return;
        }
      }
      if (current.mode === 'drop-response' || client.destroyed) {
        kill();
        return;
      }
      client.write(chunk);
    });
  }
}

/** A port with nothing listening on it (a console pointed there is offline). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
