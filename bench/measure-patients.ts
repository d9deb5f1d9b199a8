/**
 * Issue 13 §8: patient lookup at 100,000 patients through the router (`patient.search`: validation, lock gate,
 * the lookup, and the list read's audit events, one per patient returned), p95 under 20 ms. A console core is
 * enrolled and signed in against the bench backend the real way; the 100,000 patients (names from the demo's
 * lists plus names in other scripts, dates of birth, phones, MRNs) are written through PatientsRepo.upsert, as a
 * pull writes them, so the lookup index is the one sync builds. Queries: the forms a desk types, mixed.
 */
import { demoStaff } from '../server/demo/credentials';
import { FAMILY_NAMES, GIVEN_NAMES } from '../server/demo/content';
import type { PatientRecord } from '../src-shared/domain';
import { type Backend, type BenchOptions, type Result, tempDir } from './env';
import { openBenchCore } from './setup';
import { msSince, prng, summarize, timeAsync } from './stats';

const PATIENTS = 100_000;
const ORIGIN = 'http://bench.console';
const MORE_GIVEN = ['Ayşe', 'Łukasz', 'Ольга', 'Οδυσσέας', '小龙', 'José', 'Zoë', 'Søren', 'Ngọc'];
const MORE_FAMILY = ['Öztürk', 'Müller', 'Иванова', 'Παπαδόπουλος', '李', 'Fernández', 'Nguyễn', 'Ærøe'];

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

function synthetic(i: number, rnd: () => number): PatientRecord {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const given = rnd() < 0.1 ? pick(MORE_GIVEN) : pick(GIVEN_NAMES);
  const family = rnd() < 0.1 ? pick(MORE_FAMILY) : pick(FAMILY_NAMES);
  const birth = new Date(Date.UTC(1930, 0, 1) + Math.floor(rnd() * 90 * 365) * 86_400_000);
  return {
    id: `pat-bench-${pad(i, 6)}`,
    mrn: `MRN8${pad(i, 6)}`,
    givenName: given,
    familyName: family,
    birthDate: birth.toISOString().slice(0, 10),
    phone: rnd() < 0.85 ? `+1-555-${pad(Math.floor(rnd() * 1000), 3)}-${pad(i % 10_000, 4)}` : null,
    version: 1,
  };
}

export async function measurePatients(backend: Backend, opts: BenchOptions): Promise<Result[]> {
  const dataDir = tempDir('patients');
  // A new store: enrolled as the demo admin.
  const core = await openBenchCore(backend, dataDir, { origin: ORIGIN, deviceName: 'bench desk' });
  try {
    await core.auth.signIn('reception1', demoStaff('reception1').password, backend.totpFor('reception1'));
    const rnd = prng(13);
    const people: PatientRecord[] = [];
    const started = process.hrtime.bigint();
    for (let from = 0; from < PATIENTS; from += 5000) {
      core.store.transaction(() => {
        for (let i = from; i < Math.min(PATIENTS, from + 5000); i++) {
          const p = synthetic(i, rnd);
          people.push(p);
          core.store.patients.upsert(p);
        }
      });
    }
    const writeMs = msSince(started);

    const us = (iso: string) => `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;
    const forms: ((p: PatientRecord) => string)[] = [
      (p) => `${p.givenName} ${p.familyName}`,
      (p) => `${p.familyName}, ${p.givenName}`,
      (p) => p.familyName.slice(0, 4),
      (p) => us(p.birthDate),
      (p) => p.birthDate,
      (p) => p.mrn.toLowerCase(),
      (p) => (p.phone ? p.phone.replace('+1-', '(').replace('-', ') ') : p.mrn),
      (p) => `${p.givenName.slice(0, 3)} ${p.familyName.toUpperCase()}`,
      () => 'muller',
      () => 'ÖZTÜRK',
    ];
    const queries = Array.from({ length: 500 }, (_, i) =>
      forms[i % forms.length]!(people[(i * 7919) % PATIENTS]!),
    );
    let found = 0;
    const samples = await timeAsync(
      async (i) => {
        const r = await core.router.call(
          'patient.search',
          { query: queries[i % queries.length], limit: 12 },
          { origin: ORIGIN, isMainFrame: true },
        );
        if (!r.ok) throw new Error(`patient.search failed: ${r.error.code}`);
        found += (r.value as unknown[]).length;
      },
      { warmup: opts.reps.queryWarmup, runs: opts.reps.queryRuns },
    );
    const s = summarize(samples);
    // The same queries without the router (no validation, gate or audit events): the lookup's own share.
    const bare = summarize(
      await timeAsync(
        async (i) => {
          core.store.patients.search(queries[i % queries.length]!, 12);
        },
        { warmup: opts.reps.queryWarmup, runs: opts.reps.queryRuns },
      ),
    );
    return [
      {
        group: 'patients',
        name: `patient lookup through the router, ${PATIENTS.toLocaleString('en')} patients (mixed forms)`,
        unit: 'ms',
        median: s.median,
        p95: s.p95,
        target: { on: 'p95', op: '<', value: 20 },
        runs: s.n,
        note:
          `${forms.length} query forms (First Last, Last, First, part, DOB US/ISO, MRN, phone, accents); ` +
          `${(found / (s.n + opts.reps.queryWarmup)).toFixed(1)} patients per answer; ` +
          `the lookup alone (PatientsRepo.search, no router/audit) ${bare.median.toFixed(2)}/${bare.p95.toFixed(2)} ms ` +
          `(median/p95); index written at ${Math.round(PATIENTS / (writeMs / 1000)).toLocaleString('en')} patients/s`,
      },
    ];
  } finally {
    await core.close();
  }
}
