/**
 * A front-desk PC as the server's own tests drive it: raw HTTP with the device credential and a staff session,
 * as a console sends it, or as a modified console that sets what it likes (createdAt, baseVersion).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  MUTATION_PAYLOAD_VERSION,
  PushResponse,
  type Mutation,
  type MutationOp,
  type MutationResult,
} from '../../src-shared/sync';
import type { ServerOptions } from '../app';
import { call, signInStaff, startServer, type Running, type StaffLogin } from './helpers';

/**
 * How a change is written: `baseVersion` the version the console saw (default null: a creation), `createdAt` when
 * the console made it (epoch ms or an ISO instant; default the server clock's now), `as` another signed-in PC
 * and person that sends it (`signInStaff(desk.run, ...)`; default the desk's own login).
 */
export interface ChangeOptions {
  baseVersion?: number | null;
  createdAt?: number | string;
  as?: StaffLogin;
}

/** What `useServerDesk` opens. Read its fields inside tests and hooks: they throw before its beforeAll ran. */
export interface ServerDesk {
  /** The server, its URL and its movable clock (`run.clock`). */
  readonly run: Running;
  /** The signed-in person's tokens and the PC's device id. */
  readonly login: StaffLogin;
  /**
   * One change as a console of this release writes it (payload version MUTATION_PAYLOAD_VERSION): a fresh mutation
   * id, by the signed-in person (see ChangeOptions).
   */
  mutation(entityId: string, op: MutationOp, options?: ChangeOptions): Mutation;
  /**
   * `POST /sync/push` of `mutations` in one request from the desk (or `as`'s PC); fails the test unless it
   * answers 200; results in order.
   */
  push(mutations: Mutation[], as?: StaffLogin): Promise<MutationResult[]>;
  /** `push` of one `mutation(entityId, op, options)`; its result. */
  pushOne(entityId: string, op: MutationOp, options?: ChangeOptions): Promise<MutationResult>;
  /** The server's current version of a thread, as `reader` (default the desk's login) reads it (`GET /sync/record`). */
  threadVersion(threadId: string, reader?: StaffLogin): Promise<number>;
  /** Signs the same person in again on the same PC (access tokens are short-lived: after moving the clock). */
  signInAgain(): Promise<void>;
}

/**
 * Registers, in the calling file or describe, a `beforeAll` that starts a real server (`startServer`: the demo
 * clinic at `scale` 0.05 unless given; SQLite, or PostgreSQL in the vitest project "postgres"; any other
 * `ServerOptions` such as `demoTimeZone`), enrols a PC and signs `username` (default 'reception1') in on it, and
 * an `afterAll` that stops the server. The clock starts Monday 2 March 2026, 09:00 UTC (`TestClock`), and has
 * moved two TOTP steps (one a sign-in) when the tests start.
 */
export function useServerDesk(options: Partial<ServerOptions> & { username?: string } = {}): ServerDesk {
  const { username = 'reception1', ...serverOptions } = options;
  let run: Running | undefined;
  let login: StaffLogin | undefined;
  const ready = () => {
    if (!run || !login)
      throw new Error('useServerDesk: read before its beforeAll ran (read it inside a test or hook)');
    return { run, login };
  };

  beforeAll(async () => {
    run = await startServer({ scale: 0.05, ...serverOptions });
    login = await signInStaff(run, username);
  });
  afterAll(async () => run?.stop());

  const desk: ServerDesk = {
    get run() {
      return ready().run;
    },
    get login() {
      return ready().login;
    },
    mutation(entityId, op, { baseVersion = null, createdAt, as } = {}) {
      const { run: r, login } = ready();
      const l = as ?? login;
      return {
        id: randomUUID(),
        entityId,
        baseVersion,
        createdAt: new Date(createdAt ?? r.clock.ms).toISOString(),
        staffId: l.staff.id,
        v: MUTATION_PAYLOAD_VERSION,
        mutation: op,
      };
    },
    async push(mutations, as) {
      const { run: r, login } = ready();
      const l = as ?? login;
      const res = await call(r.url, 'POST', '/sync/push', {
        token: l.accessToken,
        body: { deviceId: l.deviceId, mutations },
      });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      return PushResponse.parse(res.json).results;
    },
    async pushOne(entityId, op, mutationOptions) {
      return (await desk.push([desk.mutation(entityId, op, mutationOptions)], mutationOptions?.as))[0]!;
    },
    async threadVersion(threadId, reader) {
      const { run: r, login } = ready();
      const res = await call(r.url, 'GET', `/sync/record?entity=thread&id=${encodeURIComponent(threadId)}`, {
        token: (reader ?? login).accessToken,
      });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      return (res.json as { change: { data: { version: number } } }).change.data.version;
    },
    async signInAgain() {
      const { run: r, login: l } = ready();
      login = await signInStaff(r, username, l.deviceId);
    },
  };
  return desk;
}

/** 'applied', or the server's reason for a conflict or a refusal. */
export const outcomeOf = (result: MutationResult): string =>
  result.status === 'applied' ? 'applied' : result.reason;

/**
 * An `appointment.book` operation with the tests' usual visit reason ('Check-up') and no video link; `extra`
 * adds `overlapReason`, `visitTypeId` and the like. `start`/`end` are instants (any offset: the contract
 * normalises them to UTC).
 */
export const bookOp = (
  patientId: string,
  providerId: string,
  slot: { start: string; end: string },
  extra: Partial<Extract<MutationOp, { op: 'appointment.book' }>> = {},
): Extract<MutationOp, { op: 'appointment.book' }> => ({
  op: 'appointment.book',
  patientId,
  providerId,
  ...slot,
  reason: 'Check-up',
  virtualLink: null,
  ...extra,
});
