/**
 * The IPC surface: one ipcMain.handle per contract method on its fixed channel, nothing generic.
 * Every call's sender is checked (Electron security checklist item 17) before the router sees it:
 * it must be our main window's web contents, and the router then checks the frame's origin and that
 * it is the top frame. Electron objects are passed in (types only are imported) so this is tested in Node.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents, WebFrameMain } from 'electron';
import { METHOD_NAMES, channelOf, eventChannelOf } from '../../src-shared/contract';
import type { CallResult, CallerInfo, Router } from '../ipc/types';
import { isAppUrl, originOf } from './app-origin';

/** What the IPC layer needs of the main window. */
export interface MainWindowLike {
  isDestroyed(): boolean;
  readonly webContents: Pick<WebContents, 'send' | 'isDestroyed'> & {
    readonly mainFrame: Pick<WebFrameMain, 'url'>;
  };
}

type InvokeEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

export const FOREIGN_SENDER: CallResult = Object.freeze({
  ok: false,
  error: Object.freeze({ code: 'FORBIDDEN', message: 'This window may not use the console API.' }),
}) as CallResult;

/**
 * Who is calling, or null when the call does not come from our main window's web contents
 * (another window, a destroyed or navigated-away frame). Origin comes from the sending frame's URL.
 */
export function callerOf(event: InvokeEvent, mainWindow: MainWindowLike | null): CallerInfo | null {
  if (!mainWindow || mainWindow.isDestroyed()) return null;
  // Identity, not equality of ids: only the exact web contents we created may call.
  if (event.sender !== (mainWindow.webContents as unknown)) return null;
  const frame = event.senderFrame;
  // senderFrame is null when the frame has navigated or been destroyed since it sent the message.
  if (!frame) return null;
  return { origin: originOf(frame.url), isMainFrame: frame === event.sender.mainFrame };
}

/**
 * Register the handlers and forward the router's events to the main window.
 * Returns a function that removes both (on quit, or in tests).
 */
export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  router: Router,
  getMainWindow: () => MainWindowLike | null,
): () => void {
  for (const name of METHOD_NAMES) {
    ipcMain.handle(
      channelOf(name),
      async (event: IpcMainInvokeEvent, input: unknown): Promise<CallResult> => {
        const caller = callerOf(event, getMainWindow());
        if (caller === null) return FOREIGN_SENDER;
        return router.call(name, input, caller);
      },
    );
  }
  const unsubscribe = router.onEvent((eventName, payload) => {
    const win = getMainWindow();
    if (!win || win.isDestroyed() || win.webContents.isDestroyed()) return;
    // Events go only to our own page: never to whatever a (refused) navigation might have left behind.
    if (!isAppUrl(win.webContents.mainFrame.url)) return;
    win.webContents.send(eventChannelOf(eventName), payload);
  });
  return () => {
    unsubscribe();
    for (const name of METHOD_NAMES) ipcMain.removeHandler(channelOf(name));
  };
}
