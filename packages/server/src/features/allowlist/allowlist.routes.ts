// The sign-up allowlist in the Backend API. Paths, bodies and objects follow @clerk/backend 3.25
// (AllowlistIdentifierAPI: getAllowlistIdentifierList, createAllowlistIdentifier,
// deleteAllowlistIdentifier; resource AllowlistIdentifier) and Clerk's BAPI spec
// (ListAllowlistIdentifiers, CreateAllowlistIdentifier, DeleteAllowlistIdentifier). Error codes
// come from clerk-docs data/api_errors.json (allowlist_identifiers.go).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';
import { errorResponses } from '../../http/schemas.ts';
import {
  AllowlistIdentifier,
  AllowlistIdentifierIdParams,
  AllowlistIdentifierList,
  CreateAllowlistIdentifierBody,
  DeletedAllowlistIdentifier,
  ListAllowlistIdentifiersQuery,
} from './allowlist.schemas.ts';
import { createAllowlistIdentifier, deleteAllowlistIdentifier, getAllowlistIdentifierList } from './allowlist.service.ts';

const tags = ['Allowlist'];
const security = [{ bearerAuth: [] }];

export const allowlistRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/v1/allowlist_identifiers', {
    schema: {
      tags, security, summary: 'List allowlist identifiers',
      description:
        'Who may sign up when TESSERA_SIGN_UP_MODE=allowlist. Newest first. A bare array, or `{data, total_count}` with paginated=true (what @clerk/backend sends). ' +
        'Without `limit`, every identifier is returned.',
      querystring: ListAllowlistIdentifiersQuery,
      response: { 200: AllowlistIdentifierList, ...errorResponses(401, 422) },
    },
  }, async (req) => getAllowlistIdentifierList(deps, req.query));

  app.post('/v1/allowlist_identifiers', {
    schema: {
      tags, security, summary: 'Add an identifier to the allowlist',
      description:
        'An email address, or `*@example.com` for every address at that domain. Not an address or wildcard → 422 form_param_format_invalid; already listed → ' +
        '400 duplicate_record (meta.param_name "identifier"). Tessera sends no invitation: notify=true with an email address is 422 form_param_value_invalid.',
      body: CreateAllowlistIdentifierBody,
      response: { 200: AllowlistIdentifier, ...errorResponses(400, 401, 422) },
    },
  }, async (req) => createAllowlistIdentifier(deps, req.body));

  app.delete('/v1/allowlist_identifiers/:identifier_id', {
    schema: {
      tags, security, summary: 'Remove an identifier from the allowlist',
      description: 'Returns a deleted object. Unknown id → 404 resource_not_found. Users who already signed up through it keep their accounts.',
      params: AllowlistIdentifierIdParams,
      response: { 200: DeletedAllowlistIdentifier, ...errorResponses(401, 404) },
    },
  }, async (req) => deleteAllowlistIdentifier(deps, req.params.identifier_id));
};
