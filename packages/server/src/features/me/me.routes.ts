import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';
import { errorResponses } from '../../http/schemas.ts';
import { Fapi, FrontendUserRef } from '../clients/client.schemas.ts';
import { envelope } from '../clients/client.view.ts';
import { UserMembershipsQuery } from '../memberships/membership.schemas.ts';
import { UserOrganizationInvitationsQuery } from '../organization-invitations/organization-invitation.schemas.ts';
import { FrontendMembershipList, FrontendOrganizationInvitationList, FrontendOrganizationInvitationRef, InvitationIdParams, UpdateMeBody } from './me.schemas.ts';
import { acceptMyInvitation, declineMyInvitation, getMe, getMyInvitations, getMyMemberships, updateMe } from './me.service.ts';

const tags = ['Frontend API: me'];

export const meRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/v1/me', {
    schema: { tags, summary: 'The signed-in user', response: { 200: Fapi(FrontendUserRef), ...errorResponses(401) } },
  }, async (req, reply) => envelope(deps, await getMe(deps, { req, reply })));

  app.patch('/v1/me', {
    schema: {
      tags,
      summary: "Update the signed-in user's names, username and unsafe metadata (replaced whole)",
      body: UpdateMeBody,
      response: { 200: Fapi(FrontendUserRef), ...errorResponses(401, 403, 422) },
    },
  }, async (req, reply) => envelope(deps, await updateMe(deps, { req, reply }, req.body)));

  app.get('/v1/me/organization_memberships', {
    schema: { tags, summary: "The signed-in user's organization memberships", querystring: UserMembershipsQuery, response: { 200: Fapi(FrontendMembershipList), ...errorResponses(401, 422) } },
  }, async (req, reply) => envelope(deps, await getMyMemberships(deps, { req, reply }, req.query)));

  app.get('/v1/me/organization_invitations', {
    schema: {
      tags,
      summary: "Organization invitations to the signed-in user's verified addresses (pending unless status says otherwise)",
      querystring: UserOrganizationInvitationsQuery,
      response: { 200: Fapi(FrontendOrganizationInvitationList), ...errorResponses(401, 422) },
    },
  }, async (req, reply) => envelope(deps, await getMyInvitations(deps, { req, reply }, req.query)));

  app.post('/v1/me/organization_invitations/:invitation_id/accept', {
    schema: {
      tags,
      summary: 'Accept an organization invitation addressed to one of your verified email addresses',
      params: InvitationIdParams,
      response: { 200: Fapi(FrontendOrganizationInvitationRef), ...errorResponses(400, 401, 403, 404) },
    },
  }, async (req, reply) => envelope(deps, await acceptMyInvitation(deps, { req, reply }, req.params.invitation_id)));

  app.post('/v1/me/organization_invitations/:invitation_id/decline', {
    schema: {
      tags,
      summary: 'Decline an organization invitation addressed to one of your verified email addresses (it ends revoked)',
      params: InvitationIdParams,
      response: { 200: Fapi(FrontendOrganizationInvitationRef), ...errorResponses(400, 401, 404) },
    },
  }, async (req, reply) => envelope(deps, await declineMyInvitation(deps, { req, reply }, req.params.invitation_id)));
};
