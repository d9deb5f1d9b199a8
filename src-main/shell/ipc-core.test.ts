/**
 * The whole path a renderer call takes, minus the Electron binary: the preload's api object → an
 * ipcRenderer stand-in → the shell's ipcMain handlers and sender check → the real core and router
 * (real SQLCipher store, real OS keychain: run under scripts/with-keyring.sh like the other integration tests).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelOf, eventChannelOf, type ClinicApi } from '../../src-shared/contract';
import { buildApi } from '../../src-preload/build-api';
import { ManualIdleSource } from '../base/adapters';
import { createCore, type Core } from '../core/create-core';
import { KeytarKeyStore } from '../keys/keytar-store';
import { keyAccountFor } from '../keys/store-key';
import { APP_ORIGIN } from './app-origin';
import { registerIpc, type MainWindowLike } from './ipc';

type Handler = (event: IpcMainInvokeEvent, input: unknown) => Promise<unknown>;

const keyStore = new KeytarKeyStore();
let dataDir: string;
let core: Core;
const handlers = new Map<string, Handler>();
const sent: Array<[string, unknown]> = [];
const mainFrame = { url: `${APP_ORIGIN}/index.html` };
const webContents = {
  mainFrame,
  send: (c: string, p: unknown) => void sent.push([c, p]),
  isDestroyed: () => false,
};
const win = { webContents, isDestroyed: () => false } as unknown as MainWindowLike;

/** window.clinic as a page would see it, sending from the given frame of the given web contents. */
function apiFrom(sender: unknown, senderFrame: unknown): ClinicApi {
  return buildApi({
    invoke: (channel, input) => handlers.get(channel)!({ sender, senderFrame } as IpcMainInvokeEvent, input),
    on: () => {},
    removeListener: () => {},
  });
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-shell-ipc-'));
  core = await createCore({
    dataDir,
    keyStore,
    idleSource: new ManualIdleSource(),
    openExternal: async () => {},
    allowedOrigins: [APP_ORIGIN],
    deviceName: 'shell ipc test desk',
    autoStart: false,
  });
  const ipcMain = {
    handle: (channel: string, handler: Handler) => void handlers.set(channel, handler),
    removeHandler: (channel: string) => void handlers.delete(channel),
  };
  registerIpc(ipcMain as unknown as IpcMain, core.router, () => win);
});

afterAll(async () => {
  await core?.close();
  await keyStore.delete(keyAccountFor(dataDir));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('renderer → preload → IPC → router (real core)', () => {
  it('answers our own main frame', async () => {
    const status = await apiFrom(webContents, mainFrame)['session.status']({});
    expect(status).toMatchObject({ state: expect.any(String) });
  });

  it('refuses a subframe of our window (router: not the main frame)', async () => {
    const error = await rejection(
      apiFrom(webContents, { url: `${APP_ORIGIN}/index.html` })['session.status']({}),
    );
    expect(error).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses a foreign page in our window (router: origin)', async () => {
    const foreign = { url: 'https://evil.example/' };
    const error = await rejection(
      apiFrom({ ...webContents, mainFrame: foreign }, foreign)['session.status']({}),
    );
    // A copy of our web contents is another sender: refused by the shell before the router.
    expect(error).toMatchObject({ code: 'FORBIDDEN' });
    mainFrame.url = 'https://evil.example/';
    try {
      expect(await rejection(apiFrom(webContents, mainFrame)['session.status']({}))).toMatchObject({
        code: 'FORBIDDEN',
      });
    } finally {
      mainFrame.url = `${APP_ORIGIN}/index.html`;
    }
  });

  it('gives PHI methods only to a signed-in, unlocked session', async () => {
    const error = await rejection(apiFrom(webContents, mainFrame)['thread.get']({ threadId: 't1' }));
    expect(error).toEqual({ code: 'UNAUTHENTICATED', message: expect.any(String) });
  });

  it('rejects bad input with VALIDATION, naming fields, not values', async () => {
    const api = apiFrom(webContents, mainFrame) as unknown as Record<
      string,
      (i: unknown) => Promise<unknown>
    >;
    const error = await rejection(
      api['auth.signIn']!({ username: 'reception', password: 'SECRET-VALUE', totp: 'abc' }),
    );
    expect(error).toMatchObject({ code: 'VALIDATION' });
    expect(JSON.stringify(error)).not.toContain('SECRET-VALUE');
  });

  it('has a handler on every channel, and events reach the window on their channel', () => {
    expect(handlers.has(channelOf('session.status'))).toBe(true);
    core.events.emit('data.changed', { entities: ['thread'] });
    expect(sent).toContainEqual([eventChannelOf('data.changed'), { entities: ['thread'] }]);
  });
});
