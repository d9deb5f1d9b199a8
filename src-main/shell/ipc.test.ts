import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { describe, expect, it } from 'vitest';
import {
  EVENT_NAMES,
  METHOD_NAMES,
  channelOf,
  eventChannelOf,
  type EventName,
} from '../../src-shared/contract';
import type { CallResult, CallerInfo, EventListener, Router } from '../ipc/types';
import { FOREIGN_SENDER, callerOf, registerIpc, type MainWindowLike } from './ipc';

/** A router that records what reaches it; the real one's own checks are tested with the core. */
class RecordingRouter implements Router {
  readonly allowedOrigins = new Set(['app://clinic']);
  readonly calls: Array<{ method: string; input: unknown; caller: CallerInfo }> = [];
  readonly listeners = new Set<EventListener>();
  async call(method: string, input: unknown, caller: CallerInfo): Promise<CallResult> {
    this.calls.push({ method, input, caller });
    return { ok: true, value: { method } };
  }
  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(event: EventName, payload: unknown): void {
    for (const l of this.listeners) (l as (e: string, p: unknown) => void)(event, payload);
  }
}

class FakeIpcMain {
  readonly handlers = new Map<string, (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown>();
  handle(channel: string, handler: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}

interface FakeFrame {
  url: string;
}
function fakeWindow(url = 'app://clinic/index.html') {
  const mainFrame: FakeFrame = { url };
  const sent: Array<[string, unknown]> = [];
  let destroyed = false;
  const webContents = {
    mainFrame,
    send: (channel: string, payload: unknown) => void sent.push([channel, payload]),
    isDestroyed: () => destroyed,
  };
  const win = { webContents, isDestroyed: () => destroyed } as unknown as MainWindowLike;
  return { win, webContents, mainFrame, sent, destroy: () => (destroyed = true) };
}

function setup() {
  const ipc = new FakeIpcMain();
  const router = new RecordingRouter();
  const w = fakeWindow();
  let current: MainWindowLike | null = w.win;
  const dispose = registerIpc(ipc as unknown as IpcMain, router, () => current);
  const invoke = (method: string, input: unknown, event: { sender: unknown; senderFrame: unknown }) =>
    ipc.handlers.get(channelOf(method as never))!(event as IpcMainInvokeEvent, input) as Promise<CallResult>;
  return { ipc, router, w, invoke, dispose, setWindow: (win: MainWindowLike | null) => (current = win) };
}

describe('IPC handlers', () => {
  it('registers exactly one handler per contract method, on its fixed channel', () => {
    const { ipc } = setup();
    expect([...ipc.handlers.keys()].sort()).toEqual(METHOD_NAMES.map(channelOf).sort());
  });

  it('passes a call from our main frame to the router with its origin', async () => {
    const { w, router, invoke } = setup();
    const result = await invoke(
      'thread.get',
      { threadId: 't1' },
      { sender: w.webContents, senderFrame: w.mainFrame },
    );
    expect(result).toEqual({ ok: true, value: { method: 'thread.get' } });
    expect(router.calls).toEqual([
      {
        method: 'thread.get',
        input: { threadId: 't1' },
        caller: { origin: 'app://clinic', isMainFrame: true },
      },
    ]);
  });

  it('marks a subframe of our window as not the main frame (the router refuses it)', async () => {
    const { w, router, invoke } = setup();
    await invoke(
      'session.status',
      {},
      { sender: w.webContents, senderFrame: { url: 'app://clinic/frame.html' } },
    );
    expect(router.calls[0]?.caller).toEqual({ origin: 'app://clinic', isMainFrame: false });
  });

  it('reports the real origin of a foreign page in our window (the router refuses it)', async () => {
    const { w, router, invoke } = setup();
    w.mainFrame.url = 'https://evil.example/page';
    await invoke('session.status', {}, { sender: w.webContents, senderFrame: w.mainFrame });
    expect(router.calls[0]?.caller).toEqual({ origin: 'https://evil.example', isMainFrame: true });
  });

  it('refuses, without reaching the router, a call from any other web contents', async () => {
    const { router, invoke } = setup();
    const other = fakeWindow();
    const result = await invoke(
      'session.status',
      {},
      { sender: other.webContents, senderFrame: other.mainFrame },
    );
    expect(result).toEqual(FOREIGN_SENDER);
    expect(router.calls).toEqual([]);
  });

  it('refuses a call whose frame is gone', async () => {
    const { w, router, invoke } = setup();
    expect(await invoke('session.status', {}, { sender: w.webContents, senderFrame: null })).toEqual(
      FOREIGN_SENDER,
    );
    expect(router.calls).toEqual([]);
  });

  it('refuses calls when there is no main window or it is destroyed', async () => {
    const { w, router, invoke, setWindow } = setup();
    w.destroy();
    expect(await invoke('session.status', {}, { sender: w.webContents, senderFrame: w.mainFrame })).toEqual(
      FOREIGN_SENDER,
    );
    setWindow(null);
    expect(await invoke('session.status', {}, { sender: w.webContents, senderFrame: w.mainFrame })).toEqual(
      FOREIGN_SENDER,
    );
    expect(router.calls).toEqual([]);
  });

  it('the refusal is a typed FORBIDDEN error', () => {
    expect(FOREIGN_SENDER).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: expect.any(String) } });
    expect(Object.isFrozen(FOREIGN_SENDER)).toBe(true);
  });

  it('callerOf compares the web contents by identity', () => {
    const w = fakeWindow();
    const lookalike = { ...w.webContents };
    expect(callerOf({ sender: lookalike, senderFrame: w.mainFrame } as never, w.win)).toBeNull();
    expect(callerOf({ sender: w.webContents, senderFrame: w.mainFrame } as never, w.win)).toEqual({
      origin: 'app://clinic',
      isMainFrame: true,
    });
  });
});

describe('IPC events', () => {
  it('forwards each router event to the main window on its fixed event channel, payload only', () => {
    const { router, w } = setup();
    for (const name of EVENT_NAMES) router.emit(name, { name });
    expect(w.sent).toEqual(EVENT_NAMES.map((name) => [eventChannelOf(name), { name }]));
  });

  it('sends nothing to a window showing anything but our app, or a destroyed one', () => {
    const { router, w } = setup();
    w.mainFrame.url = 'https://evil.example/';
    router.emit('data.changed', { entities: ['thread'] });
    w.mainFrame.url = 'app://clinic/index.html';
    w.destroy();
    router.emit('data.changed', { entities: ['thread'] });
    expect(w.sent).toEqual([]);
  });

  it('dispose removes every handler and the event subscription', () => {
    const { ipc, router, dispose } = setup();
    dispose();
    expect(ipc.handlers.size).toBe(0);
    expect(router.listeners.size).toBe(0);
  });
});
