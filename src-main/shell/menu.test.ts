import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { menuTemplate } from './menu';

function roles(items: MenuItemConstructorOptions[]): string[] {
  return items.flatMap((item) => [
    ...(item.role ? [item.role] : []),
    ...(Array.isArray(item.submenu) ? roles(item.submenu) : []),
  ]);
}

const DEV_ONLY = ['toggleDevTools', 'reload', 'forceReload'];

describe('application menu', () => {
  it.each(['linux', 'win32', 'darwin'] as const)(
    'has no DevTools or reload in a packaged build (%s)',
    (platform) => {
      const r = roles(menuTemplate({ isPackaged: true, platform }));
      for (const role of DEV_ONLY) expect(r).not.toContain(role);
      expect(r).toEqual(expect.arrayContaining(['editMenu', 'zoomIn', 'zoomOut', 'resetZoom']));
    },
  );

  it('offers DevTools and reload in development builds', () => {
    expect(roles(menuTemplate({ isPackaged: false, platform: 'linux' }))).toEqual(
      expect.arrayContaining(DEV_ONLY),
    );
  });

  it('has the macOS app menu only on macOS', () => {
    expect(roles(menuTemplate({ isPackaged: true, platform: 'darwin' }))).toContain('appMenu');
    expect(roles(menuTemplate({ isPackaged: true, platform: 'linux' }))).not.toContain('appMenu');
  });
});
