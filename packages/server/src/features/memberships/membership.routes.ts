import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';
import { errorResponses } from '../../http/schemas.ts';
import {
  CreateMembershipBody,
  InstanceMembershipsQuery,
  ListMembershipsQuery,
  MembershipMetadataBody,
  MembershipParams,
  OrganizationMembershipList,
  OrganizationMembershipRef,
  OrganizationParams,
  UpdateMembershipBody,
  UserMembershipsQuery,
  UserParams,
} from './membership.schemas.ts';
import {
  createMembership,
  deleteMembershipOf,
  listInstanceMemberships,
  listOrganizationMemberships,
  listUserMemberships,
  mergeMembershipMetadata,
  updateMembershipRole,
} from './membership.service.ts';

const tags = ['Organization memberships'];
const security = [{ bearerAuth: [] }];

export const membershipRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post('/v1/organizations/:organization_id/memberships', {
    schema: {
      tags, security, summary: 'Add a user to an organization',
      description: 'Directly, without an invitation. Counts against max_allowed_memberships (members plus pending invitations).',
      params: OrganizationParams, body: CreateMembershipBody,
      response: { 200: OrganizationMembershipRef, ...errorResponses(400, 401, 403, 404, 422) },
    },
  }, async (req) => createMembership(deps, req.params.organization_id, req.body));

  app.get('/v1/organizations/:organization_id/memberships', {
    schema: {
      tags, security, summary: 'List the members of an organization', description: '{data,total_count}, newest first by default.',
      params: OrganizationParams, querystring: ListMembershipsQuery,
      response: { 200: OrganizationMembershipList, ...errorResponses(401, 404, 422) },
    },
  }, async (req) => listOrganizationMemberships(deps, req.params.organization_id, req.query));

  app.patch('/v1/organizations/:organization_id/memberships/:user_id', {
    schema: {
      tags, security, summary: "Change a member's role",
      description: 'The organization keeps at least one member who can manage members (400 organization_minimum_permissions_needed).',
      params: MembershipParams, body: UpdateMembershipBody,
      response: { 200: OrganizationMembershipRef, ...errorResponses(400, 401, 404, 422) },
    },
  }, async (req) => updateMembershipRole(deps, req.params.organization_id, req.params.user_id, req.body.role));

  app.delete('/v1/organizations/:organization_id/memberships/:user_id', {
    schema: {
      tags, security, summary: 'Remove a member',
      description: 'Answers with the removed OrganizationMembership. The last member who can manage members cannot be removed.',
      params: MembershipParams,
      response: { 200: OrganizationMembershipRef, ...errorResponses(400, 401, 404) },
    },
  }, async (req) => deleteMembershipOf(deps, req.params.organization_id, req.params.user_id));

  app.patch('/v1/organizations/:organization_id/memberships/:user_id/metadata', {
    schema: {
      tags, security, summary: 'Merge membership metadata',
      description: 'Deep merge into the stored metadata: nested objects merge, a key set to null is removed.',
      params: MembershipParams, body: MembershipMetadataBody,
      response: { 200: OrganizationMembershipRef, ...errorResponses(400, 401, 404, 422) },
    },
  }, async (req) => mergeMembershipMetadata(deps, req.params.organization_id, req.params.user_id, req.body));

  app.get('/v1/users/:user_id/organization_memberships', {
    schema: {
      tags, security, summary: "List a user's organization memberships", description: '{data,total_count}, newest first.',
      params: UserParams, querystring: UserMembershipsQuery,
      response: { 200: OrganizationMembershipList, ...errorResponses(401, 404, 422) },
    },
  }, async (req) => listUserMemberships(deps, req.params.user_id, req.query));

  app.get('/v1/organization_memberships', {
    schema: {
      tags, security, summary: 'List every organization membership of the instance', description: '{data,total_count}, newest first by default.',
      querystring: InstanceMembershipsQuery,
      response: { 200: OrganizationMembershipList, ...errorResponses(401, 422) },
    },
  }, async (req) => listInstanceMemberships(deps, req.query));
};
