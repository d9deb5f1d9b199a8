/**
 * The Electron side of the core's adapters (src-main/base/adapters.ts). Electron objects are passed in
 * (types only are imported) so the wiring is tested in plain Node.
 */
import type { PowerMonitor, Shell } from 'electron';
import type { ExternalOpener, IdleSource, SystemLockReason } from '../base/adapters';
import type { KeyStore } from '../keys/key-store';
import { KeytarKeyStore } from '../keys/keytar-store';
import { allowedExternalUrl } from './external-links';

// 'resume': waking from sleep locks too (issue 11), whether or not 'suspend' was delivered before.
const LOCK_EVENTS: readonly SystemLockReason[] = ['lock-screen', 'suspend', 'resume'];

/** OS idle time and OS lock/suspend/resume from powerMonitor (usable only after app 'ready'). */
export function powerMonitorIdleSource(
  powerMonitor: Pick<PowerMonitor, 'getSystemIdleTime' | 'on' | 'removeListener'>,
): IdleSource {
  return {
    idleSeconds: () => powerMonitor.getSystemIdleTime(),
    onSystemLock(listener) {
      const handlers = LOCK_EVENTS.map((reason) => {
        const handler = (): void => listener(reason);
        // Cast: Electron's overloads are per event name; both events take no arguments.
        powerMonitor.on(reason as 'lock-screen', handler);
        return [reason, handler] as const;
      });
      return () => {
        for (const [reason, handler] of handlers)
          powerMonitor.removeListener(reason as 'lock-screen', handler);
      };
    },
  };
}

/** shell.openExternal, but only for allow-listed https virtual-visit links (checklist item 15). */
export function guardedExternalOpener(
  shell: Pick<Shell, 'openExternal'>,
  externalHosts: readonly string[],
): ExternalOpener {
  return async (url: string) => {
    const safe = allowedExternalUrl(url, externalHosts);
    if (safe === null) throw new Error('This link is not an allowed virtual-visit address.');
    await shell.openExternal(safe);
  };
}

/** The store key lives in the OS keychain through keytar (DESIGN.md §4). */
export function osKeyStore(): KeyStore {
  return new KeytarKeyStore();
}
