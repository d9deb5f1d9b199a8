/**
 * Found by review 7 (R9, failed before the fix): the renderer dropped PHI only when the session stops being active (applySession). The core can go
 * from one person's active session straight to another's (auth.signIn while a session is active ends it first:
 * src-main/auth/auth-service.ts), e.g. a sign-in made from a second window of the same console; the first
 * window then shows the new person the previous person's open thread and kept list pages. The console API is a
 * scripted stand-in for `window.clinic` (the stores run in Node without a browser). Expectations by hand.
 */
import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../../src-shared/views';
import { useInbox } from './inbox';
import { applySession } from './session';
import { mayAskForBody, useTriage } from './triage';

(globalThis as unknown as { window: unknown }).window = {
  clinic: new Proxy({}, { get: () => () => new Promise(() => undefined) }),
};

const info = (id: string, role: 'clinician' | 'receptionist'): SessionInfo => ({
  state: 'active',
  staff: { id, username: id, displayName: id, role },
  deviceId: 'dev-1',
  idleTimeoutMinutes: 5,
  offline: false,
  device: 'enrolled',
});

describe('another person becomes active without a lock in between', () => {
  it('finds none of the previous person’s PHI in the inbox store', () => {
    applySession(info('stf-clinician1', 'clinician'));
    useInbox.setState({
      searchText: 'Quillfeather',
      search: 'Quillfeather',
      drafts: { t1: 'Dear Ottoline' },
    });
    applySession(info('stf-reception1', 'receptionist'));
    const s = useInbox.getState();
    expect(s.search).toBe('');
    expect(s.drafts).toEqual({});
  });

  it('and the same person with another role (a demotion pulled) finds none either', () => {
    applySession(info('stf-clinician2', 'clinician'));
    useInbox.setState({
      searchText: 'Quillfeather',
      search: 'Quillfeather',
      drafts: { t1: 'Dear Ottoline' },
    });
    applySession(info('stf-clinician2', 'receptionist'));
    expect(useInbox.getState().search).toBe('');
    expect(useInbox.getState().drafts).toEqual({});
  });

  // Session 9, s9sec: the emergency access a receptionist opened, and the pools as readable to a clinician, are not
  // the next person's: the thread pane would ask for bodies on their strength, a read refused and recorded against
  // the new person.
  it('asks for no thread body on the strength of the previous person’s emergency access or pools', () => {
    applySession(info('stf-reception1', 'receptionist'));
    useTriage.setState({
      pools: [{ id: 'clinical', name: 'Clinical', kind: 'clinical', readable: true, open: 1 }] as never,
      poolsChecked: true,
      granted: ['t-clinical'],
    });
    expect(mayAskForBody('t-clinical', undefined)).toBe(true);
    applySession(info('stf-reception2', 'receptionist'));
    expect(useTriage.getState()).toMatchObject({ pools: [], poolsChecked: false, granted: [] });
    expect(mayAskForBody('t-clinical', undefined)).toBe(false);
  });
});
