// Organization invitations on the wire (clerk-wire.md §3). The OrganizationInvitation object is
// registered once with an $id (app.ts adds `organizationInvitationSchemas`) and referenced with
// Type.Ref by every route. Bodies and queries reject unknown keys (422 form_param_unknown).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Limit, Metadata, Nullable, Offset } from '../../http/schemas.ts';
import { InvitationStatusSchema } from '../invitations/invitation.schemas.ts';

const Ms = (description = 'Unix milliseconds') => Type.Integer({ description });

export const PublicInviterData = Type.Object({
  user_id: Type.String(),
  first_name: Nullable(Type.String()),
  last_name: Nullable(Type.String()),
  image_url: Type.String({ description: 'Tessera stores no profile images: always "".' }),
  has_image: Type.Boolean(),
  identifier: Type.String({ description: "The inviter's primary email address, else username, else \"\"." }),
});

export const PublicOrganizationData = Type.Object({
  id: Type.String(),
  name: Type.String(),
  slug: Type.String(),
  image_url: Type.String({ description: 'Tessera stores no logos: always "".' }),
  has_image: Type.Boolean(),
});

export const OrganizationInvitation = Type.Object(
  {
    object: Type.Literal('organization_invitation'),
    id: Type.String({ description: 'orginv_…' }),
    email_address: Type.String({ description: 'Canonical (NFKC, lowercase).' }),
    role: Type.String({ description: 'The canonical role key (a legacy admin / basic_member given on create shows as org:admin / org:member).' }),
    role_name: Type.String(),
    organization_id: Type.String(),
    inviter_id: Nullable(Type.String({ description: 'The inviter_user_id given on create, if any (null once that user is deleted).' })),
    public_inviter_data: Nullable(PublicInviterData),
    status: InvitationStatusSchema,
    public_metadata: Metadata,
    private_metadata: Metadata,
    url: Nullable(Type.String({ description: 'The invitation link: only in the answer to a create (only a hash of its ticket is stored); null elsewhere.' })),
    expires_at: Nullable(Ms('Unix milliseconds; a pending invitation past it reads as expired.')),
    created_at: Ms(),
    updated_at: Ms(),
    public_organization_data: Type.Optional(PublicOrganizationData),
  },
  { $id: 'OrganizationInvitation' },
);
export type OrganizationInvitationJson = Static<typeof OrganizationInvitation>;

/** Shared schemas with an $id, registered once on the app (referenced with Type.Ref). */
export const organizationInvitationSchemas: TSchema[] = [OrganizationInvitation];

export const OrganizationInvitationRef = Type.Unsafe<OrganizationInvitationJson>(Type.Ref('OrganizationInvitation'));
export const OrganizationInvitationList = Type.Object({ data: Type.Array(OrganizationInvitationRef), total_count: Type.Integer() });
export type OrganizationInvitationListJson = Static<typeof OrganizationInvitationList>;

const UserId = (description: string) => Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64, description })));

export const CreateOrganizationInvitationBody = Type.Object(
  {
    email_address: Type.String({ minLength: 1, maxLength: 320 }),
    role: Type.String({ minLength: 1, maxLength: 64, description: 'A role key (org:admin, org:member, org:<custom>); the legacy admin and basic_member are accepted.' }),
    inviter_user_id: UserId('A member whose role holds org:sys_memberships:manage (else 403 not_an_admin_in_organization).'),
    public_metadata: Type.Optional(Nullable(Metadata)),
    private_metadata: Type.Optional(Nullable(Metadata)),
    redirect_url: Type.Optional(Nullable(Type.String({ maxLength: 2048, description: 'Where the link leads; its origin must be allowed (TESSERA_ALLOWED_REDIRECT_ORIGINS).' }))),
    expires_in_days: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 365, default: 30 }))),
    notify: Type.Optional(Nullable(Type.Boolean({ default: true, description: 'Send the invitation email (through the outbox, after commit).' }))),
  },
  { additionalProperties: false },
);
export type CreateOrganizationInvitationInput = Static<typeof CreateOrganizationInvitationBody>;

export const ORGANIZATION_INVITATION_BULK_MAX = 10;
export const CreateOrganizationInvitationBulkBody = Type.Array(CreateOrganizationInvitationBody, {
  minItems: 1,
  description: `1..${ORGANIZATION_INVITATION_BULK_MAX} invitations, all created or none (more: 400 bulk_size_exceeded).`,
});

export const RevokeOrganizationInvitationBody = Type.Object(
  { requesting_user_id: UserId('When given, must be a member whose role holds org:sys_memberships:manage.') },
  { additionalProperties: false, description: 'Optional: an empty body (with a JSON content type) is accepted.' },
);
export type RevokeOrganizationInvitationInput = Static<typeof RevokeOrganizationInvitationBody>;

export const ORGANIZATION_INVITATION_ORDER_FIELDS = ['created_at', 'email_address'] as const;
const OrderBy = Type.Union(
  ORGANIZATION_INVITATION_ORDER_FIELDS.flatMap((f) => [Type.Literal(f), Type.Literal(`+${f}`), Type.Literal(`-${f}`)]),
  { description: '[+|-]field ("+" or no sign ascending), default -created_at.' },
);
const Statuses = Type.Optional(
  Type.Array(InvitationStatusSchema, { maxItems: 16, description: 'Repeatable. expired includes pending invitations past expires_at. Without it, every status.' }),
);

export const ListOrganizationInvitationsQuery = Type.Object(
  {
    status: Statuses,
    email_address: Type.Optional(Type.String({ maxLength: 320, description: 'Invitations to this address (canonicalised, exact).' })),
    order_by: Type.Optional(OrderBy),
    limit: Type.Optional(Limit),
    offset: Type.Optional(Offset),
  },
  { additionalProperties: false },
);
export type ListOrganizationInvitationsQueryT = Static<typeof ListOrganizationInvitationsQuery>;

export const PendingOrganizationInvitationsQuery = Type.Object(
  { limit: Type.Optional(Limit), offset: Type.Optional(Offset) },
  { additionalProperties: false },
);
export type PendingOrganizationInvitationsQueryT = Static<typeof PendingOrganizationInvitationsQuery>;

export const InstanceOrganizationInvitationsQuery = Type.Object(
  {
    status: Statuses,
    query: Type.Optional(Type.String({ maxLength: 320, description: 'Part of the invited email address (case-insensitive).' })),
    order_by: Type.Optional(OrderBy),
    limit: Type.Optional(Limit),
    offset: Type.Optional(Offset),
  },
  { additionalProperties: false },
);
export type InstanceOrganizationInvitationsQueryT = Static<typeof InstanceOrganizationInvitationsQuery>;

export const UserOrganizationInvitationsQuery = Type.Object(
  { status: Statuses, limit: Type.Optional(Limit), offset: Type.Optional(Offset) },
  { additionalProperties: false },
);
export type UserOrganizationInvitationsQueryT = Static<typeof UserOrganizationInvitationsQuery>;

export const OrganizationParams = Type.Object({ organization_id: Type.String({ minLength: 1, maxLength: 64, description: 'org_…' }) });
export const OrganizationInvitationParams = Type.Object({
  organization_id: Type.String({ minLength: 1, maxLength: 64, description: 'org_…' }),
  invitation_id: Type.String({ minLength: 1, maxLength: 64, description: 'orginv_…' }),
});
export const UserParams = Type.Object({ user_id: Type.String({ minLength: 1, maxLength: 64, description: 'user_…' }) });
