import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { EVENT_NAMES, METHOD_NAMES, channelOf, eventChannelOf } from '../src-shared/contract';
import { isApiErrorShape } from '../src-shared/errors';
import { buildApi, type IpcPort } from './build-api';

/** ipcRenderer's three functions over a real EventEmitter; invoke answers from a script. */
class FakePort implements IpcPort {
  readonly bus = new EventEmitter();
  readonly invoked: Array<[string, unknown]> = [];
  answer: (channel: string, input: unknown) => Promise<unknown> = async () => ({ ok: true, value: null });
  invoke(channel: string, input: unknown): Promise<unknown> {
    this.invoked.push([channel, input]);
    return this.answer(channel, input);
  }
  on(channel: string, handler: (event: unknown, ...args: unknown[]) => void): void {
    this.bus.on(channel, handler);
  }
  removeListener(channel: string, handler: (event: unknown, ...args: unknown[]) => void): void {
    this.bus.removeListener(channel, handler);
  }
}

function setup() {
  const port = new FakePort();
  const api = buildApi(port);
  const call = (name: string, input: unknown) =>
    (api as unknown as Record<string, (i: unknown) => Promise<unknown>>)[name]!(input);
  const subscribe = api.subscribe as unknown as (event: unknown, listener: unknown) => () => void;
  return { port, api, call, subscribe };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('window.clinic built from the contract', () => {
  it('has a function for every contract method plus subscribe, and nothing else', () => {
    const { api } = setup();
    expect(Object.keys(api).sort()).toEqual([...METHOD_NAMES, 'subscribe'].sort());
    for (const key of Object.keys(api))
      expect(typeof (api as unknown as Record<string, unknown>)[key]).toBe('function');
    for (const forbidden of ['invoke', 'send', 'on', 'ipcRenderer', 'require', 'process'])
      expect(api).not.toHaveProperty(forbidden);
  });

  it('is deeply frozen: the object, each function, and the unsubscribe it returns', () => {
    const { api, subscribe } = setup();
    expect(Object.isFrozen(api)).toBe(true);
    for (const value of Object.values(api)) expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(subscribe('sync.status', () => {}))).toBe(true);
    expect(() => {
      (api as unknown as Record<string, unknown>)['thread.get'] = () => 'hijacked';
    }).toThrow(TypeError);
  });

  it('invokes each method on its own fixed channel with the input unchanged', async () => {
    const { port, call } = setup();
    for (const name of METHOD_NAMES) await call(name, { probe: name });
    expect(port.invoked).toEqual(METHOD_NAMES.map((name) => [channelOf(name), { probe: name }]));
  });

  it('sends {} for a call without input, as the browser host does', async () => {
    const { port, api } = setup();
    await (api['session.status'] as unknown as () => Promise<unknown>)();
    expect(port.invoked).toEqual([[channelOf('session.status'), {}]]);
  });

  it('resolves with the value of an ok result', async () => {
    const { port, call } = setup();
    port.answer = async () => ({ ok: true, value: { threads: [], total: 0 } });
    await expect(call('inbox.list', {})).resolves.toEqual({ threads: [], total: 0 });
  });

  it('rejects with a frozen plain { code, message } for an error result', async () => {
    const { port, call } = setup();
    port.answer = async () => ({ ok: false, error: { code: 'LOCKED', message: 'The console is locked.' } });
    const error = await rejection(call('thread.get', { threadId: 't1' }));
    expect(error).toEqual({ code: 'LOCKED', message: 'The console is locked.' });
    expect(error).not.toBeInstanceOf(Error);
    expect(Object.getPrototypeOf(error)).toBe(Object.prototype);
    expect(Object.isFrozen(error)).toBe(true);
    expect(isApiErrorShape(error)).toBe(true);
  });

  it('keeps retryAfterSeconds and drops anything else the error carried', async () => {
    const { port, call } = setup();
    port.answer = async () => ({
      ok: false,
      error: {
        code: 'UNAUTHENTICATED',
        message: 'Too many attempts.',
        retryAfterSeconds: 30,
        stack: 'at x',
        detail: 'secret',
      },
    });
    expect(await rejection(call('auth.signIn', {}))).toEqual({
      code: 'UNAUTHENTICATED',
      message: 'Too many attempts.',
      retryAfterSeconds: 30,
    });
  });

  it.each([
    ['a malformed result', { nope: true }],
    ['an unknown error code', { ok: false, error: { code: 'EVIL', message: 'x' } }],
    ['an error without a message', { ok: false, error: { code: 'LOCKED' } }],
    ['a bare value', 'hello'],
    ['nothing', undefined],
  ])('turns %s into INTERNAL', async (_why, answer) => {
    const { port, call } = setup();
    port.answer = async () => answer;
    expect(await rejection(call('session.status', {}))).toEqual({
      code: 'INTERNAL',
      message: expect.any(String),
    });
  });

  it('turns a failed invoke into INTERNAL without passing on Electron’s message', async () => {
    const { port, call } = setup();
    port.answer = () =>
      Promise.reject(new Error("Error invoking remote method 'clinic:x': No handler registered"));
    const error = await rejection(call('session.status', {}));
    expect(error).toEqual({ code: 'INTERNAL', message: expect.any(String) });
    expect(JSON.stringify(error)).not.toMatch(/invoking|handler/);
  });
});

describe('subscribe', () => {
  it('delivers the payload only: never the IpcRendererEvent', () => {
    const { port, subscribe } = setup();
    const received: unknown[][] = [];
    subscribe('data.changed', (...args: unknown[]) => received.push(args));
    const ipcEvent = { sender: { send: () => {} }, ports: [] };
    port.bus.emit(eventChannelOf('data.changed'), ipcEvent, { entities: ['thread'] }, 'extra');
    expect(received).toEqual([[{ entities: ['thread'] }]]);
  });

  it('listens on the fixed channel of each contract event', () => {
    const { port, subscribe } = setup();
    for (const name of EVENT_NAMES) subscribe(name, () => {});
    expect(port.bus.eventNames().sort()).toEqual(EVENT_NAMES.map(eventChannelOf).sort());
  });

  it.each([
    'nope',
    'clinic-event:data.changed',
    '__proto__',
    'constructor',
    'toString',
    '',
    42,
    null,
    undefined,
    {},
  ])('refuses the unknown event %s and registers nothing', (event) => {
    const { port, subscribe } = setup();
    expect(() => subscribe(event, () => {})).toThrow(TypeError);
    expect(port.bus.eventNames()).toEqual([]);
  });

  it('refuses a listener that is not a function', () => {
    const { port, subscribe } = setup();
    expect(() => subscribe('sync.status', 'alert(1)')).toThrow(TypeError);
    expect(port.bus.eventNames()).toEqual([]);
  });

  it('unsubscribe stops delivery, removes the listener and is idempotent', () => {
    const { port, subscribe } = setup();
    const seen: unknown[] = [];
    const other: unknown[] = [];
    const off = subscribe('sync.status', (p: unknown) => seen.push(p));
    subscribe('sync.status', (p: unknown) => other.push(p));
    port.bus.emit(eventChannelOf('sync.status'), {}, 1);
    off();
    off();
    port.bus.emit(eventChannelOf('sync.status'), {}, 2);
    expect(seen).toEqual([1]);
    expect(other).toEqual([1, 2]);
    expect(port.bus.listenerCount(eventChannelOf('sync.status'))).toBe(1);
  });
});
