import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';
import { errorResponses } from '../../http/schemas.ts';
import {
  CountUsersQuery,
  CreateUserBody,
  DeletedUser,
  ListUsersQuery,
  UpdateUserBody,
  UserCount,
  UserIdParams,
  UserMetadataBody,
  UserRef,
} from './user.schemas.ts';
import {
  createUser,
  deleteUser,
  getUser,
  getUserCount,
  getUserList,
  replaceUserMetadata,
  updateUser,
  updateUserMetadata,
} from './user.service.ts';

const tags = ['Users'];
const security = [{ bearerAuth: [] }];

export const userRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post('/v1/users', {
    schema: {
      tags, security, summary: 'Create a user',
      description: 'Needs an email address or a username, and a password unless skip_password_requirement. Addresses are created verified; the first is primary.',
      body: CreateUserBody,
      response: { 200: UserRef, ...errorResponses(400, 401, 422) },
    },
  }, async (req) => createUser(deps, req.body));

  app.get('/v1/users', {
    schema: {
      tags, security, summary: 'List users',
      description: 'A bare array (@clerk/backend also calls /v1/users/count for the total). Newest first by default.',
      querystring: ListUsersQuery,
      response: { 200: Type.Array(UserRef), ...errorResponses(401, 422) },
    },
  }, async (req) => getUserList(deps, req.query));

  app.get('/v1/users/count', {
    schema: {
      tags, security, summary: 'Count users', description: 'The same filters as the list, without paging.',
      querystring: CountUsersQuery,
      response: { 200: UserCount, ...errorResponses(401, 422) },
    },
  }, async (req) => getUserCount(deps, req.query));

  app.get('/v1/users/:user_id', {
    schema: { tags, security, summary: 'Get a user', params: UserIdParams, response: { 200: UserRef, ...errorResponses(401, 404) } },
  }, async (req) => getUser(deps, req.params.user_id));

  app.patch('/v1/users/:user_id', {
    schema: {
      tags, security, summary: 'Update a user', description: 'Changes only the keys given.',
      params: UserIdParams, body: UpdateUserBody,
      response: { 200: UserRef, ...errorResponses(400, 401, 404, 422) },
    },
  }, async (req) => updateUser(deps, req.params.user_id, req.body));

  app.delete('/v1/users/:user_id', {
    schema: {
      tags, security, summary: 'Delete a user', description: 'Its email addresses are deleted with it.',
      params: UserIdParams, response: { 200: DeletedUser, ...errorResponses(401, 404) },
    },
  }, async (req) => deleteUser(deps, req.params.user_id));

  app.patch('/v1/users/:user_id/metadata', {
    schema: {
      tags, security, summary: 'Merge user metadata',
      description: 'Deep merge into the stored metadata: nested objects merge, a key set to null is removed.',
      params: UserIdParams, body: UserMetadataBody,
      response: { 200: UserRef, ...errorResponses(400, 401, 404, 422) },
    },
  }, async (req) => updateUserMetadata(deps, req.params.user_id, req.body));

  app.put('/v1/users/:user_id/metadata', {
    schema: {
      tags, security, summary: 'Replace user metadata',
      description: 'Each given object replaces the stored one in full; omitted ones are kept. @clerk/backend updateUser sends metadata here.',
      params: UserIdParams, body: UserMetadataBody,
      response: { 200: UserRef, ...errorResponses(400, 401, 404, 422) },
    },
  }, async (req) => replaceUserMetadata(deps, req.params.user_id, req.body));
};
