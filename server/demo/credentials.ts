/**
 * Fixed demo accounts (printed by `npm run server -- --demo`, imported by tests and e2e scripts).
 * Demo only: never use these on a server holding real patient data.
 */
import type { Role } from '../../src-shared/domain';

export interface DemoStaffCredential {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  /** Index into the demo providers (clinicians are linked to one), or null. */
  providerId: string | null;
  password: string;
  /** Base32 TOTP secret (RFC 6238, SHA-1, 30 s, 6 digits). */
  totpSecret: string;
}

export const DEMO_STAFF: readonly DemoStaffCredential[] = [
  {
    id: 'stf-reception1',
    username: 'reception1',
    displayName: 'Rita Reyes',
    role: 'receptionist',
    providerId: null,
    password: 'demo-reception1-pass',
    totpSecret: 'ORZSY6JRN6KNEUVWLUAWI2XZ5QWHAZ3A',
  },
  {
    id: 'stf-reception2',
    username: 'reception2',
    displayName: 'Tom Becker',
    role: 'receptionist',
    providerId: null,
    password: 'demo-reception2-pass',
    totpSecret: 'IPYLM4DJQYZQ2NCGLAWNDTJCRV75FA7T',
  },
  {
    id: 'stf-clinician1',
    username: 'clinician1',
    displayName: 'Dr. Amara Okafor',
    role: 'clinician',
    providerId: 'prv-001',
    password: 'demo-clinician1-pass',
    totpSecret: 'KP7V3KCTMK5Q76BRCO6PHXNCRFKMGFUD',
  },
  {
    id: 'stf-clinician2',
    username: 'clinician2',
    displayName: 'Dr. Lukas Brenner',
    role: 'clinician',
    providerId: 'prv-002',
    password: 'demo-clinician2-pass',
    totpSecret: 'LWNHA6AGH5Y76PCV7ATQU46PNN2VJL2A',
  },
  {
    id: 'stf-admin1',
    username: 'admin1',
    displayName: 'Priya Nair (IT)',
    role: 'admin',
    providerId: null,
    password: 'demo-admin1-pass',
    totpSecret: 'YRQIQFZHV2SM4C7U7LED2TN7RRGAWL2I',
  },
];

/** Every demo patient's portal password; sign in with the patient's MRN. */
export const DEMO_PORTAL_PASSWORD = 'portal-demo';

export function demoStaff(username: string): DemoStaffCredential {
  const found = DEMO_STAFF.find((s) => s.username === username);
  if (!found) throw new Error(`No demo staff member ${username}`);
  return found;
}

/** MRN of the n-th demo patient (1-based), e.g. demoMrn(1) = 'MRN0000001'. */
export const demoMrn = (n: number): string => `MRN${String(n).padStart(7, '0')}`;
