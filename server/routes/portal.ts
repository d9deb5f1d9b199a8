/** The patient portal API (patients' own threads and appointments). */
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { z } from 'zod';
import {
  PortalAppointmentRequest,
  PortalNewMessage,
  PortalNewThread,
  PortalMfaEnableRequest,
  PortalSignInRequest,
  SYNC_ROUTES,
} from '../../src-shared/sync';
import type { ServerContext } from '../context';
import { SIGN_IN_BODY_LIMIT } from '../http/sign-in-limits';
import { parse } from '../http/validate';
import {
  authenticatePatient,
  cancelAppointment,
  listAppointments,
  listThreads,
  newThread,
  loginHistory,
  mfaEnable,
  mfaSetup,
  portalSignIn,
  postMessage,
  requestAppointment,
} from '../portal/service';

const id = z.string().min(1).max(64);
const ThreadParams = z.strictObject({ threadId: id });
const AppointmentParams = z.strictObject({ appointmentId: id });
const NoQuery = z.strictObject({});
const NoBody = z.strictObject({}).optional();

/** The client for a patient's login history: address and user agent, printable ASCII only, bounded. */
function clientOf(request: FastifyRequest): string {
  const agent = String(request.headers['user-agent'] ?? 'unknown client').replace(/[^\x20-\x7e]/g, '?');
  return `${request.ip} ${agent}`.slice(0, 160);
}

/** @param guards the sign-in abuse limits shared with staff sign-in (issue 10) */
export function portalRoutes(app: FastifyInstance, ctx: ServerContext, guards: onRequestHookHandler[]): void {
  const patientOf = (header: string | string[] | undefined) => authenticatePatient(ctx, header);

  app.post(
    SYNC_ROUTES.portalSignIn,
    { onRequest: guards, bodyLimit: SIGN_IN_BODY_LIMIT },
    async (request) => {
      const body = parse(PortalSignInRequest, request.body, 'body');
      return portalSignIn(ctx, body, clientOf(request));
    },
  );

  // issue 10: multi-factor sign-in and the patient's own login history
  app.post(SYNC_ROUTES.portalMfaSetup, async (request) => {
    const patientId = await patientOf(request.headers.authorization);
    parse(NoBody, request.body, 'body');
    return mfaSetup(ctx, patientId);
  });
  app.post(SYNC_ROUTES.portalMfaEnable, { bodyLimit: SIGN_IN_BODY_LIMIT }, async (request) => {
    const patientId = await patientOf(request.headers.authorization);
    return mfaEnable(ctx, patientId, parse(PortalMfaEnableRequest, request.body, 'body').totp);
  });
  app.get(SYNC_ROUTES.portalLoginHistory, async (request) => {
    const patientId = await patientOf(request.headers.authorization);
    parse(NoQuery, request.query, 'query');
    return loginHistory(ctx, patientId);
  });

  app.get(SYNC_ROUTES.portalThreads, async (request) => {
    const patientId = await patientOf(request.headers.authorization);
    parse(NoQuery, request.query, 'query');
    return { threads: await listThreads(ctx, patientId) };
  });

  app.post(SYNC_ROUTES.portalThreads, async (request, reply) => {
    const patientId = await patientOf(request.headers.authorization);
    const body = parse(PortalNewThread, request.body, 'body');
    return reply.code(201).send({ thread: await newThread(ctx, patientId, body) });
  });

  app.post(SYNC_ROUTES.portalMessages, async (request, reply) => {
    const patientId = await patientOf(request.headers.authorization);
    const params = parse(ThreadParams, request.params, 'params');
    const body = parse(PortalNewMessage, request.body, 'body');
    return reply.code(201).send({ message: await postMessage(ctx, patientId, params.threadId, body.body) });
  });

  app.get(SYNC_ROUTES.portalAppointments, async (request) => {
    const patientId = await patientOf(request.headers.authorization);
    parse(NoQuery, request.query, 'query');
    return { appointments: await listAppointments(ctx, patientId) };
  });

  app.post(SYNC_ROUTES.portalAppointments, async (request, reply) => {
    const patientId = await patientOf(request.headers.authorization);
    const body = parse(PortalAppointmentRequest, request.body, 'body');
    return reply.code(201).send({ appointment: await requestAppointment(ctx, patientId, body) });
  });

  app.delete(SYNC_ROUTES.portalAppointment, async (request) => {
    const patientId = await patientOf(request.headers.authorization);
    const params = parse(AppointmentParams, request.params, 'params');
    return { appointment: await cancelAppointment(ctx, patientId, params.appointmentId) };
  });
}
