// The Organizations part of the Backend API on the wire (clerk-wire.md §4.2). The Organization
// object is registered once with an $id (app.ts adds `organizationSchemas`) and referenced with
// Type.Ref, here and inside every OrganizationMembership. Bodies and queries reject unknown keys
// (422 form_param_unknown).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Limit, Metadata, Nullable, Offset } from '../../http/schemas.ts';

const Ms = (description = 'Unix milliseconds') => Type.Integer({ description });
const MAX_INT32 = 2_147_483_647;

export const Organization = Type.Object(
  {
    object: Type.Literal('organization'),
    id: Type.String({ description: 'org_…' }),
    name: Type.String(),
    slug: Type.String({ description: 'Lowercase a-z, 0-9 and single dashes; unique in the instance.' }),
    image_url: Type.String({ description: 'Tessera stores no logos: always "".' }),
    has_image: Type.Boolean(),
    members_count: Type.Optional(Type.Integer({ description: 'Only with include_members_count=true.' })),
    pending_invitations_count: Type.Optional(Type.Integer({ description: 'Pending, unexpired organization invitations; only with include_members_count=true.' })),
    missing_member_with_elevated_permissions: Type.Optional(
      Type.Boolean({ description: 'No member holds org:sys_memberships:manage (e.g. the last admin user was deleted); only with include_missing_member_with_elevated_permissions=true.' }),
    ),
    max_allowed_memberships: Type.Integer({ description: 'Members plus pending invitations; 0 = unlimited.' }),
    admin_delete_enabled: Type.Boolean(),
    public_metadata: Metadata,
    private_metadata: Metadata,
    created_by: Nullable(Type.String({ description: 'The user id given as created_by, if any.' })),
    created_at: Ms(),
    updated_at: Ms(),
    last_active_at: Nullable(Type.Integer({ description: 'Not tracked by Tessera: always null.' })),
    role_set_key: Nullable(Type.String({ description: 'Tessera has one instance-wide set of roles: always null.' })),
  },
  { $id: 'Organization' },
);
export type OrganizationJson = Static<typeof Organization>;

/** Shared schemas with an $id, registered once on the app (referenced with Type.Ref). */
export const organizationSchemas: TSchema[] = [Organization];

export const OrganizationRef = Type.Unsafe<OrganizationJson>(Type.Ref('Organization'));

export const DeletedOrganization = Type.Object({
  object: Type.Literal('organization'),
  id: Type.String(),
  slug: Type.String(),
  deleted: Type.Literal(true),
});
export type DeletedOrganizationJson = Static<typeof DeletedOrganization>;

const Name = (description: string) => Type.String({ minLength: 1, maxLength: 256, description });
const Slug = (more = '') =>
  Type.String({ maxLength: 256, description: `Lowercase a-z and 0-9 in dash-separated groups (^[a-z0-9]+(-[a-z0-9]+)*$); unique in the instance.${more}` });
const MaxAllowed = Type.Integer({ minimum: 0, maximum: MAX_INT32, description: 'Members plus pending invitations; 0 = unlimited.' });
const NotSupported = <T extends TSchema>(t: T, what: string) =>
  Type.Optional(Type.Union([t, Type.Null()], { description: `Not supported by Tessera (${what}): any non-null value is 422 form_param_value_invalid.` }));

export const CreateOrganizationBody = Type.Object(
  {
    name: Name('1..256 characters; no URLs or HTML (<, > and :// are refused). Surrounding whitespace is trimmed.'),
    slug: Type.Optional(Nullable(Slug(' Derived from the name when absent or null (with a short random suffix if that one is taken).'))),
    created_by: Type.Optional(Nullable(Type.String({ maxLength: 64, description: 'A user id: that user becomes the first member, with the creator role (org:admin).' }))),
    max_allowed_memberships: Type.Optional(Nullable(MaxAllowed)),
    admin_delete_enabled: Type.Optional(Nullable(Type.Boolean({ description: 'Default true.' }))),
    public_metadata: Type.Optional(Nullable(Metadata)),
    private_metadata: Type.Optional(Nullable(Metadata)),
    created_at: Type.Optional(Nullable(Type.String({ maxLength: 64, description: 'Overrides the creation time (imports). RFC 3339, e.g. 2012-10-20T07:15:20.902Z.' }))),
    role_set_key: NotSupported(Type.String(), 'role sets'),
  },
  { additionalProperties: false },
);
export type CreateOrganizationInput = Static<typeof CreateOrganizationBody>;

