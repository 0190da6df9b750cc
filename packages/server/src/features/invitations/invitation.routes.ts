import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';
import { DeletedObject, errorResponses, Paginated } from '../../http/schemas.ts';
import {
  CreateInvitationBody,
  CreateInvitationBulkBody,
  Invitation,
  InvitationIdParams,
  ListInvitationsQuery,
} from './invitation.schemas.ts';
import { createInvitation, createInvitationBulk, deleteInvitation, listInvitationsPage, revokeInvitation } from './invitation.service.ts';

const tags = ['Invitations'];
const security = [{ bearerAuth: [] }];
const InvitationRef = Type.Ref('Invitation');

export const invitationRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post('/v1/invitations', {
    config: { rateLimit: 'invitations.create' },
    schema: {
      tags, security, summary: 'Create an invitation',
      description: 'Invites an email address to sign up. With notify (default) the email is sent from the outbox after commit.',
      body: CreateInvitationBody,
      response: { 200: InvitationRef, ...errorResponses(400, 401, 422, 429) },
    },
  }, async (req) => createInvitation(deps, req.body));

  app.post('/v1/invitations/bulk', {
    config: { rateLimit: 'invitations.bulk' },
    schema: {
      tags, security, summary: 'Create up to 10 invitations at once (all or nothing)',
      body: CreateInvitationBulkBody,
      response: { 200: Type.Array(InvitationRef), ...errorResponses(400, 401, 422, 429) },
    },
  }, async (req) => createInvitationBulk(deps, req.body));

  app.get('/v1/invitations', {
    schema: {
      tags, security, summary: 'List invitations',
      description: 'A bare array, or {data,total_count} with paginated=true (what @clerk/backend sends). Newest first by default.',
      querystring: ListInvitationsQuery,
      response: { 200: Type.Union([Type.Array(InvitationRef), Paginated(InvitationRef)]), ...errorResponses(401, 422) },
    },
  }, async (req) => {
    const page = await listInvitationsPage(deps, req.query);
    return req.query.paginated ? page : page.data;
  });

  app.post('/v1/invitations/:invitation_id/revoke', {
    schema: {
      tags, security, summary: 'Revoke an invitation',
      description: 'The link stops working. An empty body (with a JSON content type) is accepted.',
      params: InvitationIdParams,
      response: { 200: InvitationRef, ...errorResponses(400, 401, 404) },
    },
  }, async (req) => revokeInvitation(deps, req.params.invitation_id));

  app.delete('/v1/invitations/:invitation_id', {
    schema: {
      tags, security, summary: 'Delete an invitation permanently',
      description: 'Removes the invitation and every stored copy of its email (data erasure). Any status.',
      params: InvitationIdParams,
      response: { 200: DeletedObject, ...errorResponses(401, 404) },
    },
  }, async (req) => deleteInvitation(deps, req.params.invitation_id));
};
