/**
 * Issue 10: password hashing at OWASP's scrypt cost on both sides (N=2^17, r=8, p=1) by default, the same
 * Unicode normalisation (NFC) on the server and in the console's offline verifier, and stored hashes of other
 * parameters upgraded at the next successful sign-in.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { totp } from '../../src-shared/totp';
import { checkVerifier, makeVerifier, verifierNeedsUpgrade } from '../../src-main/auth/verifier';
import { buildServer, type PortalServer } from '../../server/app';
import { PasswordHasher } from '../../server/auth/passwords';
import { DEMO_PORTAL_PASSWORD, demoMrn, demoStaff } from '../../server/demo/credentials';
import { tempDir } from '../helpers/tmp';

const servers: PortalServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

describe('password hashing', () => {
  it('defaults to N=2^17, r=8, p=1 on the server and for the console verifier', async () => {
    const hasher = new PasswordHasher();
    expect(hasher.cost).toEqual({ N: 131072, r: 8, p: 1 });
    expect(await hasher.hash('correct horse')).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(await makeVerifier('correct horse')).toMatch(/^scrypt\$131072\$8\$1\$/);
  });

  it('normalises passwords the same way (NFC) on both sides, without folding compatibility characters', async () => {
    const composed = 'caf\u00e9-pass';
    const decomposed = 'cafe\u0301-pass';
    const hasher = new PasswordHasher({ N: 1024 });
    const stored = await hasher.hash(composed);
    expect((await hasher.verify(decomposed, stored)).ok).toBe(true);
    const verifier = await makeVerifier(decomposed, { N: 1024 });
    expect(await checkVerifier(composed, verifier)).toBe(true);
    // NFKC would turn the ligature "ﬁ" into "fi": NFC keeps them different passwords on both sides.
    expect((await hasher.verify('\ufb01sh', await hasher.hash('fish'))).ok).toBe(false);
    expect(await checkVerifier('\ufb01sh', await makeVerifier('fish', { N: 1024 }))).toBe(false);
  });

  it('upgrades a stored hash of older parameters at the next successful sign-in (staff and patient)', async () => {
    const dir = tempDir('portal-rehash-');
    const old = await buildServer({ dataDir: dir.dir, demo: true, passwordCost: { N: 1024 } });
    const before = (await old.store.staffAuthByUsername('admin1'))!.passwordHash;
    expect(before).toMatch(/^scrypt\$1024\$/);
    await old.close();

    const server = await buildServer({ dataDir: dir.dir, passwordCost: { N: 2048 } });
    servers.push(server);
    const url = await server.listen({ host: '127.0.0.1', port: 0 });
    const admin = demoStaff('admin1');
    const post = (route: string, body: unknown) =>
      fetch(url + route, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // A wrong password changes nothing.
    expect(
      (await post('/auth/devices', { name: 'pc', username: 'admin1', password: 'nope', totp: '000000' }))
        .status,
    ).toBe(401);
    expect((await server.store.staffAuthByUsername('admin1'))!.passwordHash).toBe(before);
    const enrol = await post('/auth/devices', {
      name: 'pc',
      username: 'admin1',
      password: admin.password,
      totp: totp(admin.totpSecret, Date.now()),
    });
    expect(enrol.status).toBe(201);
    const after = (await server.store.staffAuthByUsername('admin1'))!.passwordHash;
    expect(after).toMatch(/^scrypt\$2048\$8\$1\$/);
    expect((await new PasswordHasher({ N: 2048 }).verify(admin.password, after)).ok).toBe(true);

    expect((await post('/portal/sign-in', { mrn: demoMrn(1), password: DEMO_PORTAL_PASSWORD })).status).toBe(
      200,
    );
    expect((await server.store.patientAuthByMrn(demoMrn(1)))!.portalPasswordHash).toMatch(/^scrypt\$2048\$/);
    dir.cleanup();
  });

  it('tells the console when its offline verifier is of older parameters', async () => {
    const v = await makeVerifier('pw', { N: 1024 });
    expect(verifierNeedsUpgrade(v, { N: 1024 })).toBe(false);
    expect(verifierNeedsUpgrade(v)).toBe(true);
  });
});