export const UpdateOrganizationBody = Type.Object(
  {
    name: Type.Optional(Nullable(Name('1..256 characters; no URLs or HTML.'))),
    slug: Type.Optional(Nullable(Slug())),
    max_allowed_memberships: Type.Optional(Nullable(MaxAllowed)),
    admin_delete_enabled: Type.Optional(Nullable(Type.Boolean())),
    role_set_key: NotSupported(Type.String(), 'role sets'),
  },
  {
    additionalProperties: false,
    description:
      'Changes only the keys given (null leaves a key as it is). Metadata is not accepted here (API 2026-05-12; @clerk/backend v3 sends it to PUT …/metadata): use PATCH or PUT /v1/organizations/{id}/metadata.',
  },
);
export type UpdateOrganizationInput = Static<typeof UpdateOrganizationBody>;

export const OrganizationMetadataBody = Type.Object(
  {
    public_metadata: Type.Optional(Nullable(Metadata)),
    private_metadata: Type.Optional(Nullable(Metadata)),
  },
  { additionalProperties: false },
);
export type OrganizationMetadataInput = Static<typeof OrganizationMetadataBody>;

export const ORGANIZATION_ORDER_FIELDS = ['created_at', 'name', 'members_count'] as const;
export type OrganizationOrderField = (typeof ORGANIZATION_ORDER_FIELDS)[number];
export const OrganizationOrderBy = Type.Union(
  ORGANIZATION_ORDER_FIELDS.flatMap((f) => [Type.Literal(f), Type.Literal(`+${f}`), Type.Literal(`-${f}`)]),
  { description: '[+|-]field ("+" or no sign ascending), default -created_at.' },
);

const SignedIds = (description: string) =>
  Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 65 }), {
      maxItems: 100,
      description: `${description} Prefix an id with "-" to exclude it ("+" or no sign includes). Repeat the key for several (up to 100).`,
    }),
  );

const Flag = (description: string) => Type.Optional(Type.Boolean({ description }));

export const ListOrganizationsQuery = Type.Object(
  {
    limit: Type.Optional(Limit),
    offset: Type.Optional(Offset),
    query: Type.Optional(Type.String({ maxLength: 256, description: 'Exact organization id, or part of the name or slug (case-insensitive).' })),
    order_by: Type.Optional(OrganizationOrderBy),
    organization_id: SignedIds('Organizations with these ids.'),
    user_id: SignedIds('Organizations these users are members of.'),
    include_members_count: Flag('Adds members_count and pending_invitations_count.'),
    include_missing_member_with_elevated_permissions: Flag('Adds missing_member_with_elevated_permissions.'),
  },
  { additionalProperties: false },
);
export type ListOrganizationsQueryT = Static<typeof ListOrganizationsQuery>;

export const GetOrganizationQuery = Type.Object(
  {
    include_members_count: Flag('Adds members_count and pending_invitations_count.'),
    include_missing_member_with_elevated_permissions: Flag('Adds missing_member_with_elevated_permissions.'),
  },
  { additionalProperties: false },
);
export type GetOrganizationQueryT = Static<typeof GetOrganizationQuery>;

export const OrganizationIdParams = Type.Object({ organization_id: Type.String({ minLength: 1, maxLength: 256, description: 'org_…' }) });
export const OrganizationIdOrSlugParams = Type.Object({
  organization_id: Type.String({ minLength: 1, maxLength: 256, description: 'The organization id (org_…) or its slug.' }),
});

export const OrganizationList = Type.Object({ data: Type.Array(OrganizationRef), total_count: Type.Integer() });
export type OrganizationListJson = Static<typeof OrganizationList>;
