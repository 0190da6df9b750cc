// Organization roles and permissions on the wire, in the shape of Clerk's Backend API
// (`@clerk/backend` OrganizationRoleAPI / OrganizationPermissionAPI and resources Role / Permission;
// Clerk's OpenAPI components Role, Permission, Roles, Permissions). The Role and Permission
// objects are registered once with an $id (app.ts adds `roleSchemas`) and referenced with Type.Ref.
// Bodies reject unknown keys.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Limit, Nullable, Offset, Paginated } from '../../http/schemas.ts';

const Ms = (description = 'Unix milliseconds') => Type.Integer({ description });

export const Permission = Type.Object(
  {
    object: Type.Literal('permission'),
    id: Type.String({ description: 'perm_…' }),
    key: Type.String({ description: 'org:<feature>:<action>; system permissions are org:sys_<feature>:<action>.' }),
    name: Type.String(),
    description: Type.String(),
    type: Type.Union([Type.Literal('system'), Type.Literal('user')], { description: 'system (seeded, read-only) or user (created through this API).' }),
    created_at: Ms(),
    updated_at: Ms(),
  },
  { $id: 'Permission' },
);
export type PermissionJson = Static<typeof Permission>;
export const PermissionRef = Type.Unsafe<PermissionJson>(Type.Ref('Permission'));

export const Role = Type.Object(
  {
    object: Type.Literal('role'),
    id: Type.String({ description: 'role_…' }),
    key: Type.String({ description: 'org:<key>. org:admin (the creator role) and org:member (the default role) are seeded.' }),
    name: Type.String(),
    description: Nullable(Type.String({ description: 'Tessera stores "" when none was given; never null in practice.' })),
    is_creator_eligible: Type.Boolean({
      description: 'Whether the role holds the permissions a creator role needs: org:sys_memberships:manage, org:sys_memberships:read, org:sys_profile:delete.',
    }),
    permissions: Type.Array(PermissionRef, { description: 'Ordered by key.' }),
    created_at: Ms(),
    updated_at: Ms(),
  },
  { $id: 'Role' },
);
export type RoleJson = Static<typeof Role>;
export const RoleRef = Type.Unsafe<RoleJson>(Type.Ref('Role'));

/** Shared schemas with an $id, registered once on the app (referenced with Type.Ref). */
export const roleSchemas: TSchema[] = [Permission, Role];

export const RoleList = Paginated(RoleRef);
export type RoleListJson = Static<typeof RoleList>;
export const PermissionList = Paginated(PermissionRef);
export type PermissionListJson = Static<typeof PermissionList>;

export const DeletedRole = Type.Object({ object: Type.Literal('role'), id: Type.String(), deleted: Type.Literal(true) });
export type DeletedRoleJson = Static<typeof DeletedRole>;
export const DeletedPermission = Type.Object({ object: Type.Literal('permission'), id: Type.String(), deleted: Type.Literal(true) });
export type DeletedPermissionJson = Static<typeof DeletedPermission>;

const Name = (description: string) => Type.String({ maxLength: 256, description });
const Key = (description: string) => Type.String({ maxLength: 256, description });
const Description = Type.Optional(Nullable(Type.String({ maxLength: 1024, description: 'null or omitted: "" on create, unchanged on update.' })));

const ROLE_KEY_RULE = 'org: followed by 1..64 of a-z, 0-9, _ (else 422 form_param_format_invalid); unique (else 422 form_identifier_exists).';
const PERMISSION_KEY_RULE =
  'org:<feature>:<action>, each segment 1..64 of a-z, 0-9, _ (else 422 form_param_format_invalid); never org:sys_… (403 organization_system_permission_not_modifiable); unique (else 422 form_identifier_exists).';
const PermissionIds = (description: string) =>
  Type.Optional(Nullable(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100, description })));

export const CreateRoleBody = Type.Object(
  {
    name: Name('Required; not blank.'),
    key: Key(ROLE_KEY_RULE),
    description: Description,
    permissions: PermissionIds('Permission ids (perm_…) to grant; an unknown id is 404 resource_not_found (meta.param_name "permissions"). Repeats are ignored.'),
    include_in_initial_role_set: Type.Optional(
      Nullable(Type.Boolean({ description: 'Tessera has a single, instance-wide role set that holds every role: true or null is accepted, false is 422 form_param_value_invalid.' })),
    ),
  },
  { additionalProperties: false },
);
export type CreateRoleInput = Static<typeof CreateRoleBody>;

export const UpdateRoleBody = Type.Object(
  {
    name: Type.Optional(Nullable(Name('Not blank; null or omitted leaves it unchanged.'))),
    key: Type.Optional(Nullable(Key(`${ROLE_KEY_RULE} The keys of org:admin and org:member cannot change (403 organization_system_role_not_modifiable).`))),
    description: Description,
    permissions: PermissionIds(
      'Replaces the role\'s permissions with these ids (null or omitted: unchanged). The creator role must keep its minimum permissions (422 organization_missing_creator_role_permissions).',
    ),
  },
  { additionalProperties: false },
);
export type UpdateRoleInput = Static<typeof UpdateRoleBody>;

export const CreatePermissionBody = Type.Object(
  { name: Name('Required; not blank.'), key: Key(PERMISSION_KEY_RULE), description: Description },
  { additionalProperties: false },
);
export type CreatePermissionInput = Static<typeof CreatePermissionBody>;

export const UpdatePermissionBody = Type.Object(
  {
    name: Type.Optional(Nullable(Name('Not blank; null or omitted leaves it unchanged.'))),
    key: Type.Optional(Nullable(Key(PERMISSION_KEY_RULE))),
    description: Description,
  },
  { additionalProperties: false },
);
export type UpdatePermissionInput = Static<typeof UpdatePermissionBody>;

export const ROLE_ORDER_FIELDS = ['created_at', 'name', 'key'] as const;
export type RoleOrderField = (typeof ROLE_ORDER_FIELDS)[number];
const OrderBy = Type.Union(
  ROLE_ORDER_FIELDS.flatMap((f) => [Type.Literal(f), Type.Literal(`+${f}`), Type.Literal(`-${f}`)]),
  { description: '[+|-]created_at|name|key ("+" implied), default -created_at; ties break on id in the same direction.' },
);

export const RoleListQuery = Type.Object(
  {
    query: Type.Optional(Type.String({ maxLength: 256, description: 'Exact match on the id, or part of the name or key (case-insensitive).' })),
    order_by: Type.Optional(OrderBy),
    limit: Type.Optional(Limit),
    offset: Type.Optional(Offset),
  },
  { additionalProperties: false },
);
export type RoleListQueryT = Static<typeof RoleListQuery>;

export const RoleIdParams = Type.Object({ organization_role_id: Type.String({ minLength: 1, maxLength: 64, description: 'role_… id' }) });
export const PermissionIdParams = Type.Object({ permission_id: Type.String({ minLength: 1, maxLength: 64, description: 'perm_… id' }) });
export const RolePermissionParams = Type.Object({
  organization_role_id: Type.String({ minLength: 1, maxLength: 64, description: 'role_… id' }),
  permission_id: Type.String({ minLength: 1, maxLength: 64, description: 'perm_… id' }),
});
