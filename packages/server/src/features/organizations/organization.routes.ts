import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';
import { errorResponses } from '../../http/schemas.ts';
import {
  CreateOrganizationBody,
  DeletedOrganization,
  GetOrganizationQuery,
  ListOrganizationsQuery,
  OrganizationIdOrSlugParams,
  OrganizationIdParams,
  OrganizationList,
  OrganizationMetadataBody,
  OrganizationRef,
  UpdateOrganizationBody,
} from './organization.schemas.ts';
import {
  createOrganization,
  deleteOrganization,
  getOrganization,
  getOrganizationList,
  mergeOrganizationMetadata,
  replaceOrganizationMetadata,
  updateOrganization,
} from './organization.service.ts';

const tags = ['Organizations'];
const security = [{ bearerAuth: [] }];

export const organizationRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post('/v1/organizations', {
    schema: {
      tags, security, summary: 'Create an organization',
      description: 'With created_by, that user becomes the first member with the creator role (org:admin). Without a slug, one is derived from the name.',
      body: CreateOrganizationBody,
      response: { 200: OrganizationRef, ...errorResponses(400, 401, 422) },
    },
  }, async (req) => createOrganization(deps, req.body));

  app.get('/v1/organizations', {
    schema: {
      tags, security, summary: 'List organizations', description: '{data,total_count}, newest first by default.',
      querystring: ListOrganizationsQuery,
      response: { 200: OrganizationList, ...errorResponses(401, 422) },
    },
  }, async (req) => getOrganizationList(deps, req.query));

  app.get('/v1/organizations/:organization_id', {
    schema: {
      tags, security, summary: 'Get an organization by id or slug',
      params: OrganizationIdOrSlugParams, querystring: GetOrganizationQuery,
      response: { 200: OrganizationRef, ...errorResponses(401, 404, 422) },
    },
  }, async (req) => getOrganization(deps, req.params.organization_id, req.query));

  app.patch('/v1/organizations/:organization_id', {
    schema: {
      tags, security, summary: 'Update an organization', description: 'Changes only the keys given. Metadata has its own endpoints (…/metadata).',
      params: OrganizationIdParams, body: UpdateOrganizationBody,
      response: { 200: OrganizationRef, ...errorResponses(400, 401, 404, 422) },
    },
  }, async (req) => updateOrganization(deps, req.params.organization_id, req.body));

  app.delete('/v1/organizations/:organization_id', {
    schema: {
      tags, security, summary: 'Delete an organization', description: 'Its memberships and invitations are deleted with it. Not reversible.',
      params: OrganizationIdParams, response: { 200: DeletedOrganization, ...errorResponses(401, 404) },
    },
  }, async (req) => deleteOrganization(deps, req.params.organization_id));

  app.patch('/v1/organizations/:organization_id/metadata', {
    schema: {
      tags, security, summary: 'Merge organization metadata',
      description: 'Deep merge into the stored metadata: nested objects merge, a key set to null is removed.',
      params: OrganizationIdParams, body: OrganizationMetadataBody,
      response: { 200: OrganizationRef, ...errorResponses(400, 401, 404, 422) },
    },
  }, async (req) => mergeOrganizationMetadata(deps, req.params.organization_id, req.body));

  app.put('/v1/organizations/:organization_id/metadata', {
    schema: {
      tags, security, summary: 'Replace organization metadata',
      description: 'Each given object replaces the stored one in full; omitted ones are kept. @clerk/backend updateOrganization sends metadata here.',
      params: OrganizationIdParams, body: OrganizationMetadataBody,
      response: { 200: OrganizationRef, ...errorResponses(400, 401, 404, 422) },
    },
  }, async (req) => replaceOrganizationMetadata(deps, req.params.organization_id, req.body));
};
