import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';
import { errorResponses } from '../../http/schemas.ts';
import {
  CreateOrganizationInvitationBody,
  CreateOrganizationInvitationBulkBody,
  InstanceOrganizationInvitationsQuery,
  ListOrganizationInvitationsQuery,
  OrganizationInvitationList,
  OrganizationInvitationParams,
  OrganizationInvitationRef,
  OrganizationParams,
  PendingOrganizationInvitationsQuery,
  RevokeOrganizationInvitationBody,
  UserOrganizationInvitationsQuery,
  UserParams,
} from './organization-invitation.schemas.ts';
import {
  createOrganizationInvitation,
  createOrganizationInvitationBulk,
  getOrganizationInvitation,
  listInstanceOrganizationInvitations,
  listOrganizationInvitationsOf,
  listPendingOrganizationInvitations,
  listUserOrganizationInvitations,
  revokeOrganizationInvitation,
} from './organization-invitation.service.ts';

const tags = ['Organization invitations'];
const security = [{ bearerAuth: [] }];

export const organizationInvitationRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post('/v1/organizations/:organization_id/invitations', {
    config: { rateLimit: 'organization_invitations.create' },
    schema: {
      tags, security, summary: 'Invite an email address to an organization',
      description: 'The answer carries the invitation link (url) once. With notify (default) the email is sent from the outbox after commit.',
      params: OrganizationParams, body: CreateOrganizationInvitationBody,
      response: { 200: OrganizationInvitationRef, ...errorResponses(400, 401, 403, 404, 422, 429) },
    },
  }, async (req) => createOrganizationInvitation(deps, req.params.organization_id, req.body));

  app.post('/v1/organizations/:organization_id/invitations/bulk', {
    config: { rateLimit: 'organization_invitations.bulk' },
    schema: {
      tags, security, summary: 'Invite up to 10 email addresses at once (all or nothing)',
      params: OrganizationParams, body: CreateOrganizationInvitationBulkBody,
      response: { 200: OrganizationInvitationList, ...errorResponses(400, 401, 403, 404, 422, 429) },
    },
  }, async (req) => createOrganizationInvitationBulk(deps, req.params.organization_id, req.body));

  app.get('/v1/organizations/:organization_id/invitations', {
    schema: {
      tags, security, summary: "List an organization's invitations",
      description: '{data,total_count}, newest first by default, every status unless filtered.',
      params: OrganizationParams, querystring: ListOrganizationInvitationsQuery,
      response: { 200: OrganizationInvitationList, ...errorResponses(401, 404, 422) },
    },
  }, async (req) => listOrganizationInvitationsOf(deps, req.params.organization_id, req.query));

  app.get('/v1/organizations/:organization_id/invitations/pending', {
    schema: {
      tags, security, summary: "List an organization's pending invitations (deprecated)",
      description: 'Deprecated by Clerk in favour of ?status=pending on the list.',
      deprecated: true,
      params: OrganizationParams, querystring: PendingOrganizationInvitationsQuery,
      response: { 200: OrganizationInvitationList, ...errorResponses(401, 404, 422) },
    },
  }, async (req) => listPendingOrganizationInvitations(deps, req.params.organization_id, req.query));

  app.get('/v1/organizations/:organization_id/invitations/:invitation_id', {
    schema: {
      tags, security, summary: 'Get an organization invitation',
      params: OrganizationInvitationParams,
      response: { 200: OrganizationInvitationRef, ...errorResponses(401, 404) },
    },
  }, async (req) => getOrganizationInvitation(deps, req.params.organization_id, req.params.invitation_id));

  app.post('/v1/organizations/:organization_id/invitations/:invitation_id/revoke', {
    schema: {
      tags, security, summary: 'Revoke an organization invitation',
      description: 'Only a pending invitation (else 404 organization_invitation_not_pending). The body is optional: an empty one with a JSON content type is accepted.',
      params: OrganizationInvitationParams, body: RevokeOrganizationInvitationBody,
      response: { 200: OrganizationInvitationRef, ...errorResponses(401, 403, 404, 422) },
    },
    // No body at all (no content type either) reads as {}, as an empty JSON body does.
    preValidation: async (req) => { req.body ??= {}; },
  }, async (req) => revokeOrganizationInvitation(deps, req.params.organization_id, req.params.invitation_id, req.body.requesting_user_id ?? null));

  app.get('/v1/organization_invitations', {
    schema: {
      tags, security, summary: 'List every organization invitation of the instance',
      description: '{data,total_count}, newest first by default; items carry public_organization_data.',
      querystring: InstanceOrganizationInvitationsQuery,
      response: { 200: OrganizationInvitationList, ...errorResponses(401, 422) },
    },
  }, async (req) => listInstanceOrganizationInvitations(deps, req.query));

  app.get('/v1/users/:user_id/organization_invitations', {
    schema: {
      tags, security, summary: "List a user's organization invitations",
      description: "Invitations to the user's verified email addresses, newest first; items carry public_organization_data.",
      params: UserParams, querystring: UserOrganizationInvitationsQuery,
      response: { 200: OrganizationInvitationList, ...errorResponses(401, 404, 422) },
    },
  }, async (req) => listUserOrganizationInvitations(deps, req.params.user_id, req.query));
};
