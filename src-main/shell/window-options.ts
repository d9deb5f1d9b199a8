import type { BrowserWindowConstructorOptions } from 'electron';

export interface MainWindowInput {
  /** Absolute path of the built, CommonJS preload (out/preload/index.cjs). */
  preloadPath: string;
  /** app.isPackaged: DevTools exist only in development builds. */
  isPackaged: boolean;
}

export const BACKGROUND_COLOR = '#f6f7f9';

/**
 * The main window's options as plain data (tested without Electron). Every web preference that matters
 * for security is written out explicitly, even where it equals Electron's default, so a future default
 * change or a careless edit shows up in review and in the test.
 */
export function mainWindowOptions({
  preloadPath,
  isPackaged,
}: MainWindowInput): BrowserWindowConstructorOptions {
  return {
    title: 'Clinic Console',
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 640,
    backgroundColor: BACKGROUND_COLOR,
    // Shown on 'ready-to-show' so no blank or half-painted window flashes.
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      // Never set enableBlinkFeatures: it is deliberately absent.
      // Spellcheck would download dictionaries and look at what staff type (PHI).
      spellcheck: false,
      // A page cannot open alert/confirm loops to trap the receptionist.
      safeDialogs: true,
      // Dropping a file on the window must not navigate to it.
      navigateOnDragDrop: false,
      autoplayPolicy: 'user-gesture-required',
      devTools: !isPackaged,
    },
  };
}
