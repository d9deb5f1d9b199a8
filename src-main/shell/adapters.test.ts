import { EventEmitter } from 'node:events';
import type { PowerMonitor, Shell } from 'electron';
import { describe, expect, it } from 'vitest';
import { KeytarKeyStore } from '../keys/keytar-store';
import { guardedExternalOpener, osKeyStore, powerMonitorIdleSource } from './adapters';

class FakePowerMonitor extends EventEmitter {
  idle = 0;
  getSystemIdleTime(): number {
    return this.idle;
  }
}

describe('powerMonitor idle source', () => {
  it('reports the OS idle time', () => {
    const pm = new FakePowerMonitor();
    const source = powerMonitorIdleSource(pm as unknown as PowerMonitor);
    pm.idle = 301;
    expect(source.idleSeconds()).toBe(301);
  });

  it('reports OS lock-screen, suspend and resume, and stops after unsubscribe', () => {
    const pm = new FakePowerMonitor();
    const source = powerMonitorIdleSource(pm as unknown as PowerMonitor);
    const seen: string[] = [];
    const off = source.onSystemLock((reason) => seen.push(reason));
    pm.emit('lock-screen');
    pm.emit('suspend');
    pm.emit('resume');
    pm.emit('unlock-screen');
    off();
    pm.emit('lock-screen');
    expect(seen).toEqual(['lock-screen', 'suspend', 'resume']);
    expect(pm.listenerCount('lock-screen') + pm.listenerCount('suspend') + pm.listenerCount('resume')).toBe(
      0,
    );
  });
});

describe('guarded external opener', () => {
  const hosts = ['meet.clinic.example'];
  function opener() {
    const opened: string[] = [];
    const open = guardedExternalOpener(
      { openExternal: async (url: string) => void opened.push(url) } as unknown as Shell,
      hosts,
    );
    return { open, opened };
  }

  it('opens an allow-listed https link (normalized)', async () => {
    const { open, opened } = opener();
    await open('https://MEET.clinic.example/room/1');
    expect(opened).toEqual(['https://meet.clinic.example/room/1']);
  });

  it.each([
    'https://evil.example/',
    'http://meet.clinic.example/',
    'file:///etc/passwd',
    'javascript:alert(1)',
  ])('refuses %s', async (url) => {
    const { open, opened } = opener();
    await expect(open(url)).rejects.toThrow(/not an allowed/);
    expect(opened).toEqual([]);
  });
});

describe('key store', () => {
  it('is the OS keychain through keytar', () => {
    expect(osKeyStore()).toBeInstanceOf(KeytarKeyStore);
  });
});
