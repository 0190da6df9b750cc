// These routes share their paths with the Backend API's. app.ts routes a request here when it has
// no `Authorization: Bearer` header (constraint `api: 'frontend'`); with one, it goes to the Backend
// API route of the same path. They are left out of the OpenAPI document, where those paths are
// the Backend API's; the README lists them.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';
import { Fapi } from '../clients/client.schemas.ts';
import { envelope } from '../clients/client.view.ts';
import { ListMembershipsQuery } from '../memberships/membership.schemas.ts';
import { FrontendMembershipList, FrontendOrganizationInvitationList, FrontendOrganizationInvitationRef } from '../me/me.schemas.ts';
import { ListOrganizationInvitationsQuery, OrganizationInvitationParams, OrganizationParams } from '../organization-invitations/organization-invitation.schemas.ts';
import { CreateOrganizationFromBrowserBody, InviteMemberBody, InviteMembersBody } from './organization-admin.schemas.ts';
import { createOrganizationFromBrowser, inviteMember, inviteMembers, listInvitations, listMembers, listRoles, revokeInvitation } from './organization-admin.service.ts';
import { FrontendOrganization, type FrontendOrganizationJson } from '../clients/client.schemas.ts';
import { RoleList } from '../roles/role.schemas.ts';

const frontend = { api: 'frontend' };
const hide = true;

export const organizationAdminRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post('/v1/organizations', {
    constraints: frontend,
    schema: { hide, body: CreateOrganizationFromBrowserBody, response: { 200: Fapi(Type.Unsafe<FrontendOrganizationJson>(Type.Ref(FrontendOrganization.$id!))) } },
  }, async (req, reply) => envelope(deps, await createOrganizationFromBrowser(deps, { req, reply }, req.body)));

  app.post('/v1/organizations/:organization_id/invitations', {
    constraints: frontend,
    config: { rateLimit: 'organization_invitations.create' },
    schema: { hide, params: OrganizationParams, body: InviteMemberBody, response: { 200: Fapi(FrontendOrganizationInvitationRef) } },
  }, async (req, reply) => envelope(deps, await inviteMember(deps, { req, reply }, req.params.organization_id, req.body)));

  app.post('/v1/organizations/:organization_id/invitations/bulk', {
    constraints: frontend,
    config: { rateLimit: 'organization_invitations.bulk' },
    schema: { hide, params: OrganizationParams, body: InviteMembersBody, response: { 200: Fapi(Type.Array(FrontendOrganizationInvitationRef)) } },
  }, async (req, reply) => envelope(deps, await inviteMembers(deps, { req, reply }, req.params.organization_id, req.body)));

  app.get('/v1/organizations/:organization_id/invitations', {
    constraints: frontend,
    schema: { hide, params: OrganizationParams, querystring: ListOrganizationInvitationsQuery, response: { 200: Fapi(FrontendOrganizationInvitationList) } },
  }, async (req, reply) => envelope(deps, await listInvitations(deps, { req, reply }, req.params.organization_id, req.query)));

  app.post('/v1/organizations/:organization_id/invitations/:invitation_id/revoke', {
    constraints: frontend,
    schema: { hide, params: OrganizationInvitationParams, response: { 200: Fapi(FrontendOrganizationInvitationRef) } },
  }, async (req, reply) => envelope(deps, await revokeInvitation(deps, { req, reply }, req.params.organization_id, req.params.invitation_id)));

  app.get('/v1/organizations/:organization_id/memberships', {
    constraints: frontend,
    schema: { hide, params: OrganizationParams, querystring: ListMembershipsQuery, response: { 200: Fapi(FrontendMembershipList) } },
  }, async (req, reply) => envelope(deps, await listMembers(deps, { req, reply }, req.params.organization_id, req.query)));

  // Not a Backend API path (roles are instance-wide there): no constraint needed.
  app.get('/v1/organizations/:organization_id/roles', {
    schema: {
      tags: ['Frontend API: organization admin'],
      summary: 'The roles members of this organization can have (for an invite form); needs org:sys_memberships:read',
      params: OrganizationParams,
      response: { 200: Fapi(RoleList) },
    },
  }, async (req, reply) => envelope(deps, await listRoles(deps, { req, reply }, req.params.organization_id)));
};
