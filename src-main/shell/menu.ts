import type { MenuItemConstructorOptions } from 'electron';

/**
 * A minimal application menu as data: editing and zoom (keyboard users and accessibility need them),
 * and reload / DevTools only in development builds. Ctrl+L (lock) is the renderer's own shortcut.
 */
export function menuTemplate({
  isPackaged,
  platform,
}: {
  isPackaged: boolean;
  platform: NodeJS.Platform;
}): MenuItemConstructorOptions[] {
  const template: MenuItemConstructorOptions[] = [];
  if (platform === 'darwin') {
    template.push({ role: 'appMenu' });
  }
  template.push({ role: 'editMenu' });
  const view: MenuItemConstructorOptions[] = [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }];
  if (!isPackaged) {
    view.push({ type: 'separator' }, { role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' });
  }
  template.push({ label: 'View', submenu: view });
  template.push({ role: 'windowMenu' });
  return template;
}
