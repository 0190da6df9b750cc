import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';
import { errorResponses } from '../../http/schemas.ts';
import { ClientRef, Fapi, SessionIdParams, SessionRef, TouchSessionBody } from './client.schemas.ts';
import { destroyClient, endAllSessions, endSession, resolveClient, sessionToJson, touchCurrentSession } from './client.service.ts';
import { clientToJson, envelope } from './client.view.ts';

const tags = ['Frontend API: client and sessions'];
const Nothing = Type.Null();

export const clientRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/v1/client', {
    schema: { tags, summary: "This browser's client: its sessions and the sign-in / sign-up in progress (null before the first)", response: { 200: Fapi(Type.Union([ClientRef, Nothing])) } },
  }, async (req) => {
    const client = await resolveClient(deps, req);
    const json = client ? await clientToJson(deps, client.id) : null;
    return { response: json, client: json };
  });

  app.delete('/v1/client', {
    schema: { tags, summary: 'Sign out everywhere in this browser and forget it (clears the cookie)', response: { 200: Fapi(Nothing) } },
  }, async (req, reply) => {
    await destroyClient(deps, req, reply);
    return { response: null, client: null };
  });

  app.delete('/v1/client/sessions', {
    schema: { tags, summary: 'Sign out of every session of this browser', response: { 200: Fapi(Type.Union([ClientRef, Nothing])) } },
  }, async (req) => {
    const clientId = await endAllSessions(deps, req);
    return envelope(deps, { response: clientId ? await clientToJson(deps, clientId) : null, clientId });
  });

  for (const [path, status] of [['/v1/client/sessions/:session_id/end', 'ended'], ['/v1/client/sessions/:session_id/remove', 'removed']] as const) {
    app.post(path, {
      schema: { tags, summary: `Sign out of one session (${status})`, params: SessionIdParams, response: { 200: Fapi(SessionRef), ...errorResponses(404) } },
    }, async (req) => {
      const { clientId, session } = await endSession(deps, req, req.params.session_id, status);
      return envelope(deps, { response: await sessionToJson(deps, session), clientId });
    });
  }

  app.delete('/v1/client/sessions/:session_id', {
    schema: { tags, summary: 'Sign out of one session (same as …/remove)', params: SessionIdParams, response: { 200: Fapi(SessionRef), ...errorResponses(404) } },
  }, async (req) => {
    const { clientId, session } = await endSession(deps, req, req.params.session_id, 'removed');
    return envelope(deps, { response: await sessionToJson(deps, session), clientId });
  });

  app.post('/v1/client/sessions/:session_id/touch', {
    schema: { tags, summary: 'Mark the session active; optionally set its active organization', params: SessionIdParams, body: TouchSessionBody, response: { 200: Fapi(SessionRef), ...errorResponses(401, 404) } },
  }, async (req) => {
    const { clientId, session } = await touchCurrentSession(deps, req, req.params.session_id, req.body.active_organization_id);
    return envelope(deps, { response: await sessionToJson(deps, session), clientId });
  });
};
