// Organization roles and permissions in the Backend API. Paths, bodies and objects follow
// @clerk/backend 3.25 (OrganizationRoleAPI, OrganizationPermissionAPI; resources Role and
// Permission) and Clerk's BAPI spec (clerk-sdk-ruby docs/sdks/organizationroles and
// organizationpermissions: Role, Permission with `type`, Roles/Permissions lists). Error codes
// come from clerk-docs data/api_errors.json where Clerk has one.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';
import { errorResponses } from '../../http/schemas.ts';
import { createPermission, deletePermission, getPermission, getPermissionList, updatePermission } from './permission.service.ts';
import {
  CreatePermissionBody,
  CreateRoleBody,
  DeletedPermission,
  DeletedRole,
  PermissionIdParams,
  PermissionList,
  PermissionRef,
  RoleIdParams,
  RoleList,
  RoleListQuery,
  RolePermissionParams,
  RoleRef,
  UpdatePermissionBody,
  UpdateRoleBody,
} from './role.schemas.ts';
import { assignPermissionToRole, createRole, deleteRole, getRole, getRoleList, removePermissionFromRole, updateRole } from './role.service.ts';

const tags = ['Roles and permissions'];
const security = [{ bearerAuth: [] }];

export const roleRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/v1/organization_roles', {
    schema: {
      tags, security, summary: 'List organization roles',
      description: 'Instance-wide roles (org:admin, org:member and custom ones) with their permissions, as `{data, total_count}` (@clerk/backend getOrganizationRoleList). Newest first by default.',
      querystring: RoleListQuery,
      response: { 200: RoleList, ...errorResponses(401, 422) },
    },
  }, async (req) => getRoleList(deps, req.query));

  app.post('/v1/organization_roles', {
    schema: {
      tags, security, summary: 'Create an organization role',
      description:
        'Body as @clerk/backend createOrganizationRole: name, key (org:<key>), description, permissions (ids). A key that is taken is 422 form_identifier_exists ' +
        '(meta.param_name "key"; Clerk documents no code for it, and duplicate_record is Tessera\'s code for duplicate invitations).',
      body: CreateRoleBody,
      response: { 200: RoleRef, ...errorResponses(400, 401, 404, 422) },
    },
  }, async (req) => createRole(deps, req.body));

  app.get('/v1/organization_roles/:organization_role_id', {
    schema: { tags, security, summary: 'Get an organization role', params: RoleIdParams, response: { 200: RoleRef, ...errorResponses(401, 404) } },
  }, async (req) => getRole(deps, req.params.organization_role_id));

  app.patch('/v1/organization_roles/:organization_role_id', {
    schema: {
      tags, security, summary: 'Update an organization role',
      description:
        'Changes only the keys given; `permissions` (ids) replaces the grants. org:admin and org:member keep their key (403 organization_system_role_not_modifiable); ' +
        'the creator role (org:admin) must keep org:sys_memberships:manage, org:sys_memberships:read and org:sys_profile:delete (422 organization_missing_creator_role_permissions).',
      params: RoleIdParams, body: UpdateRoleBody,
      response: { 200: RoleRef, ...errorResponses(400, 401, 403, 404, 422) },
    },
  }, async (req) => updateRole(deps, req.params.organization_role_id, req.body));

  app.delete('/v1/organization_roles/:organization_role_id', {
    schema: {
      tags, security, summary: 'Delete an organization role',
      description:
        'Only custom roles not in use: the creator role is 422 organization_role_default_creator_role, org:member 403 organization_system_role_not_modifiable; ' +
        'a role held by a membership is 422 organization_role_assigned_members, one named by an organization invitation of any status 422 organization_role_exists_in_invitations ' +
        '(Clerk counts only pending invitations; Tessera keeps every invitation\'s role). Returns a deleted object.',
      params: RoleIdParams, response: { 200: DeletedRole, ...errorResponses(401, 403, 404, 422) },
    },
  }, async (req) => deleteRole(deps, req.params.organization_role_id));

  app.post('/v1/organization_roles/:organization_role_id/permissions/:permission_id', {
    schema: {
      tags, security, summary: 'Assign a permission to an organization role',
      description: 'No body. Already assigned → 409 organization_role_permission_association_exists. Returns the role.',
      params: RolePermissionParams, response: { 200: RoleRef, ...errorResponses(401, 404, 409) },
    },
  }, async (req) => assignPermissionToRole(deps, req.params.organization_role_id, req.params.permission_id));

  app.delete('/v1/organization_roles/:organization_role_id/permissions/:permission_id', {
    schema: {
      tags, security, summary: 'Remove a permission from an organization role',
      description:
        'Not assigned → 404 organization_role_permission_association_not_found; one of the creator role\'s minimum permissions → 422 organization_missing_creator_role_permissions. Returns the role.',
      params: RolePermissionParams, response: { 200: RoleRef, ...errorResponses(401, 404, 422) },
    },
  }, async (req) => removePermissionFromRole(deps, req.params.organization_role_id, req.params.permission_id));

  app.get('/v1/organization_permissions', {
    schema: {
      tags, security, summary: 'List organization permissions',
      description: 'The 9 system permissions (type "system") and custom ones (type "user"), as `{data, total_count}`. Newest first by default.',
      querystring: RoleListQuery,
      response: { 200: PermissionList, ...errorResponses(401, 422) },
    },
  }, async (req) => getPermissionList(deps, req.query));

  app.post('/v1/organization_permissions', {
    schema: {
      tags, security, summary: 'Create an organization permission',
      description:
        'Body as @clerk/backend createOrganizationPermission: name, key (org:<feature>:<action>), description. A key under org:sys_ is 403 ' +
        'organization_system_permission_not_modifiable; a taken key 422 form_identifier_exists (meta.param_name "key").',
      body: CreatePermissionBody,
      response: { 200: PermissionRef, ...errorResponses(400, 401, 403, 422) },
    },
  }, async (req) => createPermission(deps, req.body));

  app.get('/v1/organization_permissions/:permission_id', {
    schema: { tags, security, summary: 'Get an organization permission', params: PermissionIdParams, response: { 200: PermissionRef, ...errorResponses(401, 404) } },
  }, async (req) => getPermission(deps, req.params.permission_id));

  app.patch('/v1/organization_permissions/:permission_id', {
    schema: {
      tags, security, summary: 'Update an organization permission',
      description: 'Changes only the keys given. System permissions cannot be updated (403 organization_system_permission_not_modifiable).',
      params: PermissionIdParams, body: UpdatePermissionBody,
      response: { 200: PermissionRef, ...errorResponses(400, 401, 403, 404, 422) },
    },
  }, async (req) => updatePermission(deps, req.params.permission_id, req.body));

  app.delete('/v1/organization_permissions/:permission_id', {
    schema: {
      tags, security, summary: 'Delete an organization permission',
      description:
        'System permissions cannot be deleted (403 organization_system_permission_not_modifiable). A custom permission still granted to roles is removed from them ' +
        'in the same transaction (not refused). Returns a deleted object.',
      params: PermissionIdParams, response: { 200: DeletedPermission, ...errorResponses(401, 403, 404) },
    },
  }, async (req) => deletePermission(deps, req.params.permission_id));
};
