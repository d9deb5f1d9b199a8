/**
 * The sandboxed preload (built to out/preload/index.cjs: a sandboxed preload cannot be ESM and can
 * require only 'electron'; zod and src-shared are bundled in). It exposes exactly one frozen object,
 * window.clinic, and only to our own app://clinic page.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { isAppUrl } from '../src-main/shell/app-origin';
import { buildApi } from './build-api';

// Defence in depth: navigation away is refused in main, but should a foreign page ever load here it gets nothing.
const here = (globalThis as { location?: { href?: string } }).location?.href ?? '';
if (isAppUrl(here)) {
  contextBridge.exposeInMainWorld(
    'clinic',
    buildApi({
      // Wrapped, never passed as ipcRenderer's own methods, so no reference to ipcRenderer can leak.
      invoke: (channel, input) => ipcRenderer.invoke(channel, input),
      on: (channel, handler) => {
        ipcRenderer.on(channel, handler);
      },
      removeListener: (channel, handler) => {
        ipcRenderer.removeListener(channel, handler);
      },
    }),
  );
}
