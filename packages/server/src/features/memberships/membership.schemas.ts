// Organization memberships on the wire (clerk-wire.md §4.1). The OrganizationMembership object is
// registered once with an $id (app.ts adds `membershipSchemas`, after `organizationSchemas`, whose
// Organization it nests). @clerk/backend's OrganizationMembership.fromJSON dereferences
// `organization` and `public_user_data`, so both are always present.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Limit, Metadata, Nullable, Offset } from '../../http/schemas.ts';
import { OrganizationRef } from '../organizations/organization.schemas.ts';

const Ms = () => Type.Integer({ description: 'Unix milliseconds' });

export const PublicUserData = Type.Object({
  user_id: Type.String(),
  first_name: Nullable(Type.String()),
  last_name: Nullable(Type.String()),
  image_url: Type.String({ description: 'Tessera stores no profile images: always "".' }),
  has_image: Type.Boolean(),
  identifier: Type.String({ description: 'The primary email address, else the username, else "".' }),
  profile_image_url: Type.String({ description: 'Deprecated alias of image_url: always "".' }),
  username: Nullable(Type.String()),
  banned: Type.Boolean(),
});

export const OrganizationMembership = Type.Object(
  {
    object: Type.Literal('organization_membership'),
    id: Type.String({ description: 'orgmem_…' }),
    role: Type.String({ description: 'The role key, e.g. org:admin.' }),
    role_name: Type.String(),
    permissions: Type.Array(Type.String(), { description: "Every permission key of the role, system ones (org:sys_*) included, sorted." }),
    public_metadata: Metadata,
    private_metadata: Metadata,
    organization: OrganizationRef,
    public_user_data: PublicUserData,
    created_at: Ms(),
    updated_at: Ms(),
  },
  { $id: 'OrganizationMembership' },
);
export type OrganizationMembershipJson = Static<typeof OrganizationMembership>;

/** Shared schemas with an $id, registered once on the app (referenced with Type.Ref). */
export const membershipSchemas: TSchema[] = [OrganizationMembership];

export const OrganizationMembershipRef = Type.Unsafe<OrganizationMembershipJson>(Type.Ref('OrganizationMembership'));
export const OrganizationMembershipList = Type.Object({ data: Type.Array(OrganizationMembershipRef), total_count: Type.Integer() });
export type OrganizationMembershipListJson = Static<typeof OrganizationMembershipList>;

const RoleKey = Type.String({ minLength: 1, maxLength: 64, description: 'A role key (org:admin, org:member, org:<custom>); the legacy admin and basic_member are accepted.' });

export const CreateMembershipBody = Type.Object(
  {
    user_id: Type.String({ minLength: 1, maxLength: 64, description: 'An existing user that is not yet a member.' }),
    role: RoleKey,
    public_metadata: Type.Optional(Nullable(Metadata)),
    private_metadata: Type.Optional(Nullable(Metadata)),
  },
  { additionalProperties: false },
);
export type CreateMembershipInput = Static<typeof CreateMembershipBody>;

export const UpdateMembershipBody = Type.Object({ role: RoleKey }, { additionalProperties: false });
export type UpdateMembershipInput = Static<typeof UpdateMembershipBody>;

export const MembershipMetadataBody = Type.Object(
  {
    public_metadata: Type.Optional(Nullable(Metadata)),
    private_metadata: Type.Optional(Nullable(Metadata)),
  },
  { additionalProperties: false },
);
export type MembershipMetadataInput = Static<typeof MembershipMetadataBody>;

export const MEMBERSHIP_ORDER_FIELDS = ['created_at', 'first_name', 'last_name', 'email_address', 'phone_number', 'username'] as const;
export type MembershipOrderField = (typeof MEMBERSHIP_ORDER_FIELDS)[number];
export const MembershipOrderBy = Type.Union(
  MEMBERSHIP_ORDER_FIELDS.flatMap((f) => [Type.Literal(f), Type.Literal(`+${f}`), Type.Literal(`-${f}`)]),
  { description: '[+|-]field ("+" or no sign ascending), default -created_at. Members without the field sort last; Tessera has no phone numbers, so phone_number sorts as created_at.' },
);

const list = (description: string, maxLength = 320) =>
  Type.Optional(Type.Array(Type.String({ maxLength }), { maxItems: 100, description: `${description} Repeat the key for several (up to 100).` }));
const part = (description: string) => Type.Optional(Type.String({ maxLength: 320, description: `${description} (case-insensitive substring).` }));
const msFilter = (description: string) =>
  Type.Optional(Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000, description: `${description} (Unix milliseconds).` }));

export const ListMembershipsQuery = Type.Object(
  {
    limit: Type.Optional(Limit),
    offset: Type.Optional(Offset),
    order_by: Type.Optional(MembershipOrderBy),
    user_id: list('Members with these user ids; prefix an id with "-" to exclude it instead.', 65),
    email_address: list('Members with any of these email addresses (canonicalised).'),
    username: list('Members with these usernames (case-insensitive).'),
    phone_number: list('Tessera has no phone numbers: given, it matches no member.'),
    web3_wallet: list('Tessera has no Web3 wallets: given, it matches no member.'),
    role: list('Members with these roles (legacy admin / basic_member accepted).', 64),
    query: part('Part of an email address, username, user id, or first and last name'),
    email_address_query: part('Part of an email address'),
    username_query: part('Part of a username'),
    phone_number_query: part('Tessera has no phone numbers: given (non-empty), it matches no member. Part of a phone number'),
    name_query: part('Part of the first and last name'),
    last_active_at_before: msFilter("Users last active before"),
    last_active_at_after: msFilter('Users last active after'),
    created_at_before: msFilter('Memberships created before'),
    created_at_after: msFilter('Memberships created after'),
  },
  { additionalProperties: false },
);
export type ListMembershipsQueryT = Static<typeof ListMembershipsQuery>;

export const InstanceMembershipsQuery = Type.Object(
  { limit: Type.Optional(Limit), offset: Type.Optional(Offset), order_by: Type.Optional(MembershipOrderBy) },
  { additionalProperties: false },
);
export type InstanceMembershipsQueryT = Static<typeof InstanceMembershipsQuery>;

export const UserMembershipsQuery = Type.Object({ limit: Type.Optional(Limit), offset: Type.Optional(Offset) }, { additionalProperties: false });
export type UserMembershipsQueryT = Static<typeof UserMembershipsQuery>;

export const MembershipParams = Type.Object({
  organization_id: Type.String({ minLength: 1, maxLength: 64, description: 'org_…' }),
  user_id: Type.String({ minLength: 1, maxLength: 64, description: 'The member\'s user id (user_…), not the membership id.' }),
});
export const OrganizationParams = Type.Object({ organization_id: Type.String({ minLength: 1, maxLength: 64, description: 'org_…' }) });
export const UserParams = Type.Object({ user_id: Type.String({ minLength: 1, maxLength: 64, description: 'user_…' }) });
