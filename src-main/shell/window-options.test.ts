import { describe, expect, it } from 'vitest';
import { mainWindowOptions } from './window-options';

const PRELOAD = '/opt/clinic/resources/app.asar/out/preload/index.cjs';

describe('main window options', () => {
  const packaged = mainWindowOptions({ preloadPath: PRELOAD, isPackaged: true });
  const dev = mainWindowOptions({ preloadPath: PRELOAD, isPackaged: false });

  it('sets every security-relevant web preference explicitly', () => {
    expect(packaged.webPreferences).toMatchObject({
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      spellcheck: false,
      navigateOnDragDrop: false,
    });
  });

  it('never enables Blink features or extra arguments for the renderer', () => {
    const prefs = packaged.webPreferences ?? {};
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs).not.toHaveProperty('additionalArguments');
    expect(prefs).not.toHaveProperty('partition');
  });

  it('allows DevTools only in development builds', () => {
    expect(packaged.webPreferences?.devTools).toBe(false);
    expect(dev.webPreferences?.devTools).toBe(true);
    // Nothing else differs between the two.
    expect({ ...dev, webPreferences: { ...dev.webPreferences, devTools: false } }).toEqual(packaged);
  });

  it('stays hidden until ready-to-show, with a background colour and a minimum size', () => {
    expect(packaged.show).toBe(false);
    expect(packaged.backgroundColor).toMatch(/^#[0-9a-f]{6}$/i);
    expect(packaged.minWidth).toBeGreaterThanOrEqual(800);
    expect(packaged.minHeight).toBeGreaterThanOrEqual(600);
    expect(packaged.width).toBeGreaterThanOrEqual(packaged.minWidth ?? 0);
    expect(packaged.height).toBeGreaterThanOrEqual(packaged.minHeight ?? 0);
  });
});
