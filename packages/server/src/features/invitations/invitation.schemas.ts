import { Type, type Static } from '@sinclair/typebox';
import { Limit, Metadata, Nullable, Offset } from '../../http/schemas.ts';

export const InvitationStatusSchema = Type.Union(
  [Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('revoked'), Type.Literal('expired')],
);

export const Invitation = Type.Object(
  {
    object: Type.Literal('invitation'),
    id: Type.String({ description: 'inv_…' }),
    email_address: Type.String(),
    public_metadata: Metadata,
    revoked: Type.Optional(Type.Boolean({ description: 'Present and true once revoked.' })),
    status: InvitationStatusSchema,
    url: Type.Optional(Type.String({ description: 'The invitation link. Returned only when the invitation is created: only a hash of its ticket is stored.' })),
    expires_at: Nullable(Type.Integer({ description: 'Unix milliseconds' })),
    created_at: Type.Integer({ description: 'Unix milliseconds' }),
    updated_at: Type.Integer({ description: 'Unix milliseconds' }),
  },
  { $id: 'Invitation' },
);
export type InvitationJson = Static<typeof Invitation>;

export const CreateInvitationBody = Type.Object(
  {
    email_address: Type.String({ minLength: 1, maxLength: 320 }),
    public_metadata: Type.Optional(Nullable(Metadata)),
    redirect_url: Type.Optional(Nullable(Type.String({ maxLength: 2048 }))),
    notify: Type.Optional(Nullable(Type.Boolean({ default: true }))),
    ignore_existing: Type.Optional(Nullable(Type.Boolean({ default: false }))),
    expires_in_days: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 365, default: 30 }))),
    template_slug: Type.Optional(Nullable(Type.Union([Type.Literal('invitation'), Type.Literal('waitlist_invitation')]))),
  },
  { additionalProperties: false },
);
export type CreateInvitationInput = Static<typeof CreateInvitationBody>;

export const BULK_MAX = 10;
export const CreateInvitationBulkBody = Type.Array(CreateInvitationBody, { minItems: 1, description: `1..${BULK_MAX} invitations` });

export const OrderBy = Type.Union(
  ['created_at', 'email_address', 'expires_at'].flatMap((f) => [Type.Literal(f), Type.Literal(`+${f}`), Type.Literal(`-${f}`)]),
);

export const ListInvitationsQuery = Type.Object(
  {
    paginated: Type.Optional(Type.Boolean({ description: 'true: {data,total_count}; otherwise a bare array' })),
    status: Type.Optional(Type.Array(InvitationStatusSchema, { description: 'Repeatable. Without it, revoked invitations are left out.' })),
    query: Type.Optional(Type.String({ maxLength: 320, description: 'Matches part of the email address, or an id' })),
    order_by: Type.Optional(OrderBy),
    limit: Type.Optional(Limit),
    offset: Type.Optional(Offset),
  },
  { additionalProperties: false },
);
export type ListInvitationsQueryT = Static<typeof ListInvitationsQuery>;

export const InvitationIdParams = Type.Object({ invitation_id: Type.String({ minLength: 1, maxLength: 64 }) });
